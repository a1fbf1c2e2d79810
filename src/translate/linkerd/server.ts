/**
 * Linkerd `Server`s for a destination that AccessPolicies select: one per distinct target (container) port of the
 * Service, selecting the Service's pods. Once a Server exists for a port, only authorized traffic reaches it
 * (`accessPolicy: deny` on 2.16+, where the field exists; earlier a Server without authorizations denies by
 * default), which is what makes AccessPolicies allow-lists that fail closed.
 *
 * Two service ports with the same target port share one Server: Linkerd rejects/ignores overlapping Servers.
 */
import type { KubeObject } from "../../model/common.js";
import type { ServicePort } from "../../model/discovery.js";
import type { PolicyRef } from "../../resolve/order.js";
import { destinationMetadata } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { objectName } from "./names.js";
import type { LinkerdFlavour } from "./version.js";
import { podSelectorOf } from "../pod-selector.js";

export interface ServerPlan {
  readonly name: string;
  /** `spec.port`: the container port number, or the named container port. */
  readonly target: number | string;
  readonly servicePorts: readonly ServicePort[];
  readonly proxyProtocol?: string;
}

function targetOf(p: ServicePort): number | string {
  if (p.targetPort === undefined) return p.port;
  if (typeof p.targetPort === "string" && /^\d+$/.test(p.targetPort)) return Number(p.targetPort);
  return p.targetPort;
}

/** Linkerd's proxyProtocol when a port clearly declares HTTP (appProtocol first, then Istio-style port names). */
function protocolOf(p: ServicePort): string | undefined {
  const app = p.appProtocol?.toLowerCase();
  if (app !== undefined) {
    if (app === "http" || app === "http1" || app === "http/1.1") return "HTTP/1";
    if (app === "http2" || app === "h2c" || app === "kubernetes.io/h2c") return "HTTP/2";
    if (app === "grpc") return "gRPC";
    return undefined;
  }
  const name = p.name?.toLowerCase() ?? "";
  if (/^(http2|h2c)(-|$)/.test(name)) return "HTTP/2";
  if (/^grpc(-|$)/.test(name)) return "gRPC";
  if (/^http(-|$)/.test(name)) return "HTTP/1";
  return undefined;
}

/** The Servers of a destination (TCP ports only: Linkerd does not proxy UDP/SCTP). */
export function planServers(ctx: DestinationContext): ServerPlan[] {
  const ref = ctx.service.spec.kubeService.ref;
  const byTarget = new Map<string, ServicePort[]>();
  for (const p of ctx.service.spec.kubeService.ports) {
    if ((p.protocol ?? "TCP").toUpperCase() !== "TCP") continue;
    const key = String(targetOf(p));
    const list = byTarget.get(key);
    if (list) list.push(p);
    else byTarget.set(key, [p]);
  }
  const plans: ServerPlan[] = [];
  for (const ports of byTarget.values()) {
    const first = ports[0]!;
    const protocols = new Set(ports.map(protocolOf));
    const protocol = protocols.size === 1 ? [...protocols][0] : undefined;
    const target = targetOf(first);
    plans.push({ name: objectName([ref.name, target]), target, servicePorts: ports, ...(protocol !== undefined ? { proxyProtocol: protocol } : {}) });
  }
  return plans;
}

export function renderServer(plan: ServerPlan, ctx: DestinationContext, flavour: LinkerdFlavour, sources: readonly PolicyRef[]): KubeObject {
  const ref = ctx.service.spec.kubeService.ref;
  return {
    apiVersion: flavour.serverApiVersion ?? "policy.linkerd.io/v1beta1",
    kind: "Server",
    metadata: destinationMetadata(plan.name, ref.namespace, sources, ctx.key),
    spec: {
      podSelector: podSelectorOf(ctx.service),
      port: plan.target,
      ...(plan.proxyProtocol !== undefined ? { proxyProtocol: plan.proxyProtocol } : {}),
      ...(flavour.serverAccessPolicy ? { accessPolicy: "deny" } : {}),
    },
  };
}
