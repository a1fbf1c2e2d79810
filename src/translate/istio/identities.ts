/**
 * AccessPolicy identities as Istio AuthorizationPolicy sources.
 *
 * Istio sees a client as the SPIFFE identity in its certificate, `spiffe://<trustDomain>/ns/<ns>/sa/<sa>`, written
 * in policies without the scheme. A *cluster* is only visible through the trust domain, so every cluster-scoped
 * identity needs the trust domain of the Istio mesh(es) on that cluster, and that trust domain must be that
 * cluster's alone. Anything that cannot be expressed exactly is an error: the rule is left out, which can only
 * narrow access (fail closed) — never widened.
 */
import { compareStrings } from "../../codec/canonical.js";
import type { Mesh } from "../../model/discovery.js";
import { describeIdentity, type ResolvedIdentity } from "../../resolve/access.js";
import type { DestinationContext } from "../types.js";
import type { AuthorizationSource } from "./types.js";
import { exactly } from "../../util/arrays.js";

function meshCluster(m: Mesh): string {
  return ("istio" in m.spec ? m.spec.istio : m.spec.linkerd).installation.cluster;
}

function istioTrustDomain(m: Mesh): string | undefined {
  return "istio" in m.spec ? m.spec.istio.trustDomain : undefined;
}

/** The Istio meshes among the trust peers, on one cluster or (cluster undefined) on any. */
function istioPeers(ctx: DestinationContext, cluster?: string): Mesh[] {
  return ctx.trustPeers.filter((m) => "istio" in m.spec && (cluster === undefined || meshCluster(m) === cluster));
}

function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareStrings);
}

/** Trust domains per trust-peer list and cluster: the peer list is shared by every destination of a mesh. */
const TRUST_DOMAINS = new WeakMap<readonly Mesh[], Map<string | undefined, readonly string[]>>();

/** Trust domains of the trusted Istio meshes on `cluster` (any cluster when undefined), sorted. */
function trustDomains(ctx: DestinationContext, cluster?: string): readonly string[] {
  let byCluster = TRUST_DOMAINS.get(ctx.trustPeers);
  if (!byCluster) TRUST_DOMAINS.set(ctx.trustPeers, (byCluster = new Map()));
  let domains = byCluster.get(cluster);
  if (!domains) byCluster.set(cluster, (domains = sortedUnique(istioPeers(ctx, cluster).flatMap((m) => istioTrustDomain(m) ?? []))));
  return domains;
}


function clusterOf(id: ResolvedIdentity): string | undefined {
  return id.kind === "anyMeshIdentity" ? undefined : id.cluster;
}

/** {@link usesTrustDomainOf} for any of the meshes (a loop: this runs per identity and destination). */
function anyUsesTrustDomainOf(meshes: readonly Mesh[], cluster: string, tds: readonly string[]): boolean {
  for (const m of meshes) if (usesTrustDomainOf(m, cluster, tds)) return true;
  return false;
}

/** True when `m` is an Istio mesh on another cluster than `cluster` that uses one of its trust domains. */
function usesTrustDomainOf(m: Mesh, cluster: string, tds: readonly string[]): boolean {
  return "istio" in m.spec && meshCluster(m) !== cluster && tds.includes(istioTrustDomain(m) ?? "");
}

/** Why an identity cannot be expressed for this destination, or nothing. */
export function checkIdentity(id: ResolvedIdentity, ctx: DestinationContext): string[] {
  const cluster = clusterOf(id);
  if (cluster === undefined) return [];
  const tds = trustDomains(ctx, cluster);
  if (tds.length > 0 && !anyUsesTrustDomainOf(ctx.trustPeers, cluster, tds)) return []; // the common case: nothing to describe
  const what = describeIdentity(id);
  if (tds.length === 0) {
    const onCluster = ctx.discovery.meshes.filter((m) => meshCluster(m) === cluster);
    const linkerd = onCluster.find((m) => "linkerd" in m.spec);
    const istio = onCluster.find((m) => "istio" in m.spec);
    if (linkerd && !istio) {
      return [
        `${what}: cluster ${cluster} runs Linkerd (${linkerd.metadata.name}); Istio cannot verify Linkerd identities (cross-mesh mTLS between Istio and Linkerd is not supported, traffic must cross a gateway), so the rule is left out (access is not widened)`,
      ];
    }
    if (istio) {
      return [
        `${what}: the Istio mesh ${istio.metadata.name} on cluster ${cluster} does not share trust with the destination's mesh ${ctx.mesh.metadata.name}, so its trust domain cannot be verified; group both meshes in a VirtualMesh. The rule is left out (access is not widened)`,
      ];
    }
    return [`${what}: no mesh was discovered on cluster ${cluster}, so its trust domain is unknown; the rule is left out (access is not widened)`];
  }
  const shared = ctx.trustPeers.filter((m) => usesTrustDomainOf(m, cluster, tds));
  if (shared.length > 0) {
    const others = sortedUnique(shared.map((m) => `${meshCluster(m)} (trust domain ${istioTrustDomain(m) ?? ""})`));
    return [
      `${what}: the trust domain ${tds.join(", ")} of cluster ${cluster} is also used on ${others.join(", ")}; an Istio principal cannot tell these clusters apart, so it would also admit their workloads — wider than intended. Give each cluster its own trust domain; the rule is left out (access is not widened)`,
    ];
  }
  return [];
}

/**
 * The sources for a list of identities: principals in one `from` entry, namespaces in another (fields inside one
 * source are AND-ed, `from` entries OR-ed). Call only when {@link checkIdentity} found nothing.
 */
export function renderSources(ids: readonly ResolvedIdentity[], ctx: DestinationContext): { source: AuthorizationSource }[] {
  const principals: string[] = [];
  const namespaces: string[] = [];
  for (const id of ids) {
    switch (id.kind) {
      case "anyMeshIdentity":
        principals.push("*");
        break;
      case "cluster":
        for (const td of trustDomains(ctx, id.cluster)) principals.push(`${td}/ns/*`);
        break;
      case "namespace":
        if (id.cluster === undefined) namespaces.push(id.namespace);
        else for (const td of trustDomains(ctx, id.cluster)) principals.push(`${td}/ns/${id.namespace}/sa/*`);
        break;
      case "serviceAccount":
        for (const td of trustDomains(ctx, id.cluster)) principals.push(`${td}/ns/${id.namespace}/sa/${id.name}`);
        break;
    }
  }
  const from: { source: AuthorizationSource }[] = [];
  if (principals.length > 0) from.push({ source: { principals: sortedUnique(principals) } });
  if (namespaces.length > 0) from.push({ source: { namespaces: sortedUnique(namespaces) } });
  return exactly(from);
}
