import { compareStrings } from "../codec/canonical.js";
import type { MeshWorkload } from "../model/discovery.js";
import { DISCOVERY_API_VERSION } from "../model/discovery.js";
import type { DetectedMesh, DiscoveryContext } from "./context.js";
import { ISTIO_REV_LABEL, normalizeRevision } from "./istio.js";
import { LINKERD_CONTROL_PLANE_NS_LABEL } from "./linkerd.js";
import { discoveredName } from "./naming.js";
import type { DetectedProxy, MeshType, PodSpecInfo } from "./pods.js";
import { detectProxy, readPod, readPodTemplate } from "./pods.js";
import type { ClusterIndex, RawObject } from "./snapshot-index.js";
import { asArray, asString, getIn, isRecord, pushTo, selectorMatches } from "./util.js";
import { parseYamlValue } from "./yaml-value.js";

export type ControllerKind = "Deployment" | "StatefulSet" | "DaemonSet";
const CONTROLLER_KINDS: readonly ControllerKind[] = ["Deployment", "StatefulSet", "DaemonSet"];

/** A discovered workload plus what service discovery needs. */
export interface DiscoveredWorkload {
  readonly workload: MeshWorkload;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly mesh: DetectedMesh;
}

/** What asks for a proxy: an observed proxy, or injection settings on the template / namespace. */
interface MeshIntent {
  readonly type: MeshType;
  /** Istio revision as written (`default`, `1-29`, a tag); undefined when nothing says. */
  readonly revision?: string;
  /** Linkerd control-plane namespace, when known. */
  readonly controlPlaneNs?: string;
}

// ---- owners ---------------------------------------------------------------------------------------

interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

function controllerOwner(o: RawObject, ctx: DiscoveryContext): OwnerRef | undefined | "invalid" {
  const refs = getIn(o.raw, ["metadata", "ownerReferences"]);
  if (refs === undefined || refs === null) return undefined;
  const list = asArray(refs);
  if (!list) {
    ctx.sink.object(o, "error", "ownerReferences is not a list; owner unknown", { path: "metadata.ownerReferences", expected: "a list", value: refs });
    return "invalid";
  }
  const valid = list.filter((r): r is Record<string, unknown> => isRecord(r) && typeof r.kind === "string" && typeof r.name === "string");
  const ref = valid.find((r) => r.controller === true) ?? valid[0];
  return ref ? { kind: ref.kind as string, name: ref.name as string } : undefined;
}

/** The Deployment a ReplicaSet belongs to: its owner reference, else its name minus the pod-template-hash suffix. */
function deploymentOfReplicaSet(index: ClusterIndex, ctx: DiscoveryContext, namespace: string, rsName: string, podTemplateHash: string | undefined): string | undefined {
  const rs = index.get("ReplicaSet", namespace, rsName);
  if (rs) {
    const owner = controllerOwner(rs, ctx);
    return owner !== undefined && owner !== "invalid" && owner.kind === "Deployment" ? owner.name : undefined;
  }
  if (podTemplateHash && rsName.endsWith(`-${podTemplateHash}`)) return rsName.slice(0, -(podTemplateHash.length + 1));
  const dash = rsName.lastIndexOf("-");
  return dash > 0 ? rsName.slice(0, dash) : undefined;
}

// ---- mesh intent ------------------------------------------------------------------------------

function istioRevisionFromStatus(annotations: Readonly<Record<string, string>>): string | undefined {
  const status = annotations["sidecar.istio.io/status"];
  if (status === undefined) return undefined;
  const parsed = parseYamlValue(status);
  return parsed.ok ? asString(getIn(parsed.value, ["revision"])) : undefined;
}

