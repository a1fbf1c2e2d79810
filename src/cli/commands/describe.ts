import { compareStrings, toCanonicalJson, toCanonicalYaml } from "../../codec/canonical.js";
import type { Workspace } from "../../codec/workspace.js";
import type { Mesh, MeshGateway, MeshInstallation, MeshService, MeshWorkload, TrustAnchorInfo } from "../../model/discovery.js";
import type { AccessPolicy, DestinationSelector, TrafficPolicy, VirtualMesh } from "../../model/networking.js";
import type { ApprovalStatus, PolicyStatus } from "../../model/status.js";
import { affectedAsSource, labelsMatch, meshServiceKey } from "../../resolve/selectors.js";
import type { TranslationResult } from "../../translate/index.js";
import { SOURCES_ANNOTATION, sourceId } from "../../translate/metadata.js";
import { formatCertificatePlan } from "../cert-plan-summary.js";
import { outputFormat, type CommandSpec, type Ctx } from "../context.js";
import { formatObjects, formatOutcomes, formatServiceView, objectsFor, serviceView, virtualMeshOfMesh, type ObjectRefView, type PolicyOutcome } from "../describe-service.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { closest, formatFields, indent, type Field, type Style } from "../output.js";
import { TRANSLATE_FLAGS, translateDir, workspaceDir } from "../workspace.js";

type Kind = "service" | "workload" | "trafficpolicy" | "accesspolicy" | "mesh" | "virtualmesh";

const KINDS: Readonly<Record<Kind, readonly string[]>> = {
  service: ["service", "services", "svc", "destination", "destinations"],
  workload: ["workload", "workloads", "wl"],
  trafficpolicy: ["trafficpolicy", "trafficpolicies", "tp"],
  accesspolicy: ["accesspolicy", "accesspolicies", "ap"],
  mesh: ["mesh", "meshes"],
  virtualmesh: ["virtualmesh", "virtualmeshes", "vm", "vmesh", "vmeshes"],
};

function kindOf(word: string | undefined): Kind {
  const all = Object.entries(KINDS) as [Kind, readonly string[]][];
  const found = all.find(([, aliases]) => aliases.includes((word ?? "").toLowerCase()));
  if (found) return found[0];
  const suggestion = word !== undefined ? closest(word.toLowerCase(), all.flatMap(([, a]) => a)) : undefined;
  throw new UsageError(word === undefined ? "missing resource kind" : `unknown resource kind ${JSON.stringify(word)}`, `${suggestion ? `did you mean ${suggestion}? ` : ""}kinds: service (svc), workload, trafficpolicy (tp), accesspolicy (ap), mesh, virtualmesh (vm, vmesh)`);
}

/** One described thing: its text and its data (for -o json|yaml). */
interface Described {
  readonly id: string;
  readonly text: string;
  readonly data: unknown;
}

interface Env {
  readonly ctx: Ctx;
  readonly style: Style;
  readonly dir: string;
  readonly workspace: Workspace;
  readonly result: TranslationResult;
  /** The NAME argument. */
  readonly query: string | undefined;
}

// ---- name matching ----------------------------------------------------------------------------------------

/** `name`, `name.namespace` or `name.namespace.cluster` against a (name, namespace, cluster) triple. */
function tripleMatches(query: string, name: string, namespace: string, cluster: string): boolean {
  const [n, ns, ...rest] = query.split(".");
  const c = rest.join(".");
  return n === name && (ns === undefined || ns === namespace) && (rest.length === 0 || c === cluster);
}

/** `name` or `name.namespace` against a policy (names may hold dots: the exact name wins). */
function policyMatches(query: string, name: string, namespace: string): boolean {
  if (query === name) return true;
  const dot = query.lastIndexOf(".");
  return dot > 0 && query.slice(0, dot) === name && query.slice(dot + 1) === namespace;
}

