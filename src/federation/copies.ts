/**
 * Federated copies: the VirtualService / DestinationRule of an Istio destination, rendered again for every Istio
 * client mesh it is federated to, so TrafficPolicies apply to remote callers too (as Gloo Mesh did). A copy is the
 * same translation as the local config, but as seen from the client's cluster: policies whose source clusters
 * exclude the client add nothing, targets on the client's cluster are local hosts, the host is the federated
 * hostname, and it is named `<svc>-<ns>-<cluster>` in the client's Istio namespace. The DestinationRule copy defines
 * every referenced subset of the service, so client routes to a subset of a federated service resolve.
 *
 * A copy only carries the policies ACCEPTED for the destination by its own translation (a policy that is INVALID or
 * lost a CONFLICT there contributes nothing anywhere). What a copy cannot carry (e.g. a shift to a service that is
 * not federated to that client) makes the policy INVALID for the destination, the message naming the client cluster
 * it concerns — the local config keeps it.
 *
 * Linkerd has no copies: remote callers call the mirror `<svc>-<cluster>`, which meshhub does not configure yet —
 * the VirtualMesh status says so for every Linkerd destination with TrafficPolicies and remote clients.
 */
import { compareStrings } from "../codec/canonical.js";
import type { KubernetesCluster } from "../model/discovery.js";
import type { TrafficPolicy } from "../model/networking.js";
import { refOf } from "../resolve/order.js";
import type { ServiceIndex } from "../resolve/selectors.js";
import type { StatusCollector } from "../resolve/status.js";
import { resolveTraffic } from "../resolve/traffic.js";
import { federatedHostname } from "../translate/istio/hosts.js";
import type { DestinationContext, MeshTranslator, ResolvedDestination } from "../translate/types.js";
import { describeMember, type FederationDecisions } from "./decide.js";
import { federatedConfigName, istioNamespaceOf, type RenderedObject } from "./istio.js";
import { mirrorName } from "./linkerd.js";

/** A destination as pass 2 of the pipeline rendered it. */
export interface RenderedDestination {
  readonly ctx: DestinationContext;
  readonly translator: MeshTranslator;
  readonly dest: ResolvedDestination;
}

export interface CopyInput {
  readonly destinations: readonly RenderedDestination[];
  /** The TrafficPolicies selecting a destination, in precedence order. */
  readonly policiesOf: (serviceKey: string) => readonly TrafficPolicy[];
  readonly clusterOf: (name: string) => KubernetesCluster;
  readonly index: ServiceIndex;
  readonly statuses: StatusCollector;
}


/** The federated copies of every Istio destination, and notes for Linkerd destinations whose policies stay local. */
export function renderFederatedCopies(decisions: FederationDecisions, input: CopyInput): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const d of input.destinations) {
    const exports = decisions.exportsOf(d.dest.key);
    if (exports.length === 0) continue;
    if ("linkerd" in d.dest.mesh.spec) {
      if (d.dest.traffic.applied.length === 0) continue;
      const e0 = exports[0]!;
      const vm = decisions.virtualMeshes.find((v) => v.members.includes(e0.server));
      if (!vm) continue;
      input.statuses.report(
        vm.ref,
        e0.server.statusKey,
        "ACCEPTED",
        `note: the TrafficPolicies of ${d.dest.key} (${d.dest.traffic.applied.map((p) => `${p.namespace}/${p.name}`).join(", ")}) are applied by Linkerd proxies on cluster ${e0.server.cluster} only; ${exports.map((e) => describeMember(e.client)).join(", ")} call${exports.length === 1 ? "s" : ""} it through the mirror ${mirrorName(e0)}, which meshhub does not configure yet`,
      );
      continue;
    }
    const policies = input.policiesOf(d.dest.key).filter((p) => input.statuses.stateFor(refOf(p), d.dest.key) === "ACCEPTED");
    const ref = d.dest.service.spec.kubeService.ref;
    const { translator } = d;
    for (const e of [...exports].sort((a, b) => compareStrings(a.client.cluster, b.client.cluster) || compareStrings(a.client.key, b.client.key))) {
      const vm = decisions.virtualMeshes.find((v) => v.members.includes(e.client));
      if (!vm || e.client.type !== "istio" || !translator.translateFederatedCopy) continue;
      const ctx: DestinationContext = {
        ...d.ctx,
        federatedCopy: {
          clientMesh: e.client.mesh,
          clientCluster: input.clusterOf(e.client.cluster),
          host: federatedHostname(ref, vm.suffix),
          name: federatedConfigName(d.dest.service),
          namespace: istioNamespaceOf(e.client),
          virtualMesh: vm.ref,
        },
      };
      const resolved = resolveTraffic(
        d.dest.service,
        policies,
        input.index,
        e.client.cluster,
        (policy, actions) => translator.checkTraffic(policy, actions, ctx),
        translator.checkMerge ? (route, incoming, where) => translator.checkMerge!(route, incoming, where, ctx) : undefined,
      );
      const rendered = translator.translateFederatedCopy({ ...d.dest, traffic: resolved.resolved }, ctx);
      for (const r of [...resolved.reports, ...rendered.reports]) {
        input.statuses.report(r.policy, d.dest.key, r.state, `for clients on cluster ${e.client.cluster} (federated copy for ${describeMember(e.client)}): ${r.message}`);
      }
      for (const object of rendered.objects) out.push({ cluster: e.client.cluster, object });
    }
  }
  return out;
}
