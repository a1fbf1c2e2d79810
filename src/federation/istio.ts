/**
 * Istio federation objects, as Gloo Mesh OSS emitted them (reference §3.5), for the exports decide.ts accepted:
 *
 * - per exporting mesh: an `AUTO_PASSTHROUGH` Gateway on its east-west gateway (`*.<suffix>` on the TLS container
 *   port), so mTLS from other clusters is routed by SNI without being terminated;
 * - per exported service, on its own cluster: a local ServiceEntry for the federated host (`exportTo: ["."]`, in the
 *   gateway's namespace — only the gateway must resolve the SNI `outbound_.<port>_.<subset>_.<federated host>`).
 *   Its endpoint is the service's FQDN (`resolution: DNS`). When subsets of the service are referenced, the gateway
 *   must tell them apart, which a ClusterIP cannot: the entry then selects the service's pods (`workloadSelector`,
 *   `resolution: STATIC`, numeric target ports) — from the service's namespace, the only one a workloadSelector
 *   selects in, exported to the gateway's namespace only — and a DestinationRule next to it defines the subsets;
 * - per (service, client mesh), in the client's Istio namespace: a ServiceEntry for the federated host
 *   (`MESH_INTERNAL`, `resolution: DNS`, Gloo Mesh's FNV-1 virtual IP), one port per service port with Istio's
 *   protocol, endpoints at the remote gateway's external address and mTLS port — one per label set the client's
 *   routes need (the service's pod labels, plus each referenced subset's), each with `security.istio.io/tlsMode:
 *   istio` so client sidecars originate Istio mTLS (Istio only auto-detects mTLS for endpoints with that label).
 */
import { compareStrings, toCanonicalJson } from "../codec/canonical.js";
import type { KubeObject } from "../model/common.js";
import type { MeshGateway, MeshService, ServicePort } from "../model/discovery.js";
import { federatedHostname, gatewaySubsetProblem } from "../translate/istio/hosts.js";
import { SubsetNames } from "../translate/istio/names.js";
import { networkingApiVersion } from "../translate/istio/version.js";
import { objectName } from "../translate/linkerd/names.js";
import { DESTINATION_ANNOTATION, destinationMetadata, ownedMetadata, serviceFqdn } from "../translate/metadata.js";
import type { ReferencedSubset } from "../translate/types.js";
import type { Export, Member, VirtualMeshDecisions } from "./decide.js";
import { istioProtocol } from "./protocol.js";
import { federatedVirtualIp } from "./virtual-ip.js";

/** The label Istio's injector puts on every sidecar pod; client sidecars use Istio mTLS only towards endpoints with it. */
const TLS_MODE_LABEL = "security.istio.io/tlsMode";

/** An object and the cluster it is applied to. */
export interface RenderedObject {
  readonly cluster: string;
  readonly object: KubeObject;
}

export interface IstioRenderContext {
  readonly clusterDomainOf: (cluster: string) => string;
  readonly referencedSubsetsOf: (serviceKey: string) => readonly ReferencedSubset[];
}

/** `<svc>-<ns>-<cluster>`: the name of a federated service's VirtualService / DestinationRule copies. */
export function federatedConfigName(s: MeshService): string {
  const ref = s.spec.kubeService.ref;
  return objectName([ref.name, ref.namespace, ref.clusterName]);
}

export function istioNamespaceOf(m: Member): string {
  return "istio" in m.mesh.spec ? m.mesh.spec.istio.installation.namespace : "istio-system";
}

/** The ports a federated service exposes through the gateway (UDP cannot cross the mTLS passthrough). */
function federatedPorts(s: MeshService): ServicePort[] {
  return [...s.spec.kubeService.ports].filter((p) => p.protocol !== "UDP").sort((a, b) => a.port - b.port);
}

function portName(p: ServicePort): string {
  return p.name ?? `${(istioProtocol(p) ?? "tcp").toLowerCase()}-${p.port}`;
}

function sePorts(s: MeshService, withTargetPort: boolean): Record<string, unknown>[] {
  return federatedPorts(s).map((p) => {
    const protocol = istioProtocol(p);
    const target = typeof p.targetPort === "number" ? p.targetPort : typeof p.targetPort === "string" ? Number(p.targetPort) : p.port;
    return { number: p.port, name: portName(p), ...(protocol ? { protocol } : {}), ...(withTargetPort ? { targetPort: target } : {}) };
  });
}

function gatewayObject(d: VirtualMeshDecisions, server: Member, gw: MeshGateway): RenderedObject {
  return {
    cluster: server.cluster,
    object: {
      apiVersion: networkingApiVersion(server.mesh),
      kind: "Gateway",
      metadata: ownedMetadata(objectName([d.vm.metadata.name, d.ref.namespace]), gw.namespace, [d.ref]),
      spec: {
        selector: { ...gw.workloadLabels },
        servers: [{ port: { number: gw.tlsContainerPort, name: "tls", protocol: "TLS" }, hosts: [`*.${d.suffix}`], tls: { mode: "AUTO_PASSTHROUGH" } }],
      },
    },
  };
}