/** The mesh a running proxy belongs to, from the pod's labels/annotations and its namespace. */
function intentFromProxy(proxy: DetectedProxy, pod: PodSpecInfo, ns: RawObject | undefined): MeshIntent {
  if (proxy.mesh === "istio") {
    const revision =
      pod.labels[ISTIO_REV_LABEL] ??
      pod.annotations[ISTIO_REV_LABEL] ??
      istioRevisionFromStatus(pod.annotations) ??
      (ns?.labels["istio-injection"] === "enabled" ? undefined : ns?.labels[ISTIO_REV_LABEL]);
    return { type: "istio", revision };
  }
  return { type: "linkerd", controlPlaneNs: pod.labels[LINKERD_CONTROL_PLANE_NS_LABEL] ?? pod.annotations[LINKERD_CONTROL_PLANE_NS_LABEL] };
}

const ENABLED_LINKERD = new Set(["enabled", "ingress"]);

/**
 * Injection settings when no pod is observed. Istio: `sidecar.istio.io/inject: "false"` opts out; a namespace
 * `istio-injection=disabled` disables, `=enabled` injects the default revision; else namespace `istio.io/rev`, then
 * template `istio.io/rev`, then template `sidecar.istio.io/inject: "true"` (default revision). Linkerd:
 * `linkerd.io/inject: enabled|ingress` on the template, else the namespace; `disabled` on the template opts out.
 */
function intentFromInjection(ctx: DiscoveryContext, controller: RawObject, template: PodSpecInfo, ns: RawObject | undefined): MeshIntent | undefined {
  const nsLabels = ns?.labels ?? {};
  const nsAnnotations = ns?.annotations ?? {};
  let istio: MeshIntent | undefined;
  const podInject = template.labels["sidecar.istio.io/inject"] ?? template.annotations["sidecar.istio.io/inject"];
  if (podInject !== "false" && nsLabels["istio-injection"] !== "disabled") {
    if (nsLabels["istio-injection"] === "enabled") istio = { type: "istio", revision: "default" };
    else if (nsLabels[ISTIO_REV_LABEL] !== undefined) istio = { type: "istio", revision: nsLabels[ISTIO_REV_LABEL] };
    else if (template.labels[ISTIO_REV_LABEL] !== undefined) istio = { type: "istio", revision: template.labels[ISTIO_REV_LABEL] };
    else if (podInject === "true") istio = { type: "istio", revision: "default" };
  }
  let linkerd: MeshIntent | undefined;
  const podLinkerd = template.annotations["linkerd.io/inject"] ?? template.labels["linkerd.io/inject"];
  const nsLinkerd = nsAnnotations["linkerd.io/inject"] ?? nsLabels["linkerd.io/inject"];
  if (podLinkerd !== "disabled" && (ENABLED_LINKERD.has(podLinkerd ?? "") || (podLinkerd === undefined && ENABLED_LINKERD.has(nsLinkerd ?? "")))) {
    linkerd = { type: "linkerd", controlPlaneNs: template.labels[LINKERD_CONTROL_PLANE_NS_LABEL] };
  }
  if (istio && linkerd) {
    ctx.sink.object(controller, "warning", "both Istio and Linkerd injection are requested; assuming Istio", { path: "spec.template.metadata" });
  }
  return istio ?? linkerd;
}

// ---- mesh resolution --------------------------------------------------------------------------

function resolveMesh(intent: MeshIntent, meshes: readonly DetectedMesh[], tags: ReadonlyMap<string, string>): DetectedMesh | undefined {
  const ofType = meshes.filter((m) => m.type === intent.type);
  if (intent.type === "istio") {
    const rev = normalizeRevision(intent.revision);
    const exact = ofType.find((m) => m.revision === rev);
    if (exact) return exact;
    const tagged = tags.get(rev ?? "default");
    if (tagged !== undefined) {
      const viaTag = ofType.find((m) => m.revision === normalizeRevision(tagged));
      if (viaTag) return viaTag;
    }
    return rev === undefined && ofType.length === 1 ? ofType[0] : undefined;
  }
  if (intent.controlPlaneNs !== undefined) return ofType.find((m) => m.namespace === intent.controlPlaneNs);
  return ofType.length === 1 ? ofType[0] : (ofType.find((m) => m.namespace === "linkerd") ?? ofType[0]);
}

