import { compareStrings, toCanonicalJson } from "../codec/canonical.js";
import { renderFound } from "../errors.js";
import { DNS1123_SUBDOMAIN } from "../model/common.js";
import type { KubernetesCluster } from "../model/discovery.js";
import { DISCOVERY_API_VERSION } from "../model/discovery.js";
import type { DiagnosticSink } from "./diagnostics.js";
import { discoveredLabels, discoveredName } from "./naming.js";
import { asNonEmptyString, getIn, isRecord } from "./util.js";

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

export interface ResolvedClusters {
  /** Declared clusters plus a default one for each undeclared snapshot cluster, sorted by name. */
  readonly clusters: KubernetesCluster[];
  /** Cluster domain per cluster name (declared `spec.clusterDomain`, else `cluster.local`). */
  readonly domainOf: ReadonlyMap<string, string>;
}

/** The KubernetesCluster meshhub assumes for a snapshot cluster nobody declared. */
export function defaultCluster(cluster: string, managementNamespace: string): KubernetesCluster {
  const name = cluster.length <= 253 && DNS1123_SUBDOMAIN.test(cluster) ? cluster : discoveredName(cluster);
  return {
    apiVersion: DISCOVERY_API_VERSION,
    kind: "KubernetesCluster",
    metadata: { name, namespace: managementNamespace, labels: discoveredLabels(cluster) },
    spec: { clusterDomain: DEFAULT_CLUSTER_DOMAIN },
  };
}

/**
 * Registers clusters: every declared cluster (`options.clusters`) is kept as given; each snapshot cluster without a
 * declaration gets {@link defaultCluster}. A declared `spec.clusterDomain` drives FQDNs on that cluster.
 */
export function resolveClusters(snapshotClusters: readonly string[], declared: readonly KubernetesCluster[] | undefined, managementNamespace: string, sink: DiagnosticSink): ResolvedClusters {
  const byName = new Map<string, { cluster: KubernetesCluster; key: string }>();
  (Array.isArray(declared) ? declared : []).forEach((c, i) => {
    const name = getIn(c, ["metadata", "name"]);
    if (!isRecord(c as unknown) || typeof name !== "string" || name === "") {
      sink.add({ severity: "error", kind: "KubernetesCluster", message: `declared cluster ${i} has no metadata.name; ignored`, path: `clusters[${i}].metadata.name`, expected: "a cluster name", found: renderFound(name) });
      return;
    }
    const key = toCanonicalJson(c);
    const prev = byName.get(name);
    if (prev) {
      sink.add({ severity: "warning", kind: "KubernetesCluster", name, message: "cluster declared twice; one declaration was kept" });
      if (compareStrings(key, prev.key) >= 0) return;
    }
    byName.set(name, { cluster: c, key });
  });
  const domainOf = new Map<string, string>();
  for (const [name, { cluster }] of byName) {
    const domain = getIn(cluster, ["spec", "clusterDomain"]);
    domainOf.set(name, asNonEmptyString(domain) ?? DEFAULT_CLUSTER_DOMAIN);
  }
  const clusters = [...byName.values()].map((v) => v.cluster);
  for (const name of snapshotClusters) {
    if (byName.has(name)) continue;
    const c = defaultCluster(name, managementNamespace);
    if (c.metadata.name !== name) {
      sink.add({ severity: "warning", cluster: name, kind: "KubernetesCluster", message: `cluster name is not a valid object name; registered as ${c.metadata.name}`, hint: "declare the cluster with a DNS-1123 name" });
    }
    clusters.push(c);
    domainOf.set(name, DEFAULT_CLUSTER_DOMAIN);
  }
  clusters.sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
  return { clusters, domainOf };
}
