/**
 * Linkerd federation (mesh-semantics §1.16) for the exports decide.ts accepted:
 *
 * - every exported Service gets the export label as a server-side-apply patch of the user's Service (only that label;
 *   never the owner label): `mirror.linkerd.io/exported: "true"` (through the multicluster gateway) or
 *   `remote-discovery` with `federation.flatNetwork: true` (pod to pod);
 * - every (client cluster, target cluster) pair with an export gets a `Link` on the client, in the Link version the
 *   client's Linkerd serves (v1alpha3 from 2.18, v1alpha2 on 2.17, v1alpha1 on 2.14–2.16), named after the target
 *   cluster like `linkerd multicluster link --cluster-name` does, so mirrors are `<svc>-<target cluster>`;
 * - the Link's `clusterCredentialsSecret` (a kubeconfig for the target's service-mirror service account) holds
 *   another cluster's credentials: it is named on the Link (annotation `meshhub.io/cluster-credentials`) and listed
 *   in the federation plan's `secrets`, and the cluster adapter creates it — never the pure core.
 *
 * Linkerd's export label is not per client: a Service exported to one cluster is mirrored by every cluster linked to
 * its cluster. When `federation.selectors` keep it from some of those, the VirtualMesh status says so (`note:`).
 */
import { compareStrings } from "../codec/canonical.js";
import { LINKERD_MULTICLUSTER_NAMESPACE } from "../discovery/linkerd.js";
import { parseLinkerdVersion } from "../discovery/versions.js";
import type { Mesh } from "../model/discovery.js";
import { renderMetadataPatch } from "../translate/linkerd/service-patch.js";
import { ownedMetadata } from "../translate/metadata.js";
import type { StatusCollector } from "../resolve/status.js";
import { describeMember, LINKERD_EXPORT_LABEL, type Export, type Member, type VirtualMeshDecisions } from "./decide.js";
import type { RenderedObject } from "./istio.js";
import type { RequiredSecret } from "./types.js";

/** Annotation on a Link naming the credentials Secret (`namespace/name`) the cluster adapter must create. */
export const CLUSTER_CREDENTIALS_ANNOTATION = "meshhub.io/cluster-credentials";
/** The service account `linkerd multicluster install` creates for linked clusters to read services and endpoints with. */
const REMOTE_ACCESS_SERVICE_ACCOUNT = "linkerd-service-mirror-remote-access-default";
const GATEWAY_PROBE = { path: "/ready", port: 4191, period: "3s" };

function linkerdSpec(m: Member): Extract<Mesh["spec"], { linkerd: unknown }>["linkerd"] | undefined {
  return "linkerd" in m.mesh.spec ? m.mesh.spec.linkerd : undefined;
}

/** The `multicluster.linkerd.io` Link version a Linkerd mesh serves (decide.ts refused versions before 2.14). */
export function linkApiVersion(mesh: Mesh): string {
  const v = "linkerd" in mesh.spec ? parseLinkerdVersion(mesh.spec.linkerd.version) : undefined;
  const minor = v && v.equivalentStable.major === 2 ? v.equivalentStable.minor : 18;
  return `multicluster.linkerd.io/${minor >= 18 ? "v1alpha3" : minor === 17 ? "v1alpha2" : "v1alpha1"}`;
}

/** Namespace of a Linkerd mesh's multicluster extension (where its Links and gateway live). */
function multiclusterNamespace(m: Member): string {
  return linkerdSpec(m)?.multiclusterGateway?.namespace ?? LINKERD_MULTICLUSTER_NAMESPACE;
}

/** `namespace/<svc>-<cluster>`: the mirror Service clients on other clusters call. */
export function mirrorName(e: Export): string {
  const ref = e.service.spec.kubeService.ref;
  return `${ref.namespace}/${ref.name}-${ref.clusterName}`;
}

function exportPatch(d: VirtualMeshDecisions, e: Export): RenderedObject {
  const ref = e.service.spec.kubeService.ref;
  return { cluster: ref.clusterName, object: renderMetadataPatch("Service", ref.name, ref.namespace, { labels: { [LINKERD_EXPORT_LABEL]: d.flat ? "remote-discovery" : "true" } }, [d.ref]) };
}

