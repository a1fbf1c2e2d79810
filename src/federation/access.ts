/**
 * Global access control (`VirtualMesh.spec.globalAccessPolicy: ENABLED`): every mesh of the VirtualMesh denies by
 * default, and only what AccessPolicies allow gets through. `MESH_DEFAULT` and `DISABLED` emit nothing.
 *
 * - Istio (as Gloo Mesh did, reference §3.4): an AuthorizationPolicy `global-access-control` with an empty spec in
 *   the Istio root namespace (allow nothing, mesh-wide), plus an ALLOW-all policy (`rules: [{}]`) for each ingress and
 *   east-west gateway, selecting its pods, so traffic entering the mesh and cross-cluster traffic keep flowing to
 *   the destinations' own policies. A gateway without a pod selector cannot be allowed selectively: INVALID for the
 *   mesh, naming it.
 * - Linkerd: `config.linkerd.io/default-inbound-policy: deny` on every meshed namespace (a namespace with workloads
 *   of the mesh, from discovery), as a server-side-apply annotation patch of the Namespace. The control-plane and
 *   extension namespaces (`linkerd`, `linkerd-multicluster`, `linkerd-viz`, …) are left alone: the multicluster
 *   gateway must stay reachable. Linkerd reads the annotation when a pod starts: the VirtualMesh status and the
 *   federation plan's `restarts` (restart steps as the certificate plan writes them, manual) say what to restart.
 */
import { compareStrings } from "../codec/canonical.js";
import type { MeshGateway, MeshWorkload } from "../model/discovery.js";
import type { StatusCollector } from "../resolve/status.js";
import { securityApiVersion } from "../translate/istio/version.js";
import { renderMetadataPatch } from "../translate/linkerd/service-patch.js";
import { objectName } from "../translate/linkerd/names.js";
import { ownedMetadata } from "../translate/metadata.js";
import type { Member, VirtualMeshDecisions } from "./decide.js";
import type { RenderedObject } from "./istio.js";
import { LINKERD_CONTROL_PLANE_NS_LABEL, LINKERD_MULTICLUSTER_NAMESPACE } from "../discovery/linkerd.js";
import type { RestartStep } from "../trust/types.js";

/** A restart step before it is numbered. */
export type UnorderedRestart = Omit<RestartStep, "order">;

/** Name of the deny-all AuthorizationPolicy in the Istio root namespace (Gloo Mesh's name). */
export const GLOBAL_ACCESS_CONTROL = "global-access-control";
export const LINKERD_DEFAULT_INBOUND_POLICY = "config.linkerd.io/default-inbound-policy";
/** Namespaces of Linkerd extensions installed with their default names: never patched. */
const LINKERD_EXTENSION_NAMESPACES = [LINKERD_MULTICLUSTER_NAMESPACE, "linkerd-viz", "linkerd-jaeger", "linkerd-smi"];

function istioAccess(d: VirtualMeshDecisions, m: Member, statuses: StatusCollector): RenderedObject[] {
  if (!("istio" in m.mesh.spec)) return [];
  const spec = m.mesh.spec.istio;
  const apiVersion = securityApiVersion(m.mesh);
  const out: RenderedObject[] = [{ cluster: m.cluster, object: { apiVersion, kind: "AuthorizationPolicy", metadata: ownedMetadata(GLOBAL_ACCESS_CONTROL, spec.installation.namespace, [d.ref]), spec: {} } }];
  const gateways: MeshGateway[] = [...spec.ingressGateways, ...spec.eastWestGateways].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
  for (const gw of gateways) {
    if (Object.keys(gw.workloadLabels).length === 0) {
      statuses.report(
        d.ref,
        m.statusKey,
        "INVALID",
        `globalAccessPolicy: the gateway ${gw.namespace}/${gw.name} of ${m.mesh.metadata.name} has no pod selector, so no ALLOW policy can select it without allowing every workload of namespace ${gw.namespace}; traffic through it is denied — give its Service a selector`,
      );
      continue;
    }
    out.push({
      cluster: m.cluster,
      object: {
        apiVersion,
        kind: "AuthorizationPolicy",
        metadata: ownedMetadata(objectName([GLOBAL_ACCESS_CONTROL, "allow", gw.name]), gw.namespace, [d.ref]),
        spec: { action: "ALLOW", selector: { matchLabels: { ...gw.workloadLabels } }, rules: [{}] },
      },
    });
  }
  return out;
}

