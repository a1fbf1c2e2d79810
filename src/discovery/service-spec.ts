import type { DiagnosticSink } from "./diagnostics.js";
import type { RawObject } from "./snapshot-index.js";
import { asArray, asInt, asString, getIn, isRecord } from "./util.js";
import { compareStrings } from "../codec/canonical.js";

export interface ServicePortInfo {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

/** What discovery reads from a Service. */
export interface ServiceInfo {
  readonly o: RawObject;
  readonly type: string;
  /** undefined when the Service has no selector (or an unusable one). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortInfo[];
  readonly clusterIP?: string;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIngress?: { readonly ip?: string; readonly hostname?: string };
}

/** Reads a Service, reporting wrong types; never throws. */
export function readService(o: RawObject, sink: DiagnosticSink): ServiceInfo {
  const spec = o.raw.spec;
  if (spec !== undefined && !isRecord(spec)) {
    sink.object(o, "error", "Service spec is not an object; ignored", { path: "spec", expected: "an object", value: spec });
  }
  const s = isRecord(spec) ? spec : {};
  let selector: Record<string, string> | undefined;
  if (s.selector !== undefined && s.selector !== null) {
    if (!isRecord(s.selector)) {
      sink.object(o, "error", "Service selector is not a map; the Service selects nothing", { path: "spec.selector", expected: "a map of strings", value: s.selector });
    } else {
      selector = {};
      for (const key of Object.keys(s.selector).sort(compareStrings)) {
        const v = s.selector[key];
        if (typeof v === "string") selector[key] = v;
        else sink.object(o, "error", "selector value is not a string; ignored", { path: `spec.selector.${key}`, expected: "a string", value: v });
      }
    }
  }
  const ports: ServicePortInfo[] = [];
  if (s.ports !== undefined && s.ports !== null && !Array.isArray(s.ports)) {
    sink.object(o, "error", "Service ports are not a list; ignored", { path: "spec.ports", expected: "a list of ports", value: s.ports });
  }
  (asArray(s.ports) ?? []).forEach((p, i) => {
    const port = asInt(getIn(p, ["port"]));
    if (!isRecord(p) || port === undefined) {
      sink.object(o, "error", "Service port has no numeric port; ignored", { path: `spec.ports[${i}]${isRecord(p) ? ".port" : ""}`, expected: "a whole number", value: isRecord(p) ? p.port : p });
      return;
    }
    const tp = p.targetPort;
    const targetPort = typeof tp === "number" && Number.isInteger(tp) ? tp : typeof tp === "string" && tp !== "" ? (/^\d+$/.test(tp) ? Number(tp) : tp) : undefined;
    const out: { name?: string; port: number; targetPort?: number | string; nodePort?: number; protocol: string; appProtocol?: string } = {
      port,
      protocol: asString(p.protocol) ?? "TCP",
    };
    const name = asString(p.name);
    if (name !== undefined && name !== "") out.name = name;
    if (targetPort !== undefined) out.targetPort = targetPort;
    const nodePort = asInt(p.nodePort);
    if (nodePort !== undefined) out.nodePort = nodePort;
    const appProtocol = asString(p.appProtocol);
    if (appProtocol !== undefined) out.appProtocol = appProtocol;
    ports.push(out);
  });
  const ingress = getIn(o.raw, ["status", "loadBalancer", "ingress"]);
  const first = asArray(ingress)?.[0];
  const lb = isRecord(first) ? { ip: asString(first.ip), hostname: asString(first.hostname) } : undefined;
  return {
    o,
    type: asString(s.type) ?? "ClusterIP",
    selector,
    ports,
    clusterIP: asString(s.clusterIP),
    externalIPs: (asArray(s.externalIPs) ?? []).filter((x): x is string => typeof x === "string" && x !== ""),
    loadBalancerIngress: lb,
  };
}
