/**
 * VirtualMesh federation and global access control (issue #6), in two steps the pipeline calls:
 *
 * 1. {@link decideFederation} (before pass 1): which service is federated to which mesh, and why not where not —
 *    reported in the VirtualMesh statuses. The result doubles as the translators' `ctx.federation` lookup, so a
 *    traffic shift or mirror to a service on another cluster is only accepted when federation creates the host
 *    (Istio ServiceEntry) or mirror (Linkerd) it routes to.
 * 2. {@link renderFederation} (after pass 2): the per-mesh objects (Istio Gateway and ServiceEntries, Linkerd export
 *    label patches and Links, global access control), the federated VirtualService/DestinationRule copies of Istio
 *    destinations, and the {@link FederationPlan}.
 *
 * VirtualMesh statuses: a mesh is INVALID when something it needs is missing (a gateway, a supported version); an
 * ACCEPTED mesh may carry entries that start with `not federated:` (services that cannot be federated, e.g. between
 * Istio and Linkerd, with why and what would work) or `note:` (what to know: restarts, mirrors nobody configures).
 * Those do not make the VirtualMesh INVALID: everything else it federates still is.
 */
import { compareStrings } from "../codec/canonical.js";
import type { KubernetesCluster, MeshWorkload } from "../model/discovery.js";
import type { TrafficPolicy } from "../model/networking.js";
import { policyKey, type ServiceIndex } from "../resolve/selectors.js";
import type { StatusCollector } from "../resolve/status.js";
import { federatedHostname } from "../translate/istio/hosts.js";
import type { ReferencedSubset } from "../translate/types.js";
import { renderGlobalAccess } from "./access.js";
import { renderFederatedCopies, type RenderedDestination } from "./copies.js";
import type { FederationDecisions, VirtualMeshDecisions } from "./decide.js";
import { renderIstioFederation, type RenderedObject } from "./istio.js";
import { mirrorName, renderLinkerdFederation } from "./linkerd.js";
import { FEDERATION_API_VERSION, type FederatedService, type FederationPlan, type VirtualMeshFederationPlan } from "./types.js";
import { federatedVirtualIp } from "./virtual-ip.js";

export { decideFederation, type FederationDecisions } from "./decide.js";
export type { RenderedDestination } from "./copies.js";
export type { RenderedObject } from "./istio.js";
export * from "./types.js";

export interface FederationRenderInput {
  /** Every destination pass 2 rendered, with its context and translator. */
  readonly destinations: readonly RenderedDestination[];
  /** TrafficPolicies selecting a destination, in precedence order. */
  readonly policiesOf: (serviceKey: string) => readonly TrafficPolicy[];
  readonly referencedSubsetsOf: (serviceKey: string) => readonly ReferencedSubset[];
  readonly clusterOf: (name: string) => KubernetesCluster;
  readonly workloads: readonly MeshWorkload[];
  readonly index: ServiceIndex;
  readonly statuses: StatusCollector;
}

function servicesOf(d: VirtualMeshDecisions): FederatedService[] {
  const byKey = new Map<string, { mesh: string; clients: FederatedService["clients"][number][] }>();
  for (const e of d.exports) {
    const ref = e.service.spec.kubeService.ref;
    let entry = byKey.get(e.key);
    if (!entry) byKey.set(e.key, (entry = { mesh: e.server.statusKey, clients: [] }));
    entry.clients.push(
      e.server.type === "istio"
        ? { mesh: e.client.statusKey, cluster: e.client.cluster, reachedAs: federatedHostname(ref, d.suffix), virtualIp: federatedVirtualIp(ref.name, ref.namespace, ref.clusterName) }
        : { mesh: e.client.statusKey, cluster: e.client.cluster, reachedAs: mirrorName(e) },
    );
  }
  return [...byKey.keys()].sort(compareStrings).map((service) => {
    const { mesh, clients } = byKey.get(service)!;
    return { service, mesh, clients: clients.sort((a, b) => compareStrings(a.cluster, b.cluster) || compareStrings(a.mesh, b.mesh)) };
  });
}

/** Federation and global access control objects for every VirtualMesh, the federated copies, and the plan. */
export function renderFederation(decisions: FederationDecisions, input: FederationRenderInput): { objects: RenderedObject[]; plan: FederationPlan | null } {
  const objects: RenderedObject[] = [];
  const plans: VirtualMeshFederationPlan[] = [];
  const clusterDomainOf = (c: string): string => input.clusterOf(c).spec.clusterDomain;
  for (const d of decisions.virtualMeshes) {
    const access = renderGlobalAccess(d, input.workloads, input.statuses);
    objects.push(...access.objects);
    if (!d.federates && access.objects.length === 0) continue;
    objects.push(...renderIstioFederation(d, { clusterDomainOf, referencedSubsetsOf: input.referencedSubsetsOf }));
    const linkerd = renderLinkerdFederation(d, input.statuses);
    objects.push(...linkerd.objects);
    plans.push({
      virtualMesh: policyKey(d.ref),
      hostnameSuffix: d.suffix,
      flatNetwork: d.flat,
      globalAccessPolicy: d.vm.spec.globalAccessPolicy ?? "MESH_DEFAULT",
      services: servicesOf(d),
      secrets: linkerd.secrets.sort((a, b) => compareStrings(a.cluster, b.cluster) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name)),
      restarts: access.restarts
        .sort((a, b) => compareStrings(a.cluster, b.cluster) || compareStrings(a.target.namespace ?? "", b.target.namespace ?? ""))
        .map((step, i) => ({ order: i + 1, ...step })),
    });
  }
  objects.push(...renderFederatedCopies(decisions, input));
  plans.sort((a, b) => compareStrings(a.virtualMesh, b.virtualMesh));
  return { objects, plan: plans.length > 0 ? { apiVersion: FEDERATION_API_VERSION, kind: "FederationPlan", virtualMeshes: plans } : null };
}
