import { compareStrings } from "../../codec/canonical.js";
import type { ForeignConfig } from "../../discovery/types.js";
import type { DestinationContext } from "../types.js";
import { destinationCluster, destinationFqdn } from "./hosts.js";

const CLASHING_KINDS = new Set(["VirtualService", "DestinationRule"]);

/**
 * The host spellings that name the destination from a hand-written object: the FQDN, and — if discovery left them
 * unexpanded — `<svc>.<ns>.svc`, `<svc>.<ns>`, and the bare `<svc>`, which Istio resolves relative to the
 * *object's* namespace (so it only names this service from the service's namespace).
 *
 * Wildcard hosts (`*.local`, `*.ns.svc.cluster.local`) are not clashes: Istio prefers the exact host, and mesh-wide
 * wildcard DestinationRules (e.g. a `*.local` TLS default) are common and not about this service.
 */
function namesDestination(f: ForeignConfig, ctx: DestinationContext): boolean {
  const ref = ctx.service.spec.kubeService.ref;
  const fqdn = destinationFqdn(ctx).toLowerCase();
  const forms = new Set([fqdn, `${ref.name}.${ref.namespace}.svc`, `${ref.name}.${ref.namespace}`]);
  return f.hosts.some((h) => {
    const host = h.toLowerCase();
    return forms.has(host) || (host === ref.name && f.namespace === ref.namespace);
  });
}

/** Hand-written VirtualServices and DestinationRules for the destination's host on its cluster, sorted. */
export function findClashes(ctx: DestinationContext): ForeignConfig[] {
  const cluster = destinationCluster(ctx);
  return ctx.discovery.foreignConfig
    .filter((f) => f.cluster === cluster && CLASHING_KINDS.has(f.kind) && f.apiVersion.startsWith("networking.istio.io/") && namesDestination(f, ctx))
    .sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
}

/** The INVALID message for every TrafficPolicy that applies to a clashing host. */
export function clashMessage(clashes: readonly ForeignConfig[], ctx: DestinationContext): string {
  const names = clashes.map((f) => `${f.kind} ${f.namespace}/${f.name}`).join(", ");
  return (
    `host ${destinationFqdn(ctx)} on cluster ${destinationCluster(ctx)} is already configured by ${names}, which meshhub does not manage; ` +
    `Istio does not merge VirtualServices on sidecars and keeps only one DestinationRule traffic policy per host, so meshhub emits no VirtualService or DestinationRule for this host: ` +
    `remove or migrate the existing object, or set allowCoexisting to emit anyway`
  );
}