/** Filters by name and `--search`; an unknown name (or cluster) is an error with a hint, exit 1. */
function pick<T>(env: Env, kind: string, items: readonly T[], id: (t: T) => string, matches: (query: string, t: T) => boolean, clusters?: readonly string[]): T[] {
  const query = env.query;
  const search = env.ctx.str("search");
  let out = [...items];
  if (query !== undefined) {
    if (clusters && query.split(".").length >= 3) {
      const cluster = query.split(".").slice(2).join(".");
      if (!clusters.includes(cluster)) throw new CliError(`cluster ${cluster} is not in workspace ${env.dir}`, EXIT.notAccepted, `clusters: ${clusters.join(", ") || "none"}`);
    }
    out = out.filter((t) => matches(query, t));
  }
  if (search !== undefined) out = out.filter((t) => id(t).toLowerCase().includes(search.toLowerCase()));
  if (out.length === 0) {
    const ids = items.map(id);
    const firstName = closest(query?.split(".")[0] ?? "", new Set(ids.map((i) => i.split(".")[0] as string)));
    const guess = query !== undefined ? (closest(query, ids) ?? ids.filter((i) => i.split(".")[0] === firstName).join(" or ")) || undefined : undefined;
    const what = query !== undefined ? `no ${kind} ${query}${search !== undefined ? ` matching ${JSON.stringify(search)}` : ""}` : `no ${kind} matches ${JSON.stringify(search ?? "")}`;
    throw new CliError(`${what} in workspace ${env.dir}`, EXIT.notAccepted, guess ? `did you mean ${guess}?` : ids.length > 0 ? `known: ${ids.slice(0, 12).join(", ")}${ids.length > 12 ? ", …" : ""}` : `the workspace has no ${kind}`);
  }
  return out.sort((a, b) => compareStrings(id(a), id(b)));
}

// ---- shared pieces -------------------------------------------------------------------------------------------

const polKey = (m: { name: string; namespace?: string }): string => `${m.name}.${m.namespace ?? "default"}`;
const nsName = (m: { name: string; namespace?: string }): string => `${m.namespace ?? "default"}/${m.name}`;

function destinationOutcomes(statuses: Readonly<Record<string, ApprovalStatus>>): PolicyOutcome[] {
  return Object.entries(statuses)
    .map(([dest, s]) => ({ policy: dest, state: s.state, errors: s.errors ?? [] }))
    .sort((a, b) => compareStrings(a.state === "ACCEPTED" ? "1" : "0", b.state === "ACCEPTED" ? "1" : "0") || compareStrings(a.policy, b.policy));
}

function selectorText(s: DestinationSelector): string[] {
  const out: string[] = [];
  const m = s.kubeServiceMatcher;
  if (m) out.push(`services${labelText(m.labels)}${scopeText(m)}`);
  for (const r of s.kubeServiceRefs?.services ?? []) out.push(`service ${r.name}.${r.namespace}.${r.clusterName}`);
  return out.length > 0 ? out : ["every service"];
}

function block(title: string, body: string, style: Style): string {
  return `${style.bold(`${title}:`)}\n${body}`;
}

function list(items: readonly string[]): string {
  return items.length > 0 ? items.map((i) => `  - ${i}`).join("\n") : "  none";
}

function emittedBy(result: TranslationResult, ref: { kind: string; name: string; namespace?: string }): ObjectRefView[] {
  const id = sourceId(ref);
  return objectsFor(result, (o) => (o.metadata.annotations?.[SOURCES_ANNOTATION] ?? "").split(",").includes(id));
}

function yamlBody(value: unknown): string {
  return value === undefined ? "  none" : indent(toCanonicalYaml(value).trimEnd());
}

// ---- the kinds ------------------------------------------------------------------------------------------------

function services(env: Env): Described[] {
  const { result, workspace } = env;
  const clusters = [...new Set([...result.discovery.clusters.map((c) => c.metadata.name), ...result.discovery.services.map((s) => s.spec.kubeService.ref.clusterName)])].sort(compareStrings);
  const id = (s: MeshService): string => `${s.spec.kubeService.ref.name}.${s.spec.kubeService.ref.namespace}.${s.spec.kubeService.ref.clusterName}`;
  return pick(env, "service", result.discovery.services, id, (q, s) => tripleMatches(q, s.spec.kubeService.ref.name, s.spec.kubeService.ref.namespace, s.spec.kubeService.ref.clusterName), clusters).map((s) => {
    const view = serviceView(result, workspace.resources.virtualMeshes, s);
    return { id: id(s), text: formatServiceView(view, env.style), data: view };
  });
}

