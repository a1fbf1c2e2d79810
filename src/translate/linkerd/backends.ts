/**
 * Traffic-shift targets as Linkerd backends. Linkerd routes only to Services, so:
 *
 * - a label subset becomes the *per-subset Service*: a Service in the target's namespace (and cluster) whose
 *   selector is exactly the target's selector plus the subset labels (`reviews-v2` = `{app: reviews, version: v2}`);
 *   without one the shift is an error — Linkerd has no label subsets;
 * - a service on another cluster becomes its multicluster mirror `<svc>-<cluster>` in the same namespace (service
 *   mirroring, gateway or flat mode), valid only when the target's Linkerd mesh shares the destination's
 *   VirtualMesh, that VirtualMesh federates, and the Service the proxy sends to (the target or its per-subset
 *   Service) is exported to the destination's mesh by that federation (src/federation).
 */
import { compareStrings } from "../../codec/canonical.js";
import type { ResolvedShiftDestination } from "../../features/types.js";
import type { Mesh, MeshService } from "../../model/discovery.js";
import { DNS1123_LABEL } from "../../model/common.js";
import { serviceKey } from "../../resolve/selectors.js";
import type { DestinationContext } from "../types.js";
import type { LinkerdFlavour } from "./version.js";

export interface LinkerdBackend {
  /** Service name the proxy sends to (the target, its per-subset Service or its mirror). */
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly weight: number;
  /** `name.namespace.cluster` of the target as written in the policy. */
  readonly targetKey: string;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function describeLabels(labels: Readonly<Record<string, string>>): string {
  return `{${Object.keys(labels)
    .sort(compareStrings)
    .map((k) => `${k}: ${labels[k] ?? ""}`)
    .join(", ")}}`;
}

/** The per-subset Service for `subset` of `target`, if discovery has one (the target itself when it already is). */
export function perSubsetService(target: MeshService, subset: Readonly<Record<string, string>>, ctx: DestinationContext): MeshService | undefined {
  const ref = target.spec.kubeService.ref;
  const want = { ...target.spec.kubeService.workloadSelectorLabels, ...subset };
  if (sameLabels(target.spec.kubeService.workloadSelectorLabels, want)) return target;
  return ctx.index.selectingExactly(ref.clusterName, ref.namespace, want).find((s) => s !== target);
}

function meshKey(m: { name: string; namespace?: string }): string {
  return `${m.namespace ?? ""}/${m.name}`;
}

function meshOfService(s: MeshService, ctx: DestinationContext): Mesh | undefined {
  return ctx.discovery.meshes.find((m) => meshKey(m.metadata) === meshKey(s.spec.mesh));
}

/** Why the destination cannot reach `target` on another cluster through a Linkerd mirror, or nothing. */
export function crossClusterProblem(target: MeshService, ctx: DestinationContext): string | undefined {
  const targetMesh = meshOfService(target, ctx);
  const tc = target.spec.kubeService.ref.clusterName;
  if (!targetMesh) return `no mesh was discovered for cluster ${tc}`;
  if (!("linkerd" in targetMesh.spec)) return `cluster ${tc} runs Istio (${targetMesh.metadata.name}), and Linkerd cannot mirror or send mTLS traffic to Istio workloads (cross-mesh mTLS is not supported)`;
  if (!ctx.trustPeers.some((m) => meshKey(m.metadata) === meshKey(targetMesh.metadata))) {
    return `the Linkerd mesh ${targetMesh.metadata.name} of cluster ${tc} is not in the destination's VirtualMesh${ctx.virtualMesh ? ` ${ctx.virtualMesh.metadata.namespace ?? ""}/${ctx.virtualMesh.metadata.name}` : " (the destination's mesh is in none)"}, so the clusters share no trust anchor`;
  }
  if (!ctx.virtualMesh?.spec.federation) return `the VirtualMesh ${ctx.virtualMesh?.metadata.namespace ?? ""}/${ctx.virtualMesh?.metadata.name ?? ""} does not enable federation, so no mirror services are created`;
  const unreachable = ctx.federation?.unreachable(serviceKey(target.spec.kubeService.ref), ctx.mesh);
  if (unreachable !== undefined) return `${serviceKey(target.spec.kubeService.ref)} is not exported to the Linkerd mesh ${ctx.mesh.metadata.name}, so no mirror is created for it: ${unreachable}`;
  return undefined;
}

/** Resolves one traffic-shift destination to the Service Linkerd should send to. */
export function resolveShiftBackend(d: ResolvedShiftDestination, ctx: DestinationContext, flavour: LinkerdFlavour): { value: LinkerdBackend } | { error: string } {
  const tRef = d.service.spec.kubeService.ref;
  const destCluster = ctx.service.spec.kubeService.ref.clusterName;
  let chosen = d.service;
  if (d.subset && Object.keys(d.subset).length > 0) {
    const sub = perSubsetService(d.service, d.subset, ctx);
    if (!sub) {
      const want = { ...d.service.spec.kubeService.workloadSelectorLabels, ...d.subset };
      return {
        error: `traffic-shift to subset ${describeLabels(d.subset)} of ${d.key} is not supported by ${flavour.label}: Linkerd has no label subsets; a per-subset Service is required — create a Service in namespace ${tRef.namespace} on cluster ${tRef.clusterName} selecting ${describeLabels(want)} (meshhub then routes to it), or shift to an existing per-version Service`,
      };
    }
    chosen = sub;
  }
  const chosenRef = chosen.spec.kubeService.ref;
  if (d.port === undefined) return { error: `traffic-shift target ${d.key} has no ports, and a Linkerd backend needs one` };
  if (chosen !== d.service && !chosen.spec.kubeService.ports.some((p) => p.port === d.port)) {
    return { error: `traffic-shift to subset ${describeLabels(d.subset ?? {})} of ${d.key}: the per-subset Service ${chosenRef.namespace}/${chosenRef.name} has no port ${d.port}; give it the same ports as ${tRef.name}` };
  }
  let name = chosenRef.name;
  if (tRef.clusterName !== destCluster) {
    const mirror = `${chosenRef.name}-${tRef.clusterName}`;
    const problem = crossClusterProblem(d.service, ctx) ?? (chosen !== d.service ? crossClusterProblem(chosen, ctx) : undefined);
    if (problem) {
      return {
        error: `traffic-shift from ${ctx.key} (cluster ${destCluster}) to ${d.key} (cluster ${tRef.clusterName}) is not supported by ${flavour.label} here: ${problem}; Linkerd reaches a service on another cluster through its multicluster mirror ${tRef.namespace}/${mirror}, which needs both clusters' Linkerd meshes in one VirtualMesh with federation`,
      };
    }
    if (mirror.length > 63 || !DNS1123_LABEL.test(mirror)) {
      return { error: `traffic-shift to ${d.key}: the Linkerd mirror service name ${JSON.stringify(mirror)} is not a valid Service name (DNS-1123 label, at most 63 characters); shorten the service or cluster name` };
    }
    name = mirror;
  }
  return { value: { name, namespace: tRef.namespace, port: d.port, weight: d.weight, targetKey: d.key } };
}

/** Weights as Linkerd accepts them (integers ≤ 1,000,000): scaled proportionally only when some weight is larger. */
export function normaliseWeights(weights: readonly number[]): number[] {
  const max = Math.max(0, ...weights);
  if (max <= 1_000_000) return [...weights];
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.round((w * 1_000_000) / sum));
}
