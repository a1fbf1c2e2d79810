import type { DiagnosticSink } from "./diagnostics.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "./naming.js";
import type { ClusterIndex, RawObject } from "./snapshot-index.js";
import type { ForeignConfig } from "./types.js";
import { asArray, asString, isRecord, sortedUnique } from "./util.js";
import { compareStrings } from "../codec/canonical.js";

/**
 * Istio's rule for a host in a VirtualService or DestinationRule: a short name (no dot) is a Service in the rule's
 * namespace, `<host>.<namespace>.svc.<clusterDomain>`; anything with a dot, or a wildcard, is taken as written.
 */
export function qualifyHost(host: string, namespace: string, clusterDomain: string): string {
  const h = host.trim().toLowerCase();
  if (h === "" || h.includes(".") || h.includes("*")) return h;
  return `${h}.${namespace}.svc.${clusterDomain}`;
}

type Service = { name: string; namespace: string };

function stringList(o: RawObject, value: unknown, path: string, sink: DiagnosticSink): string[] {
  if (value === undefined || value === null) return [];
  const list = asArray(value);
  if (!list) {
    sink.object(o, "warning", "not a list; ignored for clash detection", { path, expected: "a list of strings", value });
    return [];
  }
  const out: string[] = [];
  list.forEach((v, i) => {
    if (typeof v === "string") out.push(v);
    else sink.object(o, "warning", "not a string; ignored for clash detection", { path: `${path}[${i}]`, expected: "a string", value: v });
  });
  return out;
}

/** `targetRef` / `targetRefs` entries of kind Service. */
function serviceTargets(spec: Record<string, unknown>, namespace: string): Service[] {
  const refs = [spec.targetRef, ...(asArray(spec.targetRefs) ?? [])];
  const out: Service[] = [];
  for (const r of refs) {
    if (!isRecord(r) || r.kind !== "Service") continue;
    const group = asString(r.group) ?? "";
    if (group !== "" && group !== "core") continue;
    const name = asString(r.name);
    if (name) out.push({ name, namespace: asString(r.namespace) || namespace });
  }
  return out;
}

/** HTTPRoute / GRPCRoute `parentRefs` of kind Service (GAMMA: routes attached to a Service). */
function serviceParents(spec: Record<string, unknown>, namespace: string): Service[] {
  const out: Service[] = [];
  for (const r of asArray(spec.parentRefs) ?? []) {
    if (!isRecord(r) || r.kind !== "Service") continue;
    const group = asString(r.group) ?? "";
    if (group !== "" && group !== "core") continue;
    const name = asString(r.name);
    if (name) out.push({ name, namespace: asString(r.namespace) || namespace });
  }
  return out;
}

/** SMI TrafficSplit `spec.service`: a short name or `name.namespace[.svc…]`. */
function splitService(value: string, namespace: string): Service {
  const parts = value.toLowerCase().split(".");
  return { name: parts[0] ?? value, namespace: parts[1] || namespace };
}

/**
 * Indexes mesh configuration on a cluster that meshhub did not write (no `app.kubernetes.io/managed-by: meshhub`):
 * the hosts and Services each object configures, so translators can report clashes instead of fighting users.
 */
export function indexForeignConfig(index: ClusterIndex, clusterDomain: string, sink: DiagnosticSink): ForeignConfig[] {
  const out: ForeignConfig[] = [];
  for (const o of index.foreign) {
    if (o.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) continue;
    const rawSpec = o.raw.spec;
    if (rawSpec !== undefined && rawSpec !== null && !isRecord(rawSpec)) {
      sink.object(o, "warning", "spec is not an object; indexed without hosts", { path: "spec", expected: "an object", value: rawSpec });
    }
    const spec = isRecord(rawSpec) ? rawSpec : {};
    let hosts: string[] = [];
    let services: Service[] = [];
    switch (o.kind) {
      case "VirtualService":
        hosts = stringList(o, spec.hosts, "spec.hosts", sink).map((h) => qualifyHost(h, o.namespace, clusterDomain));
        break;
      case "DestinationRule": {
        const host = spec.host;
        if (typeof host === "string") hosts = [qualifyHost(host, o.namespace, clusterDomain)];
        else if (host !== undefined) sink.object(o, "warning", "host is not a string; ignored for clash detection", { path: "spec.host", expected: "a string", value: host });
        break;
      }
      case "ServiceEntry":
        hosts = stringList(o, spec.hosts, "spec.hosts", sink).map((h) => h.trim().toLowerCase());
        break;
      case "ServiceProfile":
        hosts = [o.name.toLowerCase()];
        break;
      case "HTTPRoute":
      case "GRPCRoute":
        services = serviceParents(spec, o.namespace);
        break;
      case "AuthorizationPolicy":
        services = serviceTargets(spec, o.namespace);
        break;
      case "TrafficSplit": {
        const svc = spec.service;
        if (typeof svc === "string" && svc !== "") services = [splitService(svc, o.namespace)];
        else if (svc !== undefined) sink.object(o, "warning", "service is not a string; ignored for clash detection", { path: "spec.service", expected: "a string", value: svc });
        break;
      }
      default:
        break;
    }
    const seen = new Set<string>();
    const uniqueServices = services
      .filter((s) => (seen.has(`${s.namespace}/${s.name}`) ? false : (seen.add(`${s.namespace}/${s.name}`), true)))
      .sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
    out.push({
      cluster: index.cluster,
      apiVersion: o.apiVersion,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      hosts: sortedUnique(hosts.filter((h) => h !== "")),
      services: uniqueServices,
    });
  }
  return out;
}