function workloads(env: Env): Described[] {
  const { result, style } = env;
  const d = result.discovery;
  const meshOfService = new Map(d.services.map((s) => [meshServiceKey(s), `${s.spec.mesh.namespace}/${s.spec.mesh.name}`]));
  const destinationMeshes = (s: PolicyStatus): Set<string> => new Set(Object.keys(s.destinations).flatMap((k) => meshOfService.get(k) ?? []));
  const trafficByKey = new Map(env.workspace.resources.trafficPolicies.map((p) => [polKey(p.metadata), p]));
  const accessByKey = new Map(env.workspace.resources.accessPolicies.map((p) => [polKey(p.metadata), p]));
  const ctrl = (w: MeshWorkload): MeshWorkload["spec"]["kubernetes"]["controller"] => w.spec.kubernetes.controller;
  const id = (w: MeshWorkload): string => `${ctrl(w).name}.${ctrl(w).namespace}.${ctrl(w).clusterName}`;
  const clusters = [...new Set([...d.clusters.map((c) => c.metadata.name), ...d.workloads.map((w) => ctrl(w).clusterName)])].sort(compareStrings);
  return pick(env, "workload", d.workloads, id, (q, w) => tripleMatches(q, ctrl(w).name, ctrl(w).namespace, ctrl(w).clusterName), clusters).map((w) => {
    const c = ctrl(w);
    const svcs = d.services
      .filter((s) => s.spec.kubeService.ref.clusterName === c.clusterName && s.spec.kubeService.ref.namespace === c.namespace && Object.keys(s.spec.kubeService.workloadSelectorLabels).length > 0 && labelsMatch(s.spec.kubeService.workloadSelectorLabels, w.spec.kubernetes.podLabels))
      .map((s) => `${s.spec.kubeService.ref.name}.${s.spec.kubeService.ref.namespace}.${s.spec.kubeService.ref.clusterName}`);
    // A status lists the first affected workloads only; past them, the policy's own selectors decide.
    const affects = (s: PolicyStatus, policy: TrafficPolicy | AccessPolicy | undefined): boolean =>
      s.workloads.includes(w.metadata.name) || (s.workloadsOmitted !== undefined && policy !== undefined && affectedAsSource(policy, destinationMeshes(s), w));
    const asSource = (statuses: Readonly<Record<string, PolicyStatus>>, policies: ReadonlyMap<string, TrafficPolicy | AccessPolicy>, kind: string): string[] =>
      Object.entries(statuses)
        .filter(([k, s]) => affects(s, policies.get(k)))
        .map(([k, s]) => `${kind} ${k.slice(k.lastIndexOf(".") + 1)}/${k.slice(0, k.lastIndexOf("."))} (${s.state})`);
    const traffic = asSource(result.statuses.trafficPolicies, trafficByKey, "TrafficPolicy");
    const access = asSource(result.statuses.accessPolicies, accessByKey, "AccessPolicy");
    const text = [
      formatFields(
        [
          ["Name", c.name],
          ["Namespace", c.namespace],
          ["Cluster", c.clusterName],
          ["Kind", c.kind],
          ["Service account", w.spec.kubernetes.serviceAccountName],
          ["Mesh", `${w.spec.mesh.namespace}/${w.spec.mesh.name}`],
          ["Pod labels", Object.entries(w.spec.kubernetes.podLabels).map(([k, v]) => `${k}=${v}`).join(", ") || "none"],
          ["Discovered as", `MeshWorkload ${w.metadata.namespace}/${w.metadata.name}`],
        ],
        style,
      ),
      "",
      block("Services selecting it", list(svcs), style),
      "",
      block("TrafficPolicies applying to its outgoing requests", list(traffic), style),
      "",
      block("AccessPolicies allowing it as a client", list(access), style),
    ].join("\n");
    return { id: id(w), text: `${text}\n`, data: { workload: w, services: svcs, trafficPolicies: traffic, accessPolicies: access } };
  });
}

/** The common frame of a TrafficPolicy or AccessPolicy: identity and state, its own sections, status, objects. */
function describePolicy(env: Env, p: TrafficPolicy | AccessPolicy, status: PolicyStatus | undefined, fields: readonly Field[], sections: readonly (readonly [string, string])[], workloadsTitle: string): Described {
  const { style } = env;
  const objects = emittedBy(env.result, { kind: p.kind, ...p.metadata });
  const text = [
    formatFields([["Name", p.metadata.name], ["Namespace", p.metadata.namespace ?? "default"], ["API version", p.apiVersion], ...fields, ["State", status ? style.state(status.state) : "unknown"]], style),
    ...(status?.errors?.length ? ["", block("Errors", list(status.errors), style)] : []),
    ...sections.flatMap(([title, body]) => ["", block(title, body, style)]),
    "",
    block("Destination services", list((p.spec.destinationSelector ?? [{}]).flatMap(selectorText)), style),
    "",
    block("Status per destination", formatOutcomes(destinationOutcomes(status?.destinations ?? {}), style), style),
    "",
    block(workloadsTitle, list([...(status?.workloads ?? []), ...(status?.workloadsOmitted ? [`… and ${status.workloadsOmitted} more`] : [])]), style),
    "",
    block("Emitted objects", formatObjects(objects, style), style),
  ].join("\n");
  return { id: nsName(p.metadata), text: `${text}\n`, data: { resource: p, status, objects } };
}

