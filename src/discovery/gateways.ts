import type { MeshGateway } from "../model/discovery.js";
import type { DiagnosticSink } from "./diagnostics.js";
import type { ServiceInfo, ServicePortInfo } from "./service-spec.js";
import type { ClusterIndex } from "./snapshot-index.js";
import { asArray, asInt, asString, getIn, isEmpty, selectorMatches } from "./util.js";

export interface GatewayOptions {
  /** Human name for diagnostics: `ingress gateway`, `east-west gateway`, `multicluster gateway`. */
  readonly role: string;
  /** Name of the mTLS passthrough port (`tls` for Istio, `mc-gateway` for Linkerd). */
  readonly tlsPortName: string;
  /** Port number to fall back on when no port has that name (15443, 4143). */
  readonly defaultTlsPort?: number;
  /** Warn when the TLS port is missing (east-west and multicluster gateways need it). */
  readonly requireTlsPort: boolean;
}

/** Address of a node: ExternalIP preferred, InternalIP as fallback. */
function nodeAddress(index: ClusterIndex, nodeName: string): string | undefined {
  const node = index.get("Node", "", nodeName);
  if (!node) return undefined;
  const addresses = asArray(getIn(node.raw, ["status", "addresses"])) ?? [];
  const of = (type: string): string | undefined => {
    for (const a of addresses) if (asString(getIn(a, ["type"])) === type) return asString(getIn(a, ["address"])) || undefined;
    return undefined;
  };
  return of("ExternalIP") ?? of("InternalIP");
}

/** Nodes that run pods selected by the gateway Service, in pod-name order. */
function gatewayNodes(index: ClusterIndex, svc: ServiceInfo): string[] {
  const selector = svc.selector;
  if (!selector || isEmpty(selector)) return [];
  const nodes: string[] = [];
  for (const pod of index.inNamespace("Pod", svc.o.namespace)) {
    if (!selectorMatches(selector, pod.labels)) continue;
    const node = asString(getIn(pod.raw, ["spec", "nodeName"]));
    if (node) nodes.push(node);
  }
  return nodes;
}