/** The local ServiceEntry (and, for subsets, DestinationRule) the gateway of the service's cluster resolves the SNI with. */
function localObjects(d: VirtualMeshDecisions, e: Export, gw: MeshGateway, r: IstioRenderContext): RenderedObject[] {
  const ref = e.service.spec.kubeService.ref;
  const host = federatedHostname(ref, d.suffix);
  const annotations = { [DESTINATION_ANNOTATION]: e.key };
  const subsets = r.referencedSubsetsOf(e.key);
  const byPods = subsets.length > 0 && gatewaySubsetProblem(e.service) === undefined;
  const namespace = byPods ? ref.namespace : gw.namespace;
  const base = { hosts: [host], exportTo: [namespace === gw.namespace ? "." : gw.namespace], location: "MESH_INTERNAL" };
  const spec = byPods
    ? { ...base, resolution: "STATIC", ports: sePorts(e.service, true), workloadSelector: { labels: { ...e.service.spec.kubeService.workloadSelectorLabels } } }
    : {
        ...base,
        resolution: "DNS",
        ports: sePorts(e.service, false),
        endpoints: [{ address: serviceFqdn(ref.name, ref.namespace, r.clusterDomainOf(ref.clusterName)), ports: Object.fromEntries(federatedPorts(e.service).map((p) => [portName(p), p.port])) }],
      };
  const apiVersion = networkingApiVersion(e.server.mesh);
  const out: RenderedObject[] = [{ cluster: ref.clusterName, object: { apiVersion, kind: "ServiceEntry", metadata: ownedMetadata(host, namespace, [d.ref], { annotations }), spec } }];
  if (byPods) {
    const names = new SubsetNames(r.referencedSubsetsOf);
    const defined = new Map<string, Record<string, string>>();
    for (const s of subsets) defined.set(names.nameOf(e.key, s.labels), { ...s.labels });
    out.push({
      cluster: ref.clusterName,
      object: {
        apiVersion,
        kind: "DestinationRule",
        metadata: ownedMetadata(federatedConfigName(e.service), namespace, [d.ref, ...subsets.map((s) => s.setBy)], { annotations }),
        spec: { host, exportTo: base.exportTo, subsets: [...defined.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([name, labels]) => ({ name, labels })) },
      },
    });
  }
  return out;
}

/** The label sets a client's endpoints carry: the pod labels, or one set per referenced subset. */
function endpointLabels(e: Export, r: IstioRenderContext): Record<string, string>[] {
  const selector = e.service.spec.kubeService.workloadSelectorLabels;
  const sets = r.referencedSubsetsOf(e.key).map((s) => ({ ...selector, ...s.labels }));
  const unique = new Map<string, Record<string, string>>();
  for (const l of sets.length > 0 ? sets : [{ ...selector }]) unique.set(toCanonicalJson(l), { ...l, [TLS_MODE_LABEL]: "istio" });
  return [...unique.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, l]) => l);
}

function clientServiceEntry(d: VirtualMeshDecisions, e: Export, gw: MeshGateway, r: IstioRenderContext): RenderedObject {
  const ref = e.service.spec.kubeService.ref;
  const host = federatedHostname(ref, d.suffix);
  const ports = federatedPorts(e.service);
  return {
    cluster: e.client.cluster,
    object: {
      apiVersion: networkingApiVersion(e.client.mesh),
      kind: "ServiceEntry",
      metadata: destinationMetadata(host, istioNamespaceOf(e.client), [d.ref], e.key),
      spec: {
        hosts: [host],
        addresses: [federatedVirtualIp(ref.name, ref.namespace, ref.clusterName)],
        location: "MESH_INTERNAL",
        resolution: "DNS",
        ports: sePorts(e.service, false),
        endpoints: endpointLabels(e, r).map((labels) => ({ address: gw.externalAddress, ports: Object.fromEntries(ports.map((p) => [portName(p), gw.externalTlsPort])), labels })),
      },
    },
  };
}

/** Every Istio federation object of one VirtualMesh. */
export function renderIstioFederation(d: VirtualMeshDecisions, r: IstioRenderContext): RenderedObject[] {
  const out: RenderedObject[] = [];
  const exports = d.exports.filter((e) => e.server.type === "istio");
  const servers = new Set<Member>();
  const local = new Set<string>();
  for (const e of exports) {
    const gw = d.istioGateways.get(e.server.key);
    if (!gw) continue; // decide.ts exports nothing from a mesh without a gateway
    if (!servers.has(e.server)) {
      servers.add(e.server);
      out.push(gatewayObject(d, e.server, gw));
    }
    if (!local.has(e.key)) {
      local.add(e.key);
      out.push(...localObjects(d, e, gw, r));
    }
    out.push(clientServiceEntry(d, e, gw, r));
  }
  return out;
}
