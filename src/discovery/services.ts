import { compareStrings } from "../codec/canonical.js";
import type { MeshService, ServicePort } from "../model/discovery.js";
import { DISCOVERY_API_VERSION } from "../model/discovery.js";
import type { DiscoveryContext } from "./context.js";
import { discoveredName } from "./naming.js";
import { readService } from "./service-spec.js";
import type { ClusterIndex } from "./snapshot-index.js";
import { isEmpty, pushTo, selectorMatches, sortedUnique } from "./util.js";
import type { DiscoveredWorkload } from "./workloads.js";

const IGNORED_SUBSET_KEYS = new Set([
  "pod-template-hash",
  "controller-revision-hash",
  "pod-template-generation",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
]);
const IGNORED_SUBSET_PREFIXES = ["linkerd.io/", "config.linkerd.io/", "istio.io/", "sidecar.istio.io/", "security.istio.io/", "service.istio.io/", "topology.istio.io/", "networking.istio.io/"];

/** Label keys set by controllers and mesh injectors: never subsets. */
export function isInjectorLabel(key: string): boolean {
  return IGNORED_SUBSET_KEYS.has(key) || IGNORED_SUBSET_PREFIXES.some((p) => key.startsWith(p));
}

/** Annotations not worth copying (huge, and rewritten by kubectl anyway). */
const DROPPED_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/**
 * Label keys whose values differ across the backing workloads (Gloo Mesh's rule): `{version: {values: [v1, v2, v3]}}`.
 * Keys set by controllers and injectors are ignored; values are sorted.
 */
export function computeSubsets(podLabels: readonly Readonly<Record<string, string>>[]): Record<string, { values: string[] }> {
  const values = new Map<string, Set<string>>();
  for (const labels of podLabels) {
    for (const [k, v] of Object.entries(labels)) {
      if (isInjectorLabel(k)) continue;
      const set = values.get(k) ?? new Set<string>();
      set.add(v);
      values.set(k, set);
    }
  }
  const out: Record<string, { values: string[] }> = {};
  for (const key of [...values.keys()].sort(compareStrings)) {
    const set = values.get(key) as Set<string>;
    if (set.size > 1) out[key] = { values: sortedUnique(set) };
  }
  return out;
}

/**
 * A Service is a mesh service when its (non-empty) selector selects the pod labels of at least one discovered
 * workload in the same namespace and cluster. Its mesh is the mesh of those workloads.
 */
export function discoverServices(ctx: DiscoveryContext, index: ClusterIndex, workloads: readonly DiscoveredWorkload[]): MeshService[] {
  const cluster = index.cluster;
  const byNamespace = new Map<string, DiscoveredWorkload[]>();
  for (const w of workloads) pushTo(byNamespace, w.namespace, w);
  const out: MeshService[] = [];
  for (const o of index.list("Service")) {
    const svc = readService(o, ctx.sink);
    const selector = svc.selector;
    if (!selector || isEmpty(selector)) continue;
    const backing = (byNamespace.get(o.namespace) ?? []).filter((w) => selectorMatches(selector, w.podLabels));
    if (backing.length === 0) continue;

    const counts = new Map<string, { name: string; n: number }>();
    for (const w of backing) {
      const entry = counts.get(w.mesh.name) ?? { name: w.mesh.name, n: 0 };
      entry.n++;
      counts.set(w.mesh.name, entry);
    }
    const ranked = [...counts.values()].sort((a, b) => b.n - a.n || compareStrings(a.name, b.name));
    const mesh = (ranked[0] as { name: string }).name;
    if (ranked.length > 1) {
      ctx.sink.object(o, "warning", `backing workloads belong to different meshes (${ranked.map((r) => r.name).join(", ")}); using ${mesh}`, {
        path: "spec.selector",
        hint: "a service should select workloads of one mesh",
      });
    }

    const ports: ServicePort[] = svc.ports.map((p) => {
      const port: ServicePort = { port: p.port, protocol: p.protocol };
      if (p.name !== undefined) port.name = p.name;
      if (p.targetPort !== undefined) port.targetPort = p.targetPort;
      if (p.appProtocol !== undefined) port.appProtocol = p.appProtocol;
      return port;
    });
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.annotations)) if (!DROPPED_ANNOTATIONS.has(k)) annotations[k] = v;

    const service: MeshService = {
      apiVersion: DISCOVERY_API_VERSION,
      kind: "MeshService",
      metadata: { name: discoveredName(o.name, o.namespace, cluster), namespace: ctx.managementNamespace, labels: ctx.shared.clusterLabels(cluster) },
      spec: {
        kubeService: {
          ref: { name: o.name, namespace: o.namespace, clusterName: cluster },
          workloadSelectorLabels: ctx.shared.labels(selector),
          labels: ctx.shared.labels(o.labels),
          ports: ctx.shared.intern(ports),
          subsets: ctx.shared.intern(computeSubsets(backing.map((w) => w.podLabels))),
          headless: svc.clusterIP === "None",
          ...(isEmpty(annotations) ? {} : { annotations }),
        },
        mesh: ctx.shared.meshRef(mesh),
      },
    };
    out.push(service);
  }
  return out;
}