const labelText = (labels: Readonly<Record<string, string>> | undefined): string => (labels ? ` with ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",")}` : "");
const scopeText = (m: { namespaces?: readonly string[] | undefined; clusters?: readonly string[] | undefined }): string => `${m.namespaces ? ` in namespaces ${m.namespaces.join(", ")}` : ""}${m.clusters ? ` on clusters ${m.clusters.join(", ")}` : ""}`;

function trafficPolicies(env: Env): Described[] {
  return pick(env, "TrafficPolicy", env.workspace.resources.trafficPolicies, (p) => polKey(p.metadata), (q, p) => policyMatches(q, p.metadata.name, p.metadata.namespace ?? "default")).map((p: TrafficPolicy) => {
    const sources = (p.spec.sourceSelector ?? []).map((s) => (s.kubeWorkloadMatcher ? `workloads${labelText(s.kubeWorkloadMatcher.labels)}${scopeText(s.kubeWorkloadMatcher)}` : "every workload"));
    return describePolicy(
      env,
      p,
      env.result.statuses.trafficPolicies[polKey(p.metadata)],
      [["Created", p.metadata.creationTimestamp ?? "(none: ordered after timestamped policies)"]],
      [
        ["Source workloads", list(sources.length > 0 ? sources : ["every workload"])],
        ["HTTP matchers", p.spec.httpRequestMatchers?.length ? yamlBody(p.spec.httpRequestMatchers) : "  every request"],
        ["Actions (spec.policy)", yamlBody(p.spec.policy)],
      ],
      "Affected client workloads",
    );
  });
}

function accessPolicies(env: Env): Described[] {
  return pick(env, "AccessPolicy", env.workspace.resources.accessPolicies, (p) => polKey(p.metadata), (q, p) => policyMatches(q, p.metadata.name, p.metadata.namespace ?? "default")).map((p: AccessPolicy) => {
    const sources = (p.spec.sourceSelector ?? []).flatMap((s) => [
      ...(s.kubeIdentityMatcher ? [`identities${scopeText(s.kubeIdentityMatcher)}`] : []),
      ...(s.kubeServiceAccountRefs?.serviceAccounts ?? []).map((sa) => `service account ${sa.namespace ?? "*"}/${sa.name ?? "*"}${sa.clusterName ? ` on cluster ${sa.clusterName}` : ""}`),
    ]);
    const filters = formatFields([["Allowed paths", p.spec.allowedPaths?.join(", ") ?? "any"], ["Allowed methods", p.spec.allowedMethods?.join(", ") ?? "any"], ["Allowed ports", p.spec.allowedPorts?.join(", ") ?? "any"]], env.style);
    return describePolicy(
      env,
      p,
      env.result.statuses.accessPolicies[polKey(p.metadata)],
      [],
      [
        ["Source service accounts", list(sources.length > 0 ? sources : ["any workload with a mesh identity"])],
        ["Filters", indent(filters)],
      ],
      "Allowed client workloads",
    );
  });
}

/** The fields of a mesh that do not depend on its type. */
function meshInfo(m: Mesh): {
  type: "istio" | "linkerd";
  version: string;
  installation: MeshInstallation;
  trustDomain: string;
  meshId?: string;
  network?: string;
  gateways: (readonly [string, MeshGateway])[];
  certificates: readonly TrustAnchorInfo[];
} {
  if ("istio" in m.spec) {
    const s = m.spec.istio;
    return {
      type: "istio",
      version: s.installation.version,
      installation: s.installation,
      trustDomain: s.trustDomain,
      ...(s.meshId !== undefined ? { meshId: s.meshId } : {}),
      ...(s.network !== undefined ? { network: s.network } : {}),
      gateways: [...s.ingressGateways.map((g) => ["ingress", g] as const), ...s.eastWestGateways.map((g) => ["east-west", g] as const)],
      certificates: s.caCertificates ?? [],
    };
  }
  const s = m.spec.linkerd;
  return { type: "linkerd", version: s.version, installation: s.installation, trustDomain: s.trustDomain, gateways: s.multiclusterGateway ? [["multicluster", s.multiclusterGateway] as const] : [], certificates: s.trustAnchors };
}

