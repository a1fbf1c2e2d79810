import type { Mesh } from "../../model/discovery.js";
import type { ResolvedBackend } from "../../features/types.js";
import { serviceFqdn } from "../metadata.js";
import type { DestinationContext } from "../types.js";

/** Default suffix of federated hostnames (`<svc>.<ns>.svc.<cluster>.global`), as in Gloo Mesh. */
export const DEFAULT_FEDERATION_SUFFIX = "global";

/** The cluster the destination lives on (and whose proxies get the config). */
export function destinationCluster(ctx: DestinationContext): string {
  return ctx.service.spec.kubeService.ref.clusterName;
}

/** `<svc>.<ns>.svc.<clusterDomain>` of the destination itself. */
export function destinationFqdn(ctx: DestinationContext): string {
  const ref = ctx.service.spec.kubeService.ref;
  return serviceFqdn(ref.name, ref.namespace, ctx.cluster.spec.clusterDomain);
}

/**
 * The host a route uses for a traffic-shift or mirror target: its local FQDN when it is on the destination's cluster,
 * else its federated hostname `<svc>.<ns>.svc.<targetCluster>.<suffix>` (valid only when {@link checkBackend} passed).
 */
export function backendHost(b: ResolvedBackend, ctx: DestinationContext): string {
  const ref = b.service.spec.kubeService.ref;
  if (ref.clusterName === destinationCluster(ctx)) return serviceFqdn(ref.name, ref.namespace, ctx.cluster.spec.clusterDomain);
  const suffix = ctx.virtualMesh?.spec.federation?.hostnameSuffix ?? DEFAULT_FEDERATION_SUFFIX;
  return `${ref.name}.${ref.namespace}.svc.${ref.clusterName}.${suffix}`;
}

function meshOfService(b: ResolvedBackend, ctx: DestinationContext): Mesh | undefined {
  const m = b.service.spec.mesh;
  return ctx.discovery.meshes.find((x) => x.metadata.name === m.name && (x.metadata.namespace ?? ctx.discovery.managementNamespace) === m.namespace);
}

/**
 * The Istio-specific errors for a traffic-shift or mirror target (`what` = `traffic-shift` / `mirror`):
 * - a target on another cluster needs its mesh to share trust with the destination's mesh (same VirtualMesh) and
 *   the VirtualMesh to federate, otherwise no proxy can resolve or reach the federated host;
 * - a target in a Linkerd mesh cannot be reached over Istio mTLS at all;
 * - a subset of a service on another cluster: the federated host's DestinationRule copy does not carry subsets yet,
 *   so the route would point at a subset nobody defines and Istio would answer 503. Refused rather than emitted
 *   broken. (Subsets of other services on the same cluster are defined by that service's DestinationRule.)
 */
export function checkBackend(what: string, b: ResolvedBackend, ctx: DestinationContext): string[] {
  const errors: string[] = [];
  const here = destinationCluster(ctx);
  const there = b.service.spec.kubeService.ref.clusterName;
  const targetMesh = meshOfService(b, ctx);
  if (targetMesh && "linkerd" in targetMesh.spec) {
    errors.push(
      `${what}: ${b.key} is in the Linkerd mesh ${targetMesh.metadata.name}; Istio sidecars cannot send mTLS traffic that Linkerd proxies accept (cross-mesh mTLS between Istio and Linkerd is not supported), so traffic must cross a gateway`,
    );
  } else if (there !== here) {
    const peer = targetMesh !== undefined && ctx.trustPeers.some((m) => m.metadata.name === targetMesh.metadata.name && m.metadata.namespace === targetMesh.metadata.namespace);
    if (!peer || !ctx.virtualMesh?.spec.federation) {
      const why = !peer
        ? `the mesh of cluster ${there}${targetMesh ? ` (${targetMesh.metadata.name})` : ""} does not share a VirtualMesh with the destination's mesh ${ctx.mesh.metadata.name}`
        : `the VirtualMesh ${ctx.virtualMesh?.metadata.namespace ?? ""}/${ctx.virtualMesh?.metadata.name ?? ""} does not set federation`;
      errors.push(
        `${what}: ${b.key} is on cluster ${there} but the destination ${ctx.key} is on cluster ${here}, and ${why}; Istio proxies on ${here} can only reach it through a federated host: group the meshes of clusters ${here} and ${there} in a VirtualMesh with federation set`,
      );
    }
  }
  if (b.subset && Object.keys(b.subset).length > 0 && there !== here) {
    errors.push(
      `${what}: subset ${Object.entries(b.subset)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")} of ${b.key} cannot be used from cluster ${here}: subsets of a federated service are not defined on client clusters yet, and a route to an undefined subset fails with 503; target the whole service on ${there}, or a subset of a service on ${here}`,
    );
  }
  return errors;
}
