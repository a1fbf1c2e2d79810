/**
 * Hand-written Linkerd routing config for a Service that meshhub would configure too. Linkerd silently prefers
 * some of it over meshhub's output, so it is a clash, reported on every affected TrafficPolicy (INVALID, naming
 * the existing object) while nothing is emitted for the Service's routing — unless `allowCoexisting`:
 *
 * - a ServiceProfile for the Service's FQDN overrides outbound HTTPRoutes, retry/timeout annotations and
 *   failure-accrual annotations (mesh-semantics "ServiceProfile wins");
 * - a foreign HTTPRoute/GRPCRoute whose parentRefs name the Service competes with meshhub's rules;
 * - a foreign SMI TrafficSplit for the Service makes linkerd-smi write a ServiceProfile (see above), or competes
 *   with meshhub's own TrafficSplit on 2.10–2.15.
 */
import type { ForeignConfig } from "../../discovery/types.js";
import { serviceFqdn } from "../metadata.js";
import type { DestinationContext } from "../types.js";

const LINKERD_ROUTING_GROUPS = new Set(["linkerd.io", "policy.linkerd.io", "gateway.networking.k8s.io", "split.smi-spec.io"]);
const LINKERD_ROUTING_KINDS = new Set(["ServiceProfile", "HTTPRoute", "GRPCRoute", "TrafficSplit"]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** The FQDNs Linkerd may know the destination by (mesh and cluster domains can differ; both are checked). */
function fqdns(ctx: DestinationContext): string[] {
  const ref = ctx.service.spec.kubeService.ref;
  const domains = new Set([ctx.cluster.spec.clusterDomain, "linkerd" in ctx.mesh.spec ? ctx.mesh.spec.linkerd.clusterDomain : ctx.cluster.spec.clusterDomain]);
  return [...domains].map((d) => serviceFqdn(ref.name, ref.namespace, d).toLowerCase());
}

/** Foreign Linkerd routing objects on the destination's cluster that configure the destination Service. */
export function findClashes(ctx: DestinationContext): ForeignConfig[] {
  const ref = ctx.service.spec.kubeService.ref;
  const hosts = fqdns(ctx);
  return ctx.discovery.foreignConfig.filter(
    (f) =>
      f.cluster === ref.clusterName &&
      LINKERD_ROUTING_KINDS.has(f.kind) &&
      LINKERD_ROUTING_GROUPS.has(groupOf(f.apiVersion)) &&
      (f.hosts.some((h) => hosts.includes(h.toLowerCase())) || f.services.some((s) => s.name === ref.name && s.namespace === ref.namespace)),
  );
}

function why(f: ForeignConfig): string {
  switch (f.kind) {
    case "ServiceProfile":
      return "a ServiceProfile overrides Linkerd outbound HTTPRoutes, retry/timeout annotations and failure accrual for the Service, so meshhub's config would be silently ignored";
    case "TrafficSplit":
      return "linkerd-smi turns a TrafficSplit into a ServiceProfile, which overrides meshhub's routes, and two splits for one Service fight each other";
    default:
      return "Linkerd would merge its rules with meshhub's by Gateway API precedence, so the result would be neither the policy's nor the hand-written route's";
  }
}

/** The INVALID message for a clash. */
export function clashMessage(f: ForeignConfig, ctx: DestinationContext): string {
  const ref = ctx.service.spec.kubeService.ref;
  return `${f.kind} ${f.namespace}/${f.name} (${f.apiVersion}, not managed by meshhub) already configures Service ${ref.namespace}/${ref.name} on cluster ${f.cluster}: ${why(f)}; meshhub emits nothing for this Service's routing — delete or migrate that object, or set the translate option allowCoexisting to emit anyway`;
}