const clusterOfMesh = (m: Mesh): string => meshInfo(m).installation.cluster;

function meshes(env: Env): Described[] {
  const { result, style } = env;
  const d = result.discovery;
  return pick(env, "mesh", d.meshes, (m) => m.metadata.name, (q, m) => q === m.metadata.name || q === clusterOfMesh(m) || q === `${m.metadata.name}.${m.metadata.namespace}`).map((m) => {
    const key = `${m.metadata.namespace}/${m.metadata.name}`;
    const vm = virtualMeshOfMesh(result, env.workspace.resources.virtualMeshes, m);
    const info = meshInfo(m);
    const workloadCount = d.workloads.filter((w) => `${w.spec.mesh.namespace}/${w.spec.mesh.name}` === key).length;
    const serviceNames = d.services.filter((s) => `${s.spec.mesh.namespace}/${s.spec.mesh.name}` === key).map((s) => `${s.spec.kubeService.ref.name}.${s.spec.kubeService.ref.namespace}.${s.spec.kubeService.ref.clusterName}`);
    const text = [
      formatFields(
        [
          ["Name", m.metadata.name],
          ["Namespace", m.metadata.namespace ?? "default"],
          ["Cluster", info.installation.cluster],
          ["Type", info.type],
          ["Version", info.version],
          ["Revision", info.installation.revision],
          ["Control plane", `namespace ${info.installation.namespace}${info.installation.image ? `, image ${info.installation.image}` : ""}`],
          ["Trust domain", info.trustDomain],
          ["Mesh ID", info.meshId],
          ["Network", info.network],
          ["Virtual mesh", vm ? `${vm.metadata.namespace}/${vm.metadata.name}` : "none"],
          ["Workloads", workloadCount],
        ],
        style,
      ),
      "",
      block("Gateways", list(info.gateways.map(([t, g]) => `${t} ${g.namespace}/${g.name} ${g.externalAddress ?? "<no address>"}${g.externalTlsPort !== undefined ? `:${g.externalTlsPort}` : ""}${g.serviceType ? ` (${g.serviceType})` : ""}`)), style),
      "",
      block(info.type === "istio" ? "Plugged-in CA certificates (cacerts)" : "Trust anchors", list(info.certificates.map((c) => `${c.subject ?? c.fingerprintSha256.slice(0, 16)}${c.source ? ` from ${c.source}` : ""}: valid ${c.notBefore?.slice(0, 10) ?? "?"} → ${c.notAfter?.slice(0, 10) ?? "?"}`)), style),
      "",
      block("Services", list(serviceNames), style),
    ].join("\n");
    return { id: key, text: `${text}\n`, data: { mesh: m, virtualMesh: vm ? `${vm.metadata.namespace}/${vm.metadata.name}` : null, workloads: workloadCount, services: serviceNames } };
  });
}

function virtualMeshes(env: Env): Described[] {
  const { result, style } = env;
  return pick(env, "VirtualMesh", env.workspace.resources.virtualMeshes, (v) => polKey(v.metadata), (q, v) => policyMatches(q, v.metadata.name, v.metadata.namespace ?? "default")).map((v: VirtualMesh) => {
    const status = result.statuses.virtualMeshes[polKey(v.metadata)];
    const plan = result.certificatePlan;
    const own = plan ? { ...plan, virtualMeshes: plan.virtualMeshes.filter((p) => p.virtualMesh.name === v.metadata.name && p.virtualMesh.namespace === (v.metadata.namespace ?? "default")), skipped: plan.skipped.filter((p) => p.virtualMesh.name === v.metadata.name) } : null;
    const mtls = v.spec.mtlsConfig;
    const text = [
      formatFields(
        [
          ["Name", v.metadata.name],
          ["Namespace", v.metadata.namespace ?? "default"],
          ["State", status ? style.state(status.state) : "unknown"],
          ["Global access policy", v.spec.globalAccessPolicy ?? "MESH_DEFAULT"],
          ["Federation", v.spec.federation ? `${v.spec.federation.permissive ? "permissive (every service of every mesh)" : "selected services"}${v.spec.federation.hostnameSuffix ? `, hostname suffix ${v.spec.federation.hostnameSuffix}` : ""}${v.spec.federation.flatNetwork ? ", flat network" : ""}` : "none"],
          ["Trust", mtls?.shared ? `shared root${mtls.shared.rootCertificateAuthority?.secret ? ` from Secret ${nsName(mtls.shared.rootCertificateAuthority.secret)}` : " (generated)"}` : mtls?.limited ? "limited (each mesh keeps its own root)" : "none"],
          ["Restart pods", mtls?.autoRestartPods ? "automatically" : "manually"],
        ],
        style,
      ),
      ...(status?.errors?.length ? ["", block("Errors", list(status.errors), style)] : []),
      "",
      block("Meshes", formatOutcomes(destinationOutcomes(status?.meshes ?? Object.fromEntries(v.spec.meshes.map((m) => [`${m.name}.${m.namespace}`, { state: "INVALID", errors: ["no status"] }]))), style), style),
      ...(mtls?.shared ? ["", block("Certificate plan", indent(formatCertificatePlan(own && own.virtualMeshes.length + own.skipped.length > 0 ? own : null, style).trimEnd()), style)] : []),
      "",
      block("Emitted objects", formatObjects(emittedBy(result, { kind: "VirtualMesh", ...v.metadata }), style), style),
    ].join("\n");
    return { id: nsName(v.metadata), text: `${text}\n`, data: { resource: v, status, certificatePlan: own } };
  });
}