function link(d: VirtualMeshDecisions, client: Member, target: Member): { object: RenderedObject; secrets: RequiredSecret[] } {
  const t = linkerdSpec(target);
  const c = linkerdSpec(client);
  const namespace = multiclusterNamespace(client);
  const secretName = `cluster-credentials-${target.cluster}`;
  const gw = d.linkerdGateways.get(target.key);
  const linkerdNs = t?.installation.namespace ?? "linkerd";
  const probePort = gw?.ports.find((p) => p.name === "mc-probe");
  const gateway = gw
    ? {
        gatewayAddress: gw.externalAddress,
        gatewayPort: String(gw.externalTlsPort),
        gatewayIdentity: `${gw.name}.${gw.namespace}.serviceaccount.identity.${linkerdNs}.${t?.trustDomain ?? "cluster.local"}`,
        probeSpec: { path: GATEWAY_PROBE.path, port: String((gw.serviceType === "NodePort" ? probePort?.nodePort : undefined) ?? probePort?.port ?? GATEWAY_PROBE.port), period: GATEWAY_PROBE.period },
        selector: { matchLabels: { [LINKERD_EXPORT_LABEL]: "true" } },
      }
    : {};
  const usedBy = `Link ${namespace}/${target.cluster}`;
  const fromAccount = { namespace: multiclusterNamespace(target), name: REMOTE_ACCESS_SERVICE_ACCOUNT };
  const secret = { type: "mirror.linkerd.io/remote-kubeconfig", key: "kubeconfig", fromCluster: target.cluster, serviceAccount: fromAccount, usedBy };
  return {
    object: {
      cluster: client.cluster,
      object: {
        apiVersion: linkApiVersion(client.mesh),
        kind: "Link",
        metadata: ownedMetadata(target.cluster, namespace, [d.ref], { annotations: { [CLUSTER_CREDENTIALS_ANNOTATION]: `${namespace}/${secretName}` } }),
        spec: {
          targetClusterName: target.cluster,
          targetClusterDomain: t?.clusterDomain ?? "cluster.local",
          targetClusterLinkerdNamespace: linkerdNs,
          clusterCredentialsSecret: secretName,
          ...gateway,
          remoteDiscoverySelector: { matchLabels: { [LINKERD_EXPORT_LABEL]: "remote-discovery" } },
        },
      },
    },
    // As `linkerd multicluster link` writes them: one for the service mirror, one (labelled with the target) for the
    // destination controller's remote discovery.
    secrets: [
      { cluster: client.cluster, namespace, name: secretName, ...secret },
      { cluster: client.cluster, namespace: c?.installation.namespace ?? "linkerd", name: secretName, labels: { "multicluster.linkerd.io/cluster-name": target.cluster }, ...secret },
    ],
  };
}

/** Every Linkerd federation object of one VirtualMesh, and the Secrets the adapter must create for its Links. */
export function renderLinkerdFederation(d: VirtualMeshDecisions, statuses: StatusCollector): { objects: RenderedObject[]; secrets: RequiredSecret[] } {
  const objects: RenderedObject[] = [];
  const secrets: RequiredSecret[] = [];
  const exports = d.exports.filter((e) => e.server.type === "linkerd");
  const links = new Map<string, { client: Member; target: Member }>();
  const byService = new Map<string, Export[]>();
  for (const e of exports) {
    const own = byService.get(e.key);
    if (own) own.push(e);
    else {
      byService.set(e.key, [e]);
      objects.push(exportPatch(d, e));
    }
    links.set(`${e.client.key}|${e.server.key}`, { client: e.client, target: e.server });
  }
  for (const id of [...links.keys()].sort(compareStrings)) {
    const l = link(d, links.get(id)!.client, links.get(id)!.target);
    objects.push(l.object);
    secrets.push(...l.secrets);
  }
  // The export label is not per client: say where selectors are widened.
  const linkedTo = new Map<string, Member[]>();
  for (const { client, target } of links.values()) linkedTo.set(target.key, [...(linkedTo.get(target.key) ?? []), client]);
  for (const [key, own] of byService) {
    const first = own[0]!;
    const extra = (linkedTo.get(first.server.key) ?? []).filter((c) => !own.some((e) => e.client === c)).sort((a, b) => compareStrings(a.key, b.key));
    if (extra.length === 0) continue;
    statuses.report(
      d.ref,
      first.server.statusKey,
      "ACCEPTED",
      `note: ${key} is also mirrored by ${extra.map(describeMember).join(", ")}, which federation.selectors do not federate it to: Linkerd's ${LINKERD_EXPORT_LABEL} label exports a Service to every cluster linked to cluster ${first.server.cluster}, and meshhub links those clusters for other services; meshhub routes nothing to that mirror, but its callers could — restrict access to the service with an AccessPolicy`,
    );
  }
  return { objects, secrets };
}