function linkerdAccess(d: VirtualMeshDecisions, m: Member, workloads: readonly MeshWorkload[], statuses: StatusCollector): { objects: RenderedObject[]; restarts: UnorderedRestart[] } {
  if (!("linkerd" in m.mesh.spec)) return { objects: [], restarts: [] };
  const spec = m.mesh.spec.linkerd;
  const skip = new Set([spec.installation.namespace, spec.multiclusterGateway?.namespace ?? LINKERD_MULTICLUSTER_NAMESPACE, ...LINKERD_EXTENSION_NAMESPACES]);
  const meshed = new Map<string, Map<string, { kind: string; name: string; namespace: string }>>();
  for (const w of workloads) {
    if (`${w.spec.mesh.namespace}/${w.spec.mesh.name}` !== m.key) continue;
    const c = w.spec.kubernetes.controller;
    if (skip.has(c.namespace)) continue;
    let controllers = meshed.get(c.namespace);
    if (!controllers) meshed.set(c.namespace, (controllers = new Map()));
    controllers.set(`${c.kind}/${c.name}`, { kind: c.kind, name: c.name, namespace: c.namespace });
  }
  const namespaces = [...meshed.keys()].sort(compareStrings);
  if (namespaces.length === 0) return { objects: [], restarts: [] };
  const reason = `${LINKERD_DEFAULT_INBOUND_POLICY}: deny takes effect when pods start`;
  statuses.report(
    d.ref,
    m.statusKey,
    "ACCEPTED",
    `note: globalAccessPolicy: ${LINKERD_DEFAULT_INBOUND_POLICY}: deny is set on namespace${namespaces.length > 1 ? "s" : ""} ${namespaces.join(", ")} of cluster ${m.cluster}; Linkerd reads it when a pod starts, so restart the meshed workloads there (kubectl rollout restart) for it to take effect. From then on only what meshhub's Servers and AuthorizationPolicies (from AccessPolicies) allow gets through — callers from other clusters in gateway mode arrive with the identity of the multicluster gateway. The control-plane and extension namespaces are not patched, so the multicluster gateway stays reachable`,
  );
  return {
    objects: namespaces.map((ns) => ({ cluster: m.cluster, object: renderMetadataPatch("Namespace", ns, undefined, { annotations: { [LINKERD_DEFAULT_INBOUND_POLICY]: "deny" } }, [d.ref]) })),
    restarts: namespaces.map((namespace) => {
      const controllers = [...meshed.get(namespace)!.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, c]) => c);
      return {
        cluster: m.cluster,
        tier: "workloads",
        action: "rollout-restart",
        automatic: false,
        target: { namespace, podSelector: { matchLabels: { [LINKERD_CONTROL_PLANE_NS_LABEL]: spec.installation.namespace } }, controllers },
        waitBefore: [],
        waitFor: [{ condition: "rollout-complete", timeoutSeconds: 600 }],
        reason,
        manual: `kubectl --context ${m.cluster} -n ${namespace} rollout restart ${controllers.map((c) => `${c.kind.toLowerCase()}/${c.name}`).join(" ")}`,
      };
    }),
  };
}

/** The global access control objects of one VirtualMesh (none unless `globalAccessPolicy: ENABLED`). */
export function renderGlobalAccess(d: VirtualMeshDecisions, workloads: readonly MeshWorkload[], statuses: StatusCollector): { objects: RenderedObject[]; restarts: UnorderedRestart[] } {
  const objects: RenderedObject[] = [];
  const restarts: UnorderedRestart[] = [];
  if (d.vm.spec.globalAccessPolicy !== "ENABLED") return { objects, restarts };
  for (const m of d.members) {
    if (m.type === "istio") objects.push(...istioAccess(d, m, statuses));
    else {
      const l = linkerdAccess(d, m, workloads, statuses);
      objects.push(...l.objects);
      restarts.push(...l.restarts);
    }
  }
  return { objects, restarts };
}