/** Resolves a named targetPort through the container ports of the gateway Deployments / pods. */
function resolveNamedPort(index: ClusterIndex, svc: ServiceInfo, name: string): number | undefined {
  const selector = svc.selector ?? {};
  const specs: unknown[] = [];
  for (const pod of index.inNamespace("Pod", svc.o.namespace)) if (selectorMatches(selector, pod.labels)) specs.push(getIn(pod.raw, ["spec"]));
  for (const kind of ["Deployment", "StatefulSet", "DaemonSet"] as const) {
    for (const d of index.inNamespace(kind, svc.o.namespace)) {
      const labels = getIn(d.raw, ["spec", "template", "metadata", "labels"]);
      const ok = Object.entries(selector).every(([k, v]) => getIn(labels, [k]) === v);
      if (ok) specs.push(getIn(d.raw, ["spec", "template", "spec"]));
    }
  }
  for (const spec of specs) {
    for (const list of [getIn(spec, ["containers"]), getIn(spec, ["initContainers"])]) {
      for (const c of asArray(list) ?? []) {
        for (const p of asArray(getIn(c, ["ports"])) ?? []) {
          if (asString(getIn(p, ["name"])) === name) {
            const n = asInt(getIn(p, ["containerPort"]));
            if (n !== undefined) return n;
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * Builds a {@link MeshGateway} from a gateway Service: the address other clusters reach it on and its mTLS port.
 *
 * - LoadBalancer: `status.loadBalancer.ingress[0].ip`, else `.hostname`, else `spec.externalIPs[0]`; TLS port = service port.
 * - NodePort: address of the node running a gateway pod (ExternalIP, else InternalIP; first pod by name whose node is
 *   in the snapshot), else `spec.externalIPs[0]`; TLS port = the nodePort.
 * - Any other type: `spec.externalIPs[0]` when set; TLS port = service port.
 * A gateway without an address is still returned, with a warning.
 */
export function buildGateway(index: ClusterIndex, svc: ServiceInfo, options: GatewayOptions, sink: DiagnosticSink): MeshGateway {
  const o = svc.o;
  const tls: ServicePortInfo | undefined =
    svc.ports.find((p) => p.name === options.tlsPortName) ?? (options.defaultTlsPort !== undefined ? svc.ports.find((p) => p.port === options.defaultTlsPort) : undefined);
  let externalAddress: string | undefined;
  let externalTlsPort: number | undefined;
  let why = "";
  if (svc.type === "LoadBalancer") {
    externalAddress = svc.loadBalancerIngress?.ip || svc.loadBalancerIngress?.hostname || svc.externalIPs[0];
    externalTlsPort = tls?.port;
    why = "the LoadBalancer has no ingress IP or hostname yet and spec.externalIPs is empty";
  } else if (svc.type === "NodePort") {
    const nodes = gatewayNodes(index, svc);
    for (const n of nodes) {
      externalAddress = nodeAddress(index, n);
      if (externalAddress) break;
    }
    externalAddress ??= svc.externalIPs[0];
    externalTlsPort = tls?.nodePort;
    why = nodes.length === 0 ? "no gateway pod with a node is in the snapshot and spec.externalIPs is empty" : `none of the nodes running gateway pods (${nodes.join(", ")}) is in the snapshot with an address`;
    if (tls && tls.nodePort === undefined) sink.object(o, "warning", `${options.role}: NodePort service port ${tls.name ?? tls.port} has no nodePort`, { path: "spec.ports" });
  } else {
    externalAddress = svc.externalIPs[0];
    externalTlsPort = tls?.port;
    why = `a ${svc.type} service is not reachable from other clusters unless spec.externalIPs is set`;
  }
  if (!externalAddress) {
    sink.object(o, "warning", `${options.role} has no external address: ${why}`, {
      path: svc.type === "LoadBalancer" ? "status.loadBalancer.ingress" : "spec",
      hint: "use a LoadBalancer or NodePort service, or include the gateway's Nodes and Pods in the snapshot",
    });
  }
  let tlsContainerPort: number | undefined;
  if (tls) {
    const tp = tls.targetPort;
    if (tp === undefined) tlsContainerPort = tls.port;
    else if (typeof tp === "number") tlsContainerPort = tp;
    else {
      tlsContainerPort = resolveNamedPort(index, svc, tp);
      if (tlsContainerPort === undefined) sink.object(o, "warning", `${options.role}: named targetPort ${JSON.stringify(tp)} of port ${tls.name ?? tls.port} matches no container port`, { path: "spec.ports" });
    }
  } else if (options.requireTlsPort) {
    sink.object(o, "warning", `${options.role} has no port named ${options.tlsPortName}${options.defaultTlsPort !== undefined ? ` (or port ${options.defaultTlsPort})` : ""}; cross-cluster traffic cannot use it`, {
      path: "spec.ports",
      expected: `a port named ${options.tlsPortName}`,
    });
  }
  const gw: MeshGateway = {
    name: o.name,
    namespace: o.namespace,
    workloadLabels: { ...(svc.selector ?? {}) },
    serviceType: svc.type,
    ports: svc.ports.map((p) => {
      const out: MeshGateway["ports"][number] = { port: p.port, protocol: p.protocol };
      if (p.name !== undefined) out.name = p.name;
      if (p.targetPort !== undefined) out.targetPort = p.targetPort;
      if (p.nodePort !== undefined) out.nodePort = p.nodePort;
      return out;
    }),
  };
  if (externalAddress) gw.externalAddress = externalAddress;
  if (externalTlsPort !== undefined) gw.externalTlsPort = externalTlsPort;
  if (tlsContainerPort !== undefined) gw.tlsContainerPort = tlsContainerPort;
  return gw;
}
