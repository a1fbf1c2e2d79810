/**
 * `meshctl describe service`: the merged effective configuration of one destination service, per route and per
 * source, each value labelled with the policy (and field) that set it — read from `TranslationResult.resolved` —
 * plus who may call it, the policies rejected for it with their reasons, and the objects emitted for it.
 */
import type { ResourceRef } from "../adapters/kube/objects.js";
import { compareStrings } from "../codec/canonical.js";
import type { ResolvedActionValues } from "../features/types.js";
import type { KubeObject } from "../model/common.js";
import type { Mesh, MeshService, MeshWorkload } from "../model/discovery.js";
import type { HttpMatcher, VirtualMesh } from "../model/networking.js";
import type { ResolvedIdentity } from "../resolve/access.js";
import type { PolicyRef } from "../resolve/order.js";
import type { Provenanced, ResolvedRoute, RouteSource } from "../resolve/traffic.js";
import { labelsMatch, serviceKey } from "../resolve/selectors.js";
import { DESTINATION_ANNOTATION } from "../translate/metadata.js";
import type { TranslationResult } from "../translate/index.js";
import { formatColumns, formatFields, indent, plural, type Style } from "./output.js";

/** A value with the policy and field that set it. */
export interface SourcedSetting {
  readonly setting: string;
  readonly value: string;
  readonly setBy: string;
  readonly field: string;
}

export interface RouteView {
  readonly order: number;
  readonly name: string;
  readonly clients: string;
  readonly match: string;
  readonly policies: readonly string[];
  readonly settings: readonly SourcedSetting[];
}

export interface AccessRuleView {
  readonly sources: readonly string[];
  readonly paths: string;
  readonly methods: string;
  readonly ports: string;
  readonly setBy: string;
}

export interface PolicyOutcome {
  readonly policy: string;
  readonly state: string;
  readonly errors: readonly string[];
}

/** An emitted object, named. */
export interface ObjectRefView extends ResourceRef {
  readonly cluster: string;
}

/** Everything `describe service` shows, as data (`-o json|yaml` prints it as is). */
export interface ServiceView {
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly mesh: string;
  readonly virtualMesh?: string;
  readonly host: string;
  readonly ports: readonly string[];
  readonly subsets: readonly string[];
  readonly workloads: readonly string[];
  readonly routes: readonly RouteView[];
  readonly destinationSettings: readonly SourcedSetting[];
  readonly access: { readonly mode: "open" | "allow-list" | "deny-all"; readonly summary: string; readonly rules: readonly AccessRuleView[] };
  readonly policies: readonly PolicyOutcome[];
  readonly objects: readonly ObjectRefView[];
}