function describeIntent(intent: MeshIntent): string {
  return intent.type === "istio" ? `Istio revision ${normalizeRevision(intent.revision) ?? "default"}` : `Linkerd${intent.controlPlaneNs ? ` (control plane in ${intent.controlPlaneNs})` : ""}`;
}

// ---- gateways and control-plane components -----------------------------------------------------

/** Why a controller is mesh infrastructure rather than an app workload, or undefined. */
function infrastructureReason(controller: RawObject, template: PodSpecInfo, proxy: DetectedProxy | undefined, meshes: readonly DetectedMesh[]): string | undefined {
  const labels = template.labels;
  if (meshes.some((m) => m.namespace === controller.namespace && controller.kind === "Deployment" && m.controlPlaneDeployments.includes(controller.name))) return "control plane";
  if (labels["linkerd.io/control-plane-component"] !== undefined) return "Linkerd control-plane component";
  if (labels.istio !== undefined && /gateway$/.test(labels.istio)) return "Istio gateway";
  if ((template.annotations["inject.istio.io/templates"] ?? "").split(",").includes("gateway")) return "Istio gateway";
  if (labels["gateway.istio.io/managed"] !== undefined || labels["gateway.networking.k8s.io/gateway-name"] !== undefined) return "Gateway API gateway";
  if (proxy && !proxy.native && proxy.container.args.includes("router")) return "Istio gateway";
  for (const m of meshes) {
    if (m.namespace !== controller.namespace && !(m.type === "linkerd" && controller.namespace === "linkerd-multicluster")) continue;
    for (const sel of m.gatewaySelectors) if (Object.keys(sel).length > 0 && selectorMatches(sel, labels)) return "mesh gateway";
  }
  return undefined;
}

// ---- discovery --------------------------------------------------------------------------------

/**
 * Finds the Deployments, StatefulSets and DaemonSets whose pods run a mesh proxy. Pods are matched to their controller
 * through owner references (Pod → ReplicaSet → Deployment, or Pod → StatefulSet/DaemonSet); when no pod of a
 * controller is in the snapshot (scaled to zero, or pods not read), the pod template and injection settings decide.
 * Gateways and control-plane components are mesh infrastructure, not workloads.
 */
