/**
 * AccessPolicy sources as Linkerd mTLS identities (mesh-semantics §3). A Linkerd workload certificate carries one
 * DNS name, `<sa>.<ns>.serviceaccount.identity.<linkerd-namespace>.<trust-domain>`, and MeshTLSAuthentication
 * matches exact names, `*` (any authenticated client) or a `*.<suffix>` label suffix:
 *
 * | source                          | identity                                                           |
 * |---------------------------------|--------------------------------------------------------------------|
 * | any mesh identity               | `*`                                                                |
 * | cluster C                       | `*.serviceaccount.identity.<lns of C>.<td of C>`                   |
 * | namespace N (on C)              | `*.N.serviceaccount.identity.<lns>.<td>`                           |
 * | service account N/S (on C)      | `S.N.serviceaccount.identity.<lns>.<td>`                           |
 *
 * The control-plane namespace and trust domain are the *source* cluster's Linkerd mesh's. Explicit identity strings
 * (rather than `identityRefs`, which always mean the local cluster) keep local and remote sources uniform.
 *
 * FAIL CLOSED: a source that cannot be expressed exactly is an error and the whole rule is left out — never widened:
 * - its cluster has no Linkerd mesh among the trust peers (not in the VirtualMesh), or runs Istio (Linkerd cannot
 *   verify Istio identities);
 * - it is on another cluster and the VirtualMesh is not `federation.flatNetwork: true`: in gateway mode the server
 *   only sees the multicluster gateway's identity;
 * - it names a cluster whose (linkerd-namespace, trust domain) another reachable cluster shares, so the identity
 *   strings would also admit that cluster's workloads.
 * A source with no cluster means "any cluster": the reachable Linkerd clusters (this one; every trusted Linkerd
 * cluster in flat mode) — in gateway mode remote callers are not identifiable, which only narrows.
 */
import { compareStrings } from "../../codec/canonical.js";
import type { Mesh } from "../../model/discovery.js";
import { describeIdentity, type ResolvedAccessRule, type ResolvedIdentity } from "../../resolve/access.js";
import type { DestinationContext } from "../types.js";
import type { LinkerdFlavour } from "./version.js";

function clusterOfMesh(m: Mesh): string {
  return ("istio" in m.spec ? m.spec.istio : m.spec.linkerd).installation.cluster;
}

/** `linkerd.cluster.local`: the identity suffix of a Linkerd mesh (control-plane namespace + trust domain). */
function identityDomain(m: Mesh): string {
  if (!("linkerd" in m.spec)) return "";
  return `${m.spec.linkerd.installation.namespace}.${m.spec.linkerd.trustDomain}`;
}

function flat(ctx: DestinationContext): boolean {
  return ctx.virtualMesh?.spec.federation?.flatNetwork === true;
}

function localCluster(ctx: DestinationContext): string {
  return ctx.service.spec.kubeService.ref.clusterName;
}

/** The Linkerd meshes whose clients can reach the destination with their own identity. */
function reachableLinkerdPeers(ctx: DestinationContext): Mesh[] {
  const local = localCluster(ctx);
  return ctx.trustPeers.filter((m) => "linkerd" in m.spec && (flat(ctx) || clusterOfMesh(m) === local));
}


const LEFT_OUT = "the rule is left out (access is not widened)";