export const refText = (r: PolicyRef): string => `${r.kind} ${r.namespace}/${r.name}`;
const labelsText = (l: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(l ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

function clientsText(source: RouteSource | undefined): string {
  if (!source) return "all clients";
  const parts = [source.labels ? `workloads with ${labelsText(source.labels)}` : "every workload", source.namespace ? `in namespace ${source.namespace}` : undefined];
  return parts.filter(Boolean).join(" ");
}

function matchText(m: HttpMatcher | undefined): string {
  if (!m) return "every request";
  const parts: string[] = [];
  if (m.prefix !== undefined) parts.push(`path prefix ${m.prefix}`);
  if (m.exact !== undefined) parts.push(`path ${m.exact}`);
  if (m.regex !== undefined) parts.push(`path matching /${m.regex}/`);
  if (m.method !== undefined) parts.push(`method ${m.method}`);
  for (const h of m.headers ?? []) parts.push(`header ${h.name}${h.invertMatch ? " not" : ""}${h.value === undefined ? " present" : h.regex ? ` ~ /${h.value}/` : ` = ${JSON.stringify(h.value)}`}`);
  for (const q of m.queryParameters ?? []) parts.push(`query ${q.name}${q.value === undefined ? " present" : q.regex ? ` ~ /${q.value}/` : ` = ${JSON.stringify(q.value)}`}`);
  return parts.join(", ") || "every request";
}

const backend = (b: { key: string; subset?: Readonly<Record<string, string>>; port?: number }): string => `${b.key}${b.subset ? ` subset ${labelsText(b.subset)}` : ""}${b.port !== undefined ? ` port ${b.port}` : ""}`;

/** One action value in words. */
const RENDER: { [K in keyof ResolvedActionValues]: (v: ResolvedActionValues[K]) => string } = {
  trafficShift: (v) => {
    const total = v.reduce((n, d) => n + d.weight, 0);
    return v.map((d) => `${total > 0 ? Math.round((d.weight / total) * 1000) / 10 : 0}% → ${backend(d)} (weight ${d.weight})`).join("; ");
  },
  faultInjection: (v) =>
    [v.abort ? `abort with HTTP ${v.abort.httpStatus}` : undefined, v.fixedDelay ? `delay ${v.fixedDelay}` : undefined].filter(Boolean).join(" and ") + ` for ${v.percentage ?? 100}% of requests`,
  requestTimeout: (v) => v,
  retries: (v) => [`${plural(v.attempts, "attempt")}`, v.perTryTimeout ? `${v.perTryTimeout} per try` : undefined, v.retryOn ? `on ${v.retryOn}` : undefined].filter(Boolean).join(", "),
  corsPolicy: (v) =>
    [
      v.allowOrigins ? `origins ${v.allowOrigins.map((o) => (o.exact !== undefined ? o.exact : o.prefix !== undefined ? `${o.prefix}*` : `/${o.regex}/`)).join(", ")}` : undefined,
      v.allowMethods ? `methods ${v.allowMethods.join(", ")}` : undefined,
      v.allowHeaders ? `headers ${v.allowHeaders.join(", ")}` : undefined,
      v.exposeHeaders ? `expose ${v.exposeHeaders.join(", ")}` : undefined,
      v.maxAge ? `max age ${v.maxAge}` : undefined,
      v.allowCredentials !== undefined ? `credentials ${v.allowCredentials ? "allowed" : "not allowed"}` : undefined,
    ]
      .filter(Boolean)
      .join("; "),
  mirror: (v) => `${v.percentage}% copied to ${backend(v)}`,
  headerManipulation: (v) =>
    [
      ...Object.entries(v.appendRequestHeaders ?? {}).map(([k, x]) => `request +${k}: ${x}`),
      ...(v.removeRequestHeaders ?? []).map((k) => `request -${k}`),
      ...Object.entries(v.appendResponseHeaders ?? {}).map(([k, x]) => `response +${k}: ${x}`),
      ...(v.removeResponseHeaders ?? []).map((k) => `response -${k}`),
    ].join("; "),
  outlierDetection: (v) => `eject a host after ${plural(v.consecutiveErrors, "consecutive error")}, checked every ${v.interval}, for ${v.baseEjectionTime}, at most ${v.maxEjectionPercent}% of hosts`,
  mtls: (v) => v.tlsMode,
};

const SETTING_NAMES: { [K in keyof ResolvedActionValues]: string } = {
  trafficShift: "Traffic shift",
  faultInjection: "Fault injection",
  requestTimeout: "Timeout",
  retries: "Retries",
  corsPolicy: "CORS",
  mirror: "Mirror",
  headerManipulation: "Headers",
  outlierDetection: "Outlier detection",
  mtls: "TLS mode",
};

function settings(actions: { readonly [K in keyof ResolvedActionValues]?: Provenanced<ResolvedActionValues[K]> }): SourcedSetting[] {
  const out: SourcedSetting[] = [];
  for (const name of Object.keys(SETTING_NAMES) as (keyof ResolvedActionValues)[]) {
    const p = actions[name] as Provenanced<never> | undefined;
    if (!p) continue;
    out.push({ setting: SETTING_NAMES[name], value: (RENDER[name] as (v: unknown) => string)(p.value), setBy: refText(p.setBy), field: p.field });
  }
  return out;
}

function identityText(id: ResolvedIdentity): string {
  switch (id.kind) {
    case "anyMeshIdentity":
      return "any workload with a mesh identity";
    case "cluster":
      return `every service account of cluster ${id.cluster}`;
    case "namespace":
      return `every service account in namespace ${id.namespace}${id.cluster ? ` on cluster ${id.cluster}` : " on any cluster"}`;
    case "serviceAccount":
      return `service account ${id.namespace}/${id.name}${id.cluster ? ` on cluster ${id.cluster}` : " on any cluster"}`;
  }
}

/** The VirtualMesh a mesh belongs to (accepted for it), if any. */
export function virtualMeshOfMesh(result: TranslationResult, virtualMeshes: readonly VirtualMesh[], mesh: Mesh): VirtualMesh | undefined {
  return virtualMeshes.find((vm) => {
    const status = result.statuses.virtualMeshes[`${vm.metadata.name}.${vm.metadata.namespace ?? "default"}`];
    const isMember = vm.spec.meshes.some((m) => m.name === mesh.metadata.name && m.namespace === mesh.metadata.namespace);
    return isMember && status?.meshes[`${mesh.metadata.name}.${mesh.metadata.namespace ?? "default"}`]?.state === "ACCEPTED";
  });
}

/** Emitted objects whose `meshhub.io/destination` is `key`. */
export function objectsFor(result: TranslationResult, match: (o: KubeObject) => boolean): ObjectRefView[] {
  const out: ObjectRefView[] = [];
  for (const [cluster, objects] of Object.entries(result.clusters)) {
    for (const o of objects) {
      if (match(o)) out.push({ cluster, apiVersion: o.apiVersion, kind: o.kind, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name });
    }
  }
  return out;
}

/** Builds the view of one service. */
export function serviceView(result: TranslationResult, virtualMeshes: readonly VirtualMesh[], service: MeshService): ServiceView {
  const ref = service.spec.kubeService.ref;
  const key = serviceKey(ref);
  const d = result.discovery;
  const mesh = d.meshes.find((m) => m.metadata.name === service.spec.mesh.name && m.metadata.namespace === service.spec.mesh.namespace);
  const cluster = d.clusters.find((c) => c.metadata.name === ref.clusterName);
  const vm = mesh ? virtualMeshOfMesh(result, virtualMeshes, mesh) : undefined;
  const workloads = d.workloads.filter(
    (w: MeshWorkload) =>
      w.spec.kubernetes.controller.clusterName === ref.clusterName &&
      w.spec.kubernetes.controller.namespace === ref.namespace &&
      Object.keys(service.spec.kubeService.workloadSelectorLabels).length > 0 &&
      labelsMatch(service.spec.kubeService.workloadSelectorLabels, w.spec.kubernetes.podLabels),
  );
  const resolved = result.resolved.find((r) => r.key === key);
  const sharedByIt = sharedObjectsOf(result, key, ref);
  const routes: RouteView[] = (resolved?.traffic.routes ?? []).map((r: ResolvedRoute, i) => ({
    order: i + 1,
    name: r.name,
    clients: clientsText(r.source),
    match: matchText(r.matcher),
    policies: r.policies.map(refText),
    settings: settings(r.actions),
  }));
  const accessPolicies = resolved?.accessPolicies ?? [];
  const rules: AccessRuleView[] = (resolved?.access ?? []).map((a) => ({
    sources: a.sources.map(identityText),
    paths: a.paths ? `paths ${a.paths.join(", ")}` : "any path",
    methods: a.methods ? `methods ${a.methods.join(", ")}` : "any method",
    ports: a.ports ? `ports ${a.ports.join(", ")}` : "any port",
    setBy: refText(a.policy),
  }));
  let access: ServiceView["access"];
  if (accessPolicies.length > 0) {
    access =
      rules.length > 0
        ? { mode: "allow-list", summary: "allow-list: only these clients may call it", rules }
        : { mode: "deny-all", summary: `nobody may call it: ${plural(accessPolicies.length, "AccessPolicy", "AccessPolicies")} select${accessPolicies.length === 1 ? "s" : ""} it but no rule could be expressed (access control fails closed)`, rules };
  } else if (vm?.spec.globalAccessPolicy === "ENABLED") {
    access = { mode: "deny-all", summary: `nobody may call it: VirtualMesh ${vm.metadata.namespace}/${vm.metadata.name} denies by default (globalAccessPolicy ENABLED) and no AccessPolicy selects this service`, rules };
  } else {
    access = { mode: "open", summary: "open: no AccessPolicy selects this service, so any client the mesh lets through may call it", rules };
  }
  const policies: PolicyOutcome[] = [];
  for (const [kind, statuses] of [
    ["TrafficPolicy", result.statuses.trafficPolicies],
    ["AccessPolicy", result.statuses.accessPolicies],
  ] as const) {
    for (const [k, s] of Object.entries(statuses)) {
      const dest = s.destinations[key];
      if (!dest) continue;
      const dot = k.lastIndexOf(".");
      policies.push({ policy: `${kind} ${k.slice(dot + 1)}/${k.slice(0, dot)}`, state: dest.state, errors: dest.errors ?? [] });
    }
  }
  policies.sort((a, b) => compareStrings(a.state === "ACCEPTED" ? "1" : "0", b.state === "ACCEPTED" ? "1" : "0") || compareStrings(a.policy, b.policy));
  const k = service.spec.kubeService;
  return {
    key,
    name: ref.name,
    namespace: ref.namespace,
    cluster: ref.clusterName,
    mesh: mesh ? `${mesh.metadata.name} (${"istio" in mesh.spec ? `istio ${mesh.spec.istio.installation.version}` : `linkerd ${mesh.spec.linkerd.version}`})` : `${service.spec.mesh.name} (not discovered)`,
    ...(vm ? { virtualMesh: `${vm.metadata.namespace}/${vm.metadata.name}` } : {}),
    host: `${ref.name}.${ref.namespace}.svc.${cluster?.spec.clusterDomain ?? "cluster.local"}`,
    ports: k.ports.map((p) => `${p.port}${p.name ? `/${p.name}` : ""}${p.appProtocol ? ` (${p.appProtocol})` : ""}`),
    subsets: Object.entries(k.subsets).map(([label, s]) => `${label}=${s.values.join("|")}`),
    workloads: workloads.map((w) => `${w.spec.kubernetes.controller.namespace}/${w.spec.kubernetes.controller.name} (${w.spec.kubernetes.controller.kind}, service account ${w.spec.kubernetes.serviceAccountName})`),
    routes,
    destinationSettings: settings(resolved?.traffic.destinationActions ?? {}),
    access,
    policies,
    objects: objectsFor(result, (o) => o.metadata.annotations?.[DESTINATION_ANNOTATION] === key || sharedByIt(o)),
  };
}

/**
 * Objects a destination's own objects use but share with other destinations: the MeshTLSAuthentications its Linkerd
 * AuthorizationPolicies require (one per AccessPolicy and namespace).
 */
function sharedObjectsOf(result: TranslationResult, key: string, ref: { namespace: string; clusterName: string }): (o: KubeObject) => boolean {
  const required = new Set<string>();
  for (const o of result.clusters[ref.clusterName] ?? []) {
    if (o.kind !== "AuthorizationPolicy" || !o.apiVersion.startsWith("policy.linkerd.io/") || o.metadata.annotations?.[DESTINATION_ANNOTATION] !== key) continue;
    for (const r of ((o["spec"] as { requiredAuthenticationRefs?: { kind: string; name: string }[] } | undefined)?.requiredAuthenticationRefs ?? [])) if (r.kind === "MeshTLSAuthentication") required.add(r.name);
  }
  // Matched by identity: an object of the same name in another cluster is not this destination's.
  const inCluster = new Set((result.clusters[ref.clusterName] ?? []).filter((o) => o.kind === "MeshTLSAuthentication" && o.metadata.namespace === ref.namespace && required.has(o.metadata.name)));
  return (o) => inCluster.has(o);
}

/** `Setting:  value  ← TrafficPolicy ns/name (field)` lines, aligned; plain rows have no provenance. */
function settingLines(list: readonly (SourcedSetting | { setting: string; value: string })[], style: Style): string {
  const width = Math.max(0, ...list.map((s) => s.setting.length + 1));
  return list.map((s) => `${style.bold(`${s.setting}:`)}${" ".repeat(width - s.setting.length + 1)}${s.value}${"setBy" in s ? `  ${style.dim(`← ${s.setBy} (${s.field})`)}` : ""}`).join("\n");
}

/** Policies with their state for a resource, rejected ones first with every reason. */
export function formatOutcomes(outcomes: readonly PolicyOutcome[], style: Style): string {
  if (outcomes.length === 0) return "  none";
  return outcomes.map((p) => `  ${style.state(p.state.padEnd(8))}  ${p.policy}${p.errors.map((e) => `\n              ${e}`).join("")}`).join("\n");
}

/** Emitted objects as a table. */
export function formatObjects(objects: readonly ObjectRefView[], style: Style): string {
  if (objects.length === 0) return "  none";
  return indent(formatColumns(["CLUSTER", "KIND", "NAMESPACE/NAME"], objects.map((o) => [o.cluster, `${o.kind} (${o.apiVersion})`, `${o.namespace ? `${o.namespace}/` : ""}${o.name}`]), style));
}

/** kubectl-style text of a service view. */
export function formatServiceView(v: ServiceView, style: Style): string {
  const head = formatFields(
    [
      ["Name", v.name],
      ["Namespace", v.namespace],
      ["Cluster", v.cluster],
      ["Mesh", v.mesh],
      ["Virtual mesh", v.virtualMesh],
      ["Host", v.host],
      ["Ports", v.ports.join(", ") || "-"],
      ["Subsets", v.subsets.join(" ")],
      ["Workloads", v.workloads.join(", ") || "none"],
    ],
    style,
  );
  const out = [head, ""];
  out.push(style.bold("Routes") + (v.routes.length > 0 ? " (in match order; each value names the policy that set it):" : ":"));
  if (v.routes.length === 0) out.push("  none: no TrafficPolicy sets route behaviour for this service (the mesh's defaults apply)");
  for (const r of v.routes) {
    out.push(`  ${r.order}. ${style.cyan(r.name)}`);
    out.push(indent(settingLines([{ setting: "Clients", value: r.clients }, { setting: "Match", value: r.match }, ...r.settings], style), 5));
  }
  out.push("", style.bold("Destination-wide:"));
  out.push(v.destinationSettings.length > 0 ? indent(settingLines(v.destinationSettings, style)) : "  none (outlier detection and TLS mode are the mesh's defaults)");
  out.push("", `${style.bold("Access:")} ${v.access.summary}`);
  for (const a of v.access.rules) {
    out.push(`  - ${a.sources.join("; ")}`);
    out.push(`    ${a.paths}; ${a.methods}; ${a.ports}  ${style.dim(`← ${a.setBy}`)}`);
  }
  out.push("", style.bold("Policies:"), formatOutcomes(v.policies, style));
  out.push("", style.bold("Emitted objects:"), formatObjects(v.objects, style));
  return `${out.join("\n")}\n`;
}
