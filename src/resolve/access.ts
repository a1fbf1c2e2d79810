import { compareStrings } from "../codec/canonical.js";
import type { AccessPolicy } from "../model/networking.js";
import { refOf, type PolicyRef } from "./order.js";
import type { ServiceIndex } from "./selectors.js";

/** A client identity an AccessPolicy allows, independent of how a mesh spells it. */
export type ResolvedIdentity =
  /** Any workload with a mesh identity (empty sourceSelector, or an empty entry). */
  | { readonly kind: "anyMeshIdentity" }
  /** Every service account of one cluster (`kubeIdentityMatcher.clusters` without namespaces). */
  | { readonly kind: "cluster"; readonly cluster: string }
  /** Every service account of a namespace, on one cluster or (cluster undefined) on any. */
  | { readonly kind: "namespace"; readonly namespace: string; readonly cluster?: string }
  /** One service account (name undefined = every service account of the namespace), on one cluster or any. */
  | { readonly kind: "serviceAccount"; readonly name: string; readonly namespace: string; readonly cluster?: string };

/** A resolved identity in words, for error messages. */
export function describeIdentity(id: ResolvedIdentity): string {
  switch (id.kind) {
    case "anyMeshIdentity":
      return "any mesh identity";
    case "cluster":
      return `every identity of cluster ${id.cluster}`;
    case "namespace":
      return `namespace ${id.namespace}${id.cluster !== undefined ? ` on cluster ${id.cluster}` : ""}`;
    case "serviceAccount":
      return `service account ${id.namespace}/${id.name}${id.cluster !== undefined ? ` on cluster ${id.cluster}` : ""}`;
  }
}

/** One AccessPolicy's allow rule for one destination. */
export interface ResolvedAccessRule {
  readonly policy: PolicyRef;
  readonly sources: readonly ResolvedIdentity[];
  readonly paths?: readonly string[];
  readonly methods?: readonly string[];
  readonly ports?: readonly number[];
}

/**
 * Resolves an AccessPolicy's sources. Anything that cannot be resolved exactly (an unknown cluster, a service
 * account reference without a namespace) is an error: the caller leaves the rule out, which can only narrow
 * access — it is never widened to "any source".
 */
export function resolveAccessRule(policy: AccessPolicy, index: ServiceIndex): { rule?: ResolvedAccessRule; errors: string[] } {
  const errors: string[] = [];
  const sources: ResolvedIdentity[] = [];
  const selectors = policy.spec.sourceSelector ?? [];
  const checkCluster = (c: string, where: string): boolean => {
    if (index.hasCluster(c)) return true;
    errors.push(`${where}: cluster ${JSON.stringify(c)} is not registered, so its identities cannot be resolved; the rule is left out (access is not widened)`);
    return false;
  };
  if (selectors.length === 0) sources.push({ kind: "anyMeshIdentity" });
  selectors.forEach((sel, i) => {
    const where = `sourceSelector[${i}]`;
    if (!sel.kubeIdentityMatcher && !sel.kubeServiceAccountRefs) {
      sources.push({ kind: "anyMeshIdentity" });
      return;
    }
    const m = sel.kubeIdentityMatcher;
    if (m) {
      const clusters = m.clusters ?? [];
      const namespaces = m.namespaces ?? [];
      for (const c of clusters) checkCluster(c, `${where}.kubeIdentityMatcher`);
      if (clusters.length === 0 && namespaces.length === 0) sources.push({ kind: "anyMeshIdentity" });
      else if (namespaces.length === 0) for (const c of clusters) sources.push({ kind: "cluster", cluster: c });
      else if (clusters.length === 0) for (const n of namespaces) sources.push({ kind: "namespace", namespace: n });
      else for (const c of clusters) for (const n of namespaces) sources.push({ kind: "namespace", namespace: n, cluster: c });
    }
    (sel.kubeServiceAccountRefs?.serviceAccounts ?? []).forEach((sa, j) => {
      const at = `${where}.kubeServiceAccountRefs.serviceAccounts[${j}]`;
      if (sa.clusterName !== undefined && !checkCluster(sa.clusterName, at)) return;
      if (sa.namespace === undefined) {
        errors.push(`${at}: a service account without a namespace cannot be expressed as a mesh identity; name the namespace (the rule is left out, access is not widened)`);
        return;
      }
      if (sa.name === undefined) sources.push({ kind: "namespace", namespace: sa.namespace, ...(sa.clusterName !== undefined ? { cluster: sa.clusterName } : {}) });
      else sources.push({ kind: "serviceAccount", name: sa.name, namespace: sa.namespace, ...(sa.clusterName !== undefined ? { cluster: sa.clusterName } : {}) });
    });
  });
  if (errors.length > 0) return { errors };
  const spec = policy.spec;
  return {
    errors,
    rule: {
      policy: refOf(policy),
      sources: dedupeIdentities(sources),
      ...(spec.allowedPaths?.length ? { paths: [...new Set(spec.allowedPaths)].sort(compareStrings) } : {}),
      ...(spec.allowedMethods?.length ? { methods: [...new Set(spec.allowedMethods)].sort(compareStrings) } : {}),
      ...(spec.allowedPorts?.length ? { ports: [...new Set(spec.allowedPorts)].sort((a, b) => a - b) } : {}),
    },
  };
}

function dedupeIdentities(ids: ResolvedIdentity[]): ResolvedIdentity[] {
  if (ids.some((i) => i.kind === "anyMeshIdentity")) return [{ kind: "anyMeshIdentity" }];
  const byKey = new Map<string, ResolvedIdentity>();
  for (const id of ids) byKey.set(JSON.stringify(id), id);
  return [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => v);
}