/** Why one source cannot be expressed for this destination, or nothing. */
export function checkIdentity(id: ResolvedIdentity, ctx: DestinationContext, flavour: LinkerdFlavour): string[] {
  if (id.kind === "anyMeshIdentity" || id.cluster === undefined) return [];
  const what = describeIdentity(id);
  const c = id.cluster;
  const peer = ctx.trustPeers.find((m) => clusterOfMesh(m) === c);
  if (!peer) {
    const onCluster = ctx.discovery.meshes.filter((m) => clusterOfMesh(m) === c);
    const istio = onCluster.find((m) => "istio" in m.spec);
    if (istio && !onCluster.some((m) => "linkerd" in m.spec)) {
      return [`${what}: cluster ${c} runs Istio (${istio.metadata.name}); Linkerd cannot verify Istio identities (cross-mesh mTLS between Istio and Linkerd is not supported, traffic must cross a gateway), so ${LEFT_OUT}`];
    }
    const peers = ctx.trustPeers.map((m) => m.metadata.name).sort(compareStrings);
    return [
      `${what}: cluster ${c} has no Linkerd mesh that shares trust with ${ctx.mesh.metadata.name} (trusted meshes: ${peers.join(", ")}), so Linkerd cannot verify identities from it; group both meshes in a VirtualMesh with shared trust — ${LEFT_OUT}`,
    ];
  }
  if (!("linkerd" in peer.spec)) {
    return [`${what}: cluster ${c} runs Istio (${peer.metadata.name}); Linkerd cannot verify Istio identities (cross-mesh mTLS between Istio and Linkerd is not supported, traffic must cross a gateway), so ${LEFT_OUT}`];
  }
  if (c !== localCluster(ctx) && !flat(ctx)) {
    return [
      `${what}: per-client authorization across clusters requires Linkerd flat (remote-discovery) mode (${flavour.label}): in gateway mode the destination on cluster ${localCluster(ctx)} only sees the multicluster gateway's identity, never the client's; set federation.flatNetwork: true on the VirtualMesh (services exported with mirror.linkerd.io/exported=remote-discovery), or authorize the callers on their own cluster — ${LEFT_OUT}`,
    ];
  }
  const domain = identityDomain(peer);
  const twins = reachableLinkerdPeers(ctx).filter((m) => clusterOfMesh(m) !== c && identityDomain(m) === domain);
  if (twins.length > 0) {
    const others = [...new Set(twins.map(clusterOfMesh))].sort(compareStrings);
    return [
      `${what}: cluster ${c} and ${others.map((o) => `cluster ${o}`).join(", ")} both issue Linkerd identities ending in .serviceaccount.identity.${domain}, so Linkerd cannot tell them apart and would also admit the other cluster's workloads — wider than intended; give each cluster its own trust domain — ${LEFT_OUT}`,
    ];
  }
  return [];
}

/**
 * Per rule, mesh and cluster: what identities depend on is the destination's mesh (its trust peers and VirtualMesh)
 * and cluster, not the destination itself, so every destination a rule selects there shares one answer. Rules are
 * made anew by every selection and every full build, so an entry never outlives what it was computed from.
 */
const IDENTITY_MEMO = new WeakMap<ResolvedAccessRule, Map<Mesh, Map<string, { problems?: string[]; identities?: string[] }>>>();

function memoFor(rule: ResolvedAccessRule, ctx: DestinationContext): { problems?: string[]; identities?: string[] } {
  let byMesh = IDENTITY_MEMO.get(rule);
  if (!byMesh) IDENTITY_MEMO.set(rule, (byMesh = new Map()));
  let byCluster = byMesh.get(ctx.mesh);
  if (!byCluster) byMesh.set(ctx.mesh, (byCluster = new Map()));
  const cluster = localCluster(ctx);
  let memo = byCluster.get(cluster);
  if (!memo) byCluster.set(cluster, (memo = {}));
  return memo;
}

/** Every problem of a rule's sources. */
export function checkIdentities(rule: ResolvedAccessRule, ctx: DestinationContext, flavour: LinkerdFlavour): readonly string[] {
  const memo = memoFor(rule, ctx);
  return (memo.problems ??= rule.sources.flatMap((id) => checkIdentity(id, ctx, flavour)));
}

function meshesFor(id: Exclude<ResolvedIdentity, { kind: "anyMeshIdentity" }>, ctx: DestinationContext): Mesh[] {
  const c = id.cluster;
  if (c === undefined) return reachableLinkerdPeers(ctx);
  return ctx.trustPeers.filter((m) => "linkerd" in m.spec && clusterOfMesh(m) === c);
}

/**
 * The MeshTLSAuthentication identities of a rule (sorted, unique; shared between the destinations of a mesh and
 * cluster, so callers copy before emitting). Call only when {@link checkIdentities} is clean.
 */
export function renderIdentities(rule: ResolvedAccessRule, ctx: DestinationContext): readonly string[] {
  const memo = memoFor(rule, ctx);
  return (memo.identities ??= identitiesOf(rule, ctx));
}

function identitiesOf(rule: ResolvedAccessRule, ctx: DestinationContext): string[] {
  const out = new Set<string>();
  for (const id of rule.sources) {
    if (id.kind === "anyMeshIdentity") {
      out.add("*");
      continue;
    }
    for (const m of meshesFor(id, ctx)) {
      const domain = identityDomain(m);
      if (id.kind === "cluster") out.add(`*.serviceaccount.identity.${domain}`);
      else if (id.kind === "namespace") out.add(`*.${id.namespace}.serviceaccount.identity.${domain}`);
      else out.add(`${id.name}.${id.namespace}.serviceaccount.identity.${domain}`);
    }
  }
  if (out.has("*")) return ["*"];
  return [...out].sort(compareStrings);
}
