import { compareStrings } from "../codec/canonical.js";
import { DNS1123_LABEL } from "../model/common.js";
import type { MeshService, MeshWorkload, Mesh } from "../model/discovery.js";
import { DEFAULT_MANAGEMENT_NAMESPACE } from "../model/discovery.js";
import { resolveClusters, DEFAULT_CLUSTER_DOMAIN } from "./clusters.js";
import type { DetectedMesh, DiscoveryContext } from "./context.js";
import { DiagnosticSink } from "./diagnostics.js";
import { indexForeignConfig } from "./foreign-config.js";
import { detectIstioMeshes, istioRevisionTags } from "./istio.js";
import { detectLinkerdMeshes } from "./linkerd.js";
import { CLUSTER_LABEL } from "./naming.js";
import { discoverServices } from "./services.js";
import { groupSnapshots, indexCluster } from "./snapshot-index.js";
import type { ClusterSnapshot, DiscoverOptions, Discovery, ForeignConfig } from "./types.js";
import { compareTuples, isRecord } from "./util.js";
import { discoverWorkloads } from "./workloads.js";
import { SharedParts } from "./shared-parts.js";

export type { ClusterSnapshot, Diagnostic, DiscoverOptions, Discovery, ForeignConfig } from "./types.js";
export { discoveredName, discoveredLabels, CLUSTER_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "./naming.js";
export { compareIstioVersions, compareLinkerdVersions, edgeToStable, istioAtLeast, linkerdAtLeast, LINKERD_EDGE_TO_STABLE, parseIstioVersion, parseLinkerdVersion, stripImageVariant } from "./versions.js";
export type { IstioVersion, LinkerdChannel, LinkerdVersion, StableMinor } from "./versions.js";
export { parseImageRef } from "./images.js";
export type { ImageRef } from "./images.js";
export { qualifyHost } from "./foreign-config.js";
export { computeSubsets } from "./services.js";

const DEFAULT_INGRESS_LABELS = { istio: "ingressgateway" };
const DEFAULT_EAST_WEST_LABELS = { istio: "eastwestgateway" };

/** Cluster a discovered object came from (its cluster label). */
function clusterOf(o: { metadata: { labels?: Record<string, string> } }): string {
  return o.metadata.labels?.[CLUSTER_LABEL] ?? "";
}

function meshSortKey(m: Mesh, cluster: string): string[] {
  const installation = "istio" in m.spec ? m.spec.istio.installation : m.spec.linkerd.installation;
  return [cluster, installation.namespace, m.metadata.name];
}

/**
 * Discovers meshes, mesh workloads and mesh services on every cluster of the snapshots, plus the foreign mesh config
 * already there. Pure and deterministic: no I/O, no clock, no randomness; every list is sorted by
 * (cluster, source namespace, source name) and the result does not depend on the order of snapshots or objects.
 * Malformed input never throws: it becomes a {@link Discovery.diagnostics} entry naming the object and field, and
 * everything else is still discovered.
 */
export function discover(snapshots: readonly ClusterSnapshot[], options: DiscoverOptions = {}): Discovery {
  const sink = new DiagnosticSink();
  let managementNamespace = options.managementNamespace ?? DEFAULT_MANAGEMENT_NAMESPACE;
  if (typeof managementNamespace !== "string" || managementNamespace.length > 63 || !DNS1123_LABEL.test(managementNamespace)) {
    sink.add({ severity: "error", message: `management namespace ${JSON.stringify(managementNamespace)} is not a valid namespace; using ${DEFAULT_MANAGEMENT_NAMESPACE}`, path: "managementNamespace", expected: "a DNS-1123 label" });
    managementNamespace = DEFAULT_MANAGEMENT_NAMESPACE;
  }
  const ctx: DiscoveryContext = {
    managementNamespace,
    sink,
    ingressGatewayLabels: options.gatewayWorkloadLabels?.ingress ?? DEFAULT_INGRESS_LABELS,
    eastWestGatewayLabels: options.gatewayWorkloadLabels?.eastWest ?? DEFAULT_EAST_WEST_LABELS,
    shared: new SharedParts(managementNamespace),
  };
  const snapshotsByCluster = groupSnapshots(Array.isArray(snapshots) ? snapshots : [], sink);
  const { clusters, domainOf } = resolveClusters([...snapshotsByCluster.keys()], options.clusters, managementNamespace, sink);

  const meshes: { mesh: Mesh; key: string[] }[] = [];
  const workloads: MeshWorkload[] = [];
  const services: MeshService[] = [];
  const foreignConfig: ForeignConfig[] = [];
  for (const [cluster, clusterSnapshots] of snapshotsByCluster) {
    const index = indexCluster(cluster, clusterSnapshots, sink);
    const clusterDomain = domainOf.get(cluster) ?? DEFAULT_CLUSTER_DOMAIN;
    const detected: DetectedMesh[] = [...detectIstioMeshes(ctx, index), ...detectLinkerdMeshes(ctx, index)];
    for (const d of detected) {
      meshes.push({ mesh: d.mesh, key: meshSortKey(d.mesh, cluster) });
      if ("linkerd" in d.mesh.spec && d.mesh.spec.linkerd.clusterDomain !== clusterDomain) {
        sink.add({
          severity: "warning",
          cluster,
          kind: "ConfigMap",
          namespace: d.namespace,
          name: "linkerd-config",
          message: `Linkerd's clusterDomain ${d.mesh.spec.linkerd.clusterDomain} differs from the cluster's ${clusterDomain}; FQDNs use ${clusterDomain}`,
          hint: "declare the cluster with the right spec.clusterDomain",
        });
      }
    }
    const discovered = discoverWorkloads(ctx, index, detected, istioRevisionTags(index));
    workloads.push(...discovered.map((w) => w.workload));
    services.push(...discoverServices(ctx, index, discovered));
    foreignConfig.push(...indexForeignConfig(index, clusterDomain, sink));
  }

  meshes.sort((a, b) => compareTuples(a.key, b.key));
  // Comparators compare field by field: no tuple arrays per comparison (these lists reach hundreds of thousands).
  workloads.sort((a, b) => {
    const ca = a.spec.kubernetes.controller;
    const cb = b.spec.kubernetes.controller;
    return compareStrings(ca.clusterName, cb.clusterName) || compareStrings(ca.namespace, cb.namespace) || compareStrings(ca.name, cb.name) || compareStrings(ca.kind, cb.kind) || compareStrings(a.metadata.name, b.metadata.name);
  });
  services.sort((a, b) => {
    const ra = a.spec.kubeService.ref;
    const rb = b.spec.kubeService.ref;
    return compareStrings(ra.clusterName, rb.clusterName) || compareStrings(ra.namespace, rb.namespace) || compareStrings(ra.name, rb.name);
  });
  foreignConfig.sort((a, b) => compareStrings(a.cluster, b.cluster) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.kind, b.kind) || compareStrings(a.apiVersion, b.apiVersion));

  reportNameCollisions(sink, "Mesh", meshes.map((m) => m.mesh));
  reportNameCollisions(sink, "MeshWorkload", workloads);
  reportNameCollisions(sink, "MeshService", services);

  return {
    managementNamespace,
    clusters,
    meshes: meshes.map((m) => m.mesh),
    workloads,
    services,
    foreignConfig,
    diagnostics: sink.sorted(),
  };
}

/** Two sources can sanitize to one name (`a-b` in `c` vs `a` in `b-c`); say so rather than silently overwrite. */
function reportNameCollisions(sink: DiagnosticSink, kind: string, objects: readonly { metadata: { name: string; labels?: Record<string, string> } }[]): void {
  const seen = new Map<string, number>();
  for (const o of objects) seen.set(o.metadata.name, (seen.get(o.metadata.name) ?? 0) + 1);
  for (const [name, n] of [...seen.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    if (n > 1) {
      const first = objects.find((o) => o.metadata.name === name);
      sink.add({ severity: "error", kind, name, cluster: first && isRecord(first.metadata.labels) ? clusterOf(first) : undefined, message: `${n} discovered ${kind} objects share the name ${name}`, hint: "rename one of the sources; discovered names are <name>-<namespace>-<cluster>" });
    }
  }
}
