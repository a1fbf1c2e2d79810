import type { Mesh, MeshService } from "../../model/discovery.js";
import type { ResolvedBackend } from "../../features/types.js";
import type { PolicyRef } from "../../resolve/order.js";
import { ownedMetadata, serviceFqdn } from "../metadata.js";
import type { DestinationContext } from "../types.js";

/** Default suffix of federated hostnames (`<svc>.<ns>.svc.<cluster>.global`), as in Gloo Mesh. */
export const DEFAULT_FEDERATION_SUFFIX = "global";

/** `<svc>.<ns>.svc.<cluster>.<suffix>`: the hostname a service is federated under (Gloo Mesh's scheme). */
export function federatedHostname(ref: { name: string; namespace: string; clusterName: string }, suffix = DEFAULT_FEDERATION_SUFFIX): string {
  return `${ref.name}.${ref.namespace}.svc.${ref.clusterName}.${suffix}`;
}

/**
 * The cluster whose proxies get the config: the destination's own cluster, or the client's cluster when the config
 * is a federated copy.
 */
export function destinationCluster(ctx: DestinationContext): string {
  return ctx.federatedCopy?.clientCluster.metadata.name ?? ctx.service.spec.kubeService.ref.clusterName;
}

/** The mesh whose proxies get the config (its version picks the API versions). */
export function translationMesh(ctx: DestinationContext): Mesh {
  return ctx.federatedCopy?.clientMesh ?? ctx.mesh;
}

/** The host the config is for: `<svc>.<ns>.svc.<clusterDomain>` of the destination, or its federated hostname in a copy. */
export function destinationFqdn(ctx: DestinationContext): string {
  if (ctx.federatedCopy) return ctx.federatedCopy.host;
  const ref = ctx.service.spec.kubeService.ref;
  return serviceFqdn(ref.name, ref.namespace, ctx.cluster.spec.clusterDomain);
}

/**
 * Metadata of a VirtualService / DestinationRule: named after the service in its namespace, or — for a federated
 * copy — `<svc>-<ns>-<cluster>` in the client's Istio namespace, also naming the VirtualMesh among its sources.
 */
export function configMetadata(ctx: DestinationContext, sources: readonly PolicyRef[], annotations: Record<string, string>): ReturnType<typeof ownedMetadata> {
  const copy = ctx.federatedCopy;
  const ref = ctx.service.spec.kubeService.ref;
  if (!copy) return ownedMetadata(ref.name, ref.namespace, sources, { annotations });
  return ownedMetadata(copy.name, copy.namespace, [...sources, copy.virtualMesh], { annotations });
}

/**
 * The host a route uses for a traffic-shift or mirror target: its local FQDN when it is on the cluster whose proxies
 * get the config, else its federated hostname `<svc>.<ns>.svc.<targetCluster>.<suffix>` (valid only when
 * {@link checkBackend} passed).
 */
export function backendHost(b: ResolvedBackend, ctx: DestinationContext): string {
  const ref = b.service.spec.kubeService.ref;
  if (ref.clusterName === destinationCluster(ctx)) return serviceFqdn(ref.name, ref.namespace, (ctx.federatedCopy?.clientCluster ?? ctx.cluster).spec.clusterDomain);
  return federatedHostname(ref, ctx.virtualMesh?.spec.federation?.hostnameSuffix);
}

function meshOfService(b: ResolvedBackend, ctx: DestinationContext): Mesh | undefined {
  const m = b.service.spec.mesh;
  return ctx.discovery.meshes.find((x) => x.metadata.name === m.name && (x.metadata.namespace ?? ctx.discovery.managementNamespace) === m.namespace);
}

/**
 * The Istio-specific errors for a traffic-shift or mirror target (`what` = `traffic-shift` / `mirror`):
 * - a target on another cluster needs its mesh to share trust with the destination's mesh (same VirtualMesh), the
 *   VirtualMesh to federate, and the target to be federated to the mesh whose proxies get the route (a ServiceEntry
 *   for its federated host exists there), otherwise no proxy can resolve or reach the federated host;
 * - a target in a Linkerd mesh cannot be reached over Istio mTLS at all;
 * - a subset of a service on another cluster must be told apart behind that cluster's east-west gateway: the gateway
 *   selects the subset's pods through a ServiceEntry `workloadSelector`, whose ports need numeric target ports.
 *   (The subset itself is defined in the client's DestinationRule copy of the federated host.)
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
    } else {
      const unreachable = ctx.federation?.unreachable(b.key, translationMesh(ctx));
      if (unreachable !== undefined) {
        errors.push(`${what}: ${b.key} on cluster ${there} is not federated to the mesh ${translationMesh(ctx).metadata.name} of cluster ${here}, so its federated host ${backendHost(b, ctx)} does not exist there: ${unreachable}`);
      } else if (b.subset && Object.keys(b.subset).length > 0) {
        const problem = gatewaySubsetProblem(b.service);
        if (problem) {
          errors.push(
            `${what}: subset ${Object.entries(b.subset)
              .map(([k, v]) => `${k}=${v}`)
              .join(",")} of ${b.key} cannot be reached from cluster ${here}: the east-west gateway of cluster ${there} picks a subset's pods through a ServiceEntry workloadSelector, and ${problem}; target the whole service`,
          );
        }
      }
    }
  }
  return errors;
}

/**
 * Why the east-west gateway of a service's cluster cannot tell its subsets apart, or undefined. The gateway reaches
 * the pods of a subset through a ServiceEntry `workloadSelector`, which needs the service's pod selector and numeric
 * target ports (a ServiceEntry cannot resolve a named container port).
 */
export function gatewaySubsetProblem(service: MeshService): string | undefined {
  const ks = service.spec.kubeService;
  if (Object.keys(ks.workloadSelectorLabels).length === 0) return `the Service ${ks.ref.namespace}/${ks.ref.name} has no pod selector`;
  const named = ks.ports.filter((p) => typeof p.targetPort === "string" && !/^\d+$/.test(p.targetPort));
  if (named.length === 0) return undefined;
  return `service port${named.length > 1 ? "s" : ""} ${named.map((p) => `${p.port} → ${JSON.stringify(p.targetPort)}`).join(", ")} of ${ks.ref.namespace}/${ks.ref.name} target${named.length > 1 ? "" : "s"} a named container port, which a ServiceEntry cannot resolve; give the Service numeric targetPorts`;
}