export function discoverWorkloads(ctx: DiscoveryContext, index: ClusterIndex, meshes: readonly DetectedMesh[], tags: ReadonlyMap<string, string>): DiscoveredWorkload[] {
  const cluster = index.cluster;
  const podsByController = new Map<string, { pod: RawObject; spec: PodSpecInfo; proxy: DetectedProxy | undefined }[]>();

  for (const pod of index.list("Pod")) {
    const spec = readPod(pod, ctx.sink);
    const proxy = detectProxy(spec);
    const owner = controllerOwner(pod, ctx);
    if (owner === "invalid") continue;
    if (owner === undefined) {
      if (proxy) ctx.sink.object(pod, "warning", `pod runs a ${proxy.mesh === "istio" ? "Istio" : "Linkerd"} proxy but has no owner; bare pods are not discovered as workloads`, { path: "metadata.ownerReferences", hint: "run it from a Deployment, StatefulSet or DaemonSet" });
      continue;
    }
    let kind: ControllerKind | undefined;
    let name: string | undefined;
    if (owner.kind === "ReplicaSet") {
      kind = "Deployment";
      name = deploymentOfReplicaSet(index, ctx, pod.namespace, owner.name, pod.labels["pod-template-hash"]);
      if (name === undefined) {
        if (proxy) ctx.sink.object(pod, "warning", `meshed pod belongs to ReplicaSet ${owner.name}, which no Deployment owns; not discovered as a workload`, { path: "metadata.ownerReferences" });
        continue;
      }
    } else if (owner.kind === "StatefulSet" || owner.kind === "DaemonSet") {
      kind = owner.kind;
      name = owner.name;
    } else {
      if (proxy) ctx.sink.object(pod, "warning", `meshed pod is owned by a ${owner.kind}; only Deployments, StatefulSets and DaemonSets are discovered as workloads`, { path: "metadata.ownerReferences" });
      continue;
    }
    if (!index.get(kind, pod.namespace, name)) {
      if (proxy) ctx.sink.object(pod, "warning", `meshed pod belongs to ${kind} ${pod.namespace}/${name}, which is not in the snapshot`, { path: "metadata.ownerReferences" });
      continue;
    }
    pushTo(podsByController, `${kind}/${pod.namespace}/${name}`, { pod, spec, proxy });
  }

  const out: DiscoveredWorkload[] = [];
  for (const kind of CONTROLLER_KINDS) {
    for (const c of index.list(kind)) {
      const template = readPodTemplate(c, ctx.sink);
      if (!template) continue;
      const pods = podsByController.get(`${kind}/${c.namespace}/${c.name}`) ?? [];
      const ns = index.namespace(c.namespace);
      const templateProxy = detectProxy(template);
      const observedProxy = pods.find((p) => p.proxy)?.proxy;
      if (infrastructureReason(c, template, observedProxy ?? templateProxy, meshes) !== undefined) continue;

      const intents: MeshIntent[] = [];
      if (pods.length > 0) {
        for (const p of pods) if (p.proxy) intents.push(intentFromProxy(p.proxy, p.spec, ns));
      } else if (templateProxy) {
        intents.push(intentFromProxy(templateProxy, template, ns));
      } else {
        const intent = intentFromInjection(ctx, c, template, ns);
        if (intent) intents.push(intent);
      }
      if (intents.length === 0) continue;

      const counts = new Map<string, { mesh: DetectedMesh; n: number }>();
      const unresolved: MeshIntent[] = [];
      for (const intent of intents) {
        const mesh = resolveMesh(intent, meshes, tags);
        if (!mesh) {
          unresolved.push(intent);
          continue;
        }
        const entry = counts.get(mesh.name) ?? { mesh, n: 0 };
        entry.n++;
        counts.set(mesh.name, entry);
      }
      const ranked = [...counts.values()].sort((a, b) => b.n - a.n || compareStrings(a.mesh.name, b.mesh.name));
      const chosen = ranked[0]?.mesh;
      if (!chosen) {
        const first = unresolved[0] as MeshIntent;
        ctx.sink.object(c, "warning", `runs or requests a ${describeIntent(first)} proxy but cluster ${cluster} has no matching control plane; not discovered`, {
          hint: first.type === "istio" ? "check the istio.io/rev label against the istiod revisions in the snapshot" : "include the Linkerd control plane in the snapshot",
        });
        continue;
      }
      if (ranked.length > 1 || unresolved.length > 0) {
        const names = [...ranked.map((r) => r.mesh.name), ...unresolved.map((u) => `unknown ${describeIntent(u)}`)];
        ctx.sink.object(c, "warning", `pods belong to different meshes (${[...new Set(names)].join(", ")}); using ${chosen.name}`, { hint: "finish the revision migration and restart the remaining pods" });
      }

      const workload: MeshWorkload = {
        apiVersion: DISCOVERY_API_VERSION,
        kind: "MeshWorkload",
        metadata: { name: discoveredName(c.name, c.namespace, cluster, kind.toLowerCase()), namespace: ctx.managementNamespace, labels: ctx.shared.clusterLabels(cluster) },
        spec: {
          kubernetes: {
            controller: { kind, name: c.name, namespace: c.namespace, clusterName: cluster },
            podLabels: ctx.shared.labels(template.labels),
            serviceAccountName: template.serviceAccountName,
          },
          mesh: ctx.shared.meshRef(chosen.name),
        },
      };
      out.push({ workload, namespace: c.namespace, podLabels: template.labels, mesh: chosen });
    }
  }
  return out;
}
