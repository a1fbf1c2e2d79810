import type { ServicePort } from "../model/discovery.js";

/** Istio's protocol names (`protocol.Parse`, case-insensitive), as ServiceEntry ports spell them. */
const PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: "TCP",
  udp: "UDP",
  grpc: "GRPC",
  "grpc-web": "GRPC-Web",
  http: "HTTP",
  http_proxy: "HTTP_PROXY",
  http2: "HTTP2",
  https: "HTTPS",
  tls: "TLS",
  mongo: "MONGO",
  redis: "REDIS",
  mysql: "MYSQL",
};

/** Ports Istio treats as TCP when nothing names a protocol (sniffing would break them): SMTP, DNS, MySQL, MongoDB. */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/**
 * The protocol Istio derives for a Kubernetes Service port (Istio's `kube.ConvertProtocol`): UDP stays UDP; else the
 * `appProtocol`, or else the port name, up to its first `-` (`http-web` → HTTP, `grpc-web…` → GRPC-Web); the
 * Kubernetes-standard `kubernetes.io/h2c` is HTTP2. Undefined when nothing names a known protocol (Istio then
 * sniffs it; a ServiceEntry port without protocol means the same), except on well-known TCP ports.
 */
export function istioProtocol(p: Pick<ServicePort, "port" | "name" | "protocol" | "appProtocol">): string | undefined {
  if (p.protocol === "UDP") return "UDP";
  const name = p.appProtocol ?? p.name ?? "";
  if (name === "kubernetes.io/h2c") return "HTTP2";
  const lower = name.toLowerCase();
  const prefix = lower.startsWith("grpc-web") ? "grpc-web" : lower.split("-")[0] ?? "";
  return PROTOCOLS[prefix] ?? (WELL_KNOWN_TCP_PORTS.has(p.port) ? "TCP" : undefined);
}