const DESCRIBERS: Readonly<Record<Kind, (env: Env) => Described[]>> = {
  service: services,
  workload: workloads,
  trafficpolicy: trafficPolicies,
  accesspolicy: accessPolicies,
  mesh: meshes,
  virtualmesh: virtualMeshes,
};

export const describeCommand: CommandSpec = {
  name: "describe",
  summary: "show a service's effective configuration (with the policy behind every value), or a workload, policy, mesh or VirtualMesh",
  usage: ["describe KIND [NAME] [-w DIR] [-s SUBSTRING] [-o text|yaml|json]"],
  description: `KIND: service (svc), workload, trafficpolicy (tp), accesspolicy (ap), mesh, virtualmesh (vm, vmesh); plurals
work too. NAME is name, name.namespace or name.namespace.cluster for services and workloads (every match is
shown), name or name.namespace for policies and VirtualMeshes, a mesh name or a cluster name for meshes. Without
NAME, every resource of the kind is shown; -s/--search keeps those whose id contains the substring.

For a service: the merged effective configuration per route and per client (timeouts, retries, traffic shift
weights, faults, mirrors, headers, CORS), the destination-wide settings (outlier detection, TLS mode), who may call
it and on which paths, methods and ports — every value labelled with the policy and field that set it — then the
policies rejected for it with their reasons, and the objects emitted for it.`,
  subcommands: (Object.entries(KINDS) as [Kind, readonly string[]][]).map(([k, aliases]) => ({ name: k, aliases: aliases.filter((a) => a !== k), summary: `describe ${k === "service" ? "services" : k === "mesh" ? "meshes" : `${k.replace(/policy$/, " policies").replace(/mesh$/, " meshes")}`}` })),
  flags: {
    search: { type: "string", short: "s", valueName: "TEXT", description: "only resources whose id contains TEXT" },
    ...TRANSLATE_FLAGS,
  },
  examples: ["meshctl describe service reviews -w ./workspace", "meshctl describe svc reviews.shop.east -w ./workspace", "meshctl describe tp -s ratings -w ./workspace", "meshctl describe vm demo -w ./workspace -o yaml"],
  async run(ctx) {
    const kind = kindOf(ctx.positionals[0]);
    if (ctx.positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[2])}`, "usage: meshctl describe KIND [NAME] [-w DIR]");
    const format = outputFormat(ctx, ["text", "yaml", "json"], "text");
    const dir = workspaceDir(ctx);
    const { workspace, result } = translateDir(ctx, dir);
    const env: Env = { ctx, style: ctx.style, dir, workspace, result, query: ctx.positionals[1] };
    const found = DESCRIBERS[kind](env);
    if (format === "json") ctx.out(toCanonicalJson(found.length === 1 ? found[0]?.data : found.map((f) => f.data)));
    else if (format === "yaml") ctx.out(toCanonicalYaml(found.length === 1 ? found[0]?.data : found.map((f) => f.data)));
    else ctx.out(found.map((f) => f.text).join(`\n${ctx.style.dim("—".repeat(40))}\n\n`));
    return EXIT.ok;
  },
};
