import { compareStrings, toCanonicalJson } from "../codec/canonical.js";
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from "../model/common.js";
import { renderFound } from "../errors.js";
import type { DiagnosticSink } from "./diagnostics.js";
import { strip } from "./diagnostics.js";
import type { ClusterSnapshot } from "./types.js";
import type { JsonRecord } from "./util.js";
import { asArray, isRecord, pushTo } from "./util.js";

/** Where an object came from, for diagnostics. */
export interface ObjectSource {
  readonly file?: string;
  readonly document?: number;
  readonly item?: number;
}

/** A raw Kubernetes object whose identity (kind, namespace, name) has been checked. */
export interface RawObject {
  readonly cluster: string;
  readonly apiVersion: string;
  /** API group, `""` for the core group. */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** `""` for cluster-scoped objects. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly raw: JsonRecord;
  readonly source?: ObjectSource;
}

/** Kinds of the core and apps groups discovery reads, by name. `extensions` is accepted as a legacy alias of `apps`. */
const BUILTIN_KINDS: Readonly<Record<string, readonly string[]>> = {
  "": ["Namespace", "Node", "Pod", "Service", "ConfigMap", "Secret"],
  apps: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
  extensions: ["Deployment", "DaemonSet", "ReplicaSet"],
  "admissionregistration.k8s.io": ["MutatingWebhookConfiguration"],
};
const CLUSTER_SCOPED = new Set(["Namespace", "Node", "MutatingWebhookConfiguration"]);

/** Mesh configuration kinds indexed as foreign config, by API group. */
export const FOREIGN_KINDS: Readonly<Record<string, readonly string[]>> = {
  "networking.istio.io": ["VirtualService", "DestinationRule", "ServiceEntry", "Sidecar", "Gateway"],
  "security.istio.io": ["AuthorizationPolicy", "PeerAuthentication"],
  "linkerd.io": ["ServiceProfile"],
  "gateway.networking.k8s.io": ["HTTPRoute", "GRPCRoute"],
  "policy.linkerd.io": ["HTTPRoute", "Server", "AuthorizationPolicy"],
  "split.smi-spec.io": ["TrafficSplit"],
};

export type BuiltinKind =
  | "Namespace"
  | "Node"
  | "Pod"
  | "Service"
  | "ConfigMap"
  | "Secret"
  | "Deployment"
  | "StatefulSet"
  | "DaemonSet"
  | "ReplicaSet"
  | "MutatingWebhookConfiguration";

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function isRelevant(group: string, kind: string): "builtin" | "foreign" | undefined {
  if (BUILTIN_KINDS[group]?.includes(kind)) return "builtin";
  if (FOREIGN_KINDS[group]?.includes(kind)) return "foreign";
  return undefined;
}

/** `extensions` is a legacy alias of `apps`: objects of both groups are one identity. */
function identityGroup(group: string): string {
  return group === "extensions" ? "apps" : group;
}

/** Sorts by identity (namespace, name, kind, group), so duplicates end up adjacent. */
function compareRaw(a: RawObject, b: RawObject): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.kind, b.kind) || compareStrings(identityGroup(a.group), identityGroup(b.group));
}

/**
 * The objects of one cluster that discovery reads, validated and indexed by kind, namespace and name. Every list
 * it returns is sorted by (namespace, name), so nothing downstream depends on the order of the input.
 */
export class ClusterIndex {
  private readonly byKind = new Map<string, RawObject[]>();
  private readonly byKindNs = new Map<string, RawObject[]>();
  private readonly byId = new Map<string, RawObject>();
  /** Foreign mesh configuration (any namespace), sorted. */
  readonly foreign: readonly RawObject[];

  /** `objects` must be sorted by {@link compareRaw} and free of duplicates, as {@link indexSnapshots} leaves them. */
  constructor(
    readonly cluster: string,
    objects: readonly RawObject[],
  ) {
    const foreign: RawObject[] = [];
    for (const o of objects) {
      if (isRelevant(o.group, o.kind) === "foreign") {
        foreign.push(o);
        continue;
      }
      pushTo(this.byKind, o.kind, o);
      pushTo(this.byKindNs, `${o.kind}/${o.namespace}`, o);
      this.byId.set(`${o.kind}/${o.namespace}/${o.name}`, o);
    }
    this.foreign = foreign;
  }

  list(kind: BuiltinKind): readonly RawObject[] {
    return this.byKind.get(kind) ?? [];
  }

  inNamespace(kind: BuiltinKind, namespace: string): readonly RawObject[] {
    return this.byKindNs.get(`${kind}/${namespace}`) ?? [];
  }

  get(kind: BuiltinKind, namespace: string, name: string): RawObject | undefined {
    return this.byId.get(`${kind}/${namespace}/${name}`);
  }

  namespace(name: string): RawObject | undefined {
    return this.get("Namespace", "", name);
  }
}

/**
 * Flattens `kind: List` documents. `source` is the caller's provenance (from `snapshot.sources`) and travels with the
 * object; `position` (index in `objects`) is only used to point at objects that cannot be named otherwise, so that
 * diagnostics about named objects never depend on input order.
 */
function* flatten(snapshot: ClusterSnapshot): Generator<{ value: unknown; source: ObjectSource | undefined; position: ObjectSource }> {
  const objects: readonly unknown[] = Array.isArray(snapshot.objects) ? snapshot.objects : [];
  for (let i = 0; i < objects.length; i++) {
    const value = objects[i];
    const given = snapshot.sources?.[i];
    const source = given ? strip({ file: given.file, document: given.document, item: given.item }) : undefined;
    const items = isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") ? asArray(value.items) : undefined;
    if (items) {
      for (let j = 0; j < items.length; j++) yield { value: items[j], source: source ? strip({ ...source, item: j }) : undefined, position: { document: i, item: j } };
    } else {
      yield { value, source, position: { document: i } };
    }
  }
}

/**
 * Groups snapshots by cluster name (sorted), reporting snapshots without a usable cluster name or object list.
 * Snapshots that share a cluster name are merged, with a warning.
 */
export function groupSnapshots(snapshots: readonly ClusterSnapshot[], sink: DiagnosticSink): Map<string, ClusterSnapshot[]> {
  const byCluster = new Map<string, ClusterSnapshot[]>();
  for (const snapshot of snapshots) {
    if (!isRecord(snapshot) || typeof snapshot.cluster !== "string" || snapshot.cluster === "") {
      sink.add({ severity: "error", message: "snapshot has no cluster name; its objects were skipped", expected: "a non-empty string", found: renderFound(isRecord(snapshot) ? snapshot.cluster : snapshot), path: "cluster" });
      continue;
    }
    pushTo(byCluster, snapshot.cluster, snapshot);
  }
  const out = new Map<string, ClusterSnapshot[]>();
  for (const [cluster, list] of [...byCluster.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    if (list.length > 1) sink.add({ severity: "warning", cluster, message: `${list.length} snapshots name cluster ${cluster}; their objects were merged` });
    out.set(cluster, list);
  }
  return out;
}

/**
 * Checks the identity of each relevant object of one cluster's snapshots (kind, metadata.name, namespace, labels,
 * annotations) and indexes them. Objects of kinds discovery does not read are ignored without a word; malformed
 * relevant objects become diagnostics and are skipped. Discovery indexes one cluster at a time, so only one
 * cluster's raw objects are held at once.
 */
export function indexCluster(cluster: string, snapshots: readonly ClusterSnapshot[], sink: DiagnosticSink): ClusterIndex {
  const objects: RawObject[] = [];
  for (const snapshot of snapshots) {
    if (!Array.isArray(snapshot.objects)) {
      sink.add({ severity: "error", cluster, message: "snapshot objects are not a list", path: "objects", expected: "a list of Kubernetes objects", found: renderFound(snapshot.objects) });
      continue;
    }
    for (const { value, source, position } of flatten(snapshot)) {
      const o = readObject(cluster, value, source, position, sink);
      if (o) objects.push(o);
    }
  }
  return new ClusterIndex(cluster, dedupe(objects.sort(compareRaw), sink));
}

function sourceKey(s: ObjectSource | undefined): string {
  return s ? `${s.file ?? ""}\u0000${String(s.document ?? -1).padStart(8, "0")}\u0000${String(s.item ?? -1).padStart(8, "0")}` : "";
}

/**
 * Keeps one object per (group, kind, namespace, name) of a list sorted by {@link compareRaw}; which one is decided by
 * content, never by input order.
 */
function dedupe(sorted: readonly RawObject[], sink: DiagnosticSink): RawObject[] {
  const out: RawObject[] = [];
  for (let i = 0; i < sorted.length; ) {
    let end = i + 1;
    while (end < sorted.length && compareRaw(sorted[i]!, sorted[end]!) === 0) end++;
    if (end === i + 1) out.push(sorted[i]!);
    else out.push(keepOne(sorted.slice(i, end), sink));
    i = end;
  }
  return out;
}

function keepOne(list: readonly RawObject[], sink: DiagnosticSink): RawObject {
  const keyed = list.map((o) => ({ o, key: toCanonicalJson(o.raw), src: sourceKey(o.source) }));
  keyed.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.src, b.src));
  const kept = keyed[0]!.o;
  const distinct = new Set(keyed.map((k) => k.key)).size;
  sink.object(kept, "warning", `${list.length} objects share this kind, namespace and name${distinct > 1 ? " and they differ" : ""}; one was kept`, {
    hint: distinct > 1 ? "remove the stale copy from the snapshot" : undefined,
  });
  return kept;
}

function readObject(cluster: string, value: unknown, source: ObjectSource | undefined, position: ObjectSource, sink: DiagnosticSink): RawObject | undefined {
  // Built only on the error paths: most objects are fine, and this runs once per object in the estate.
  const at = () => strip({ cluster, file: source?.file, document: source?.document, item: source?.item });
  const atPosition = () => strip({ cluster, file: source?.file, document: source?.document ?? position.document, item: source?.item ?? position.item });
  if (!isRecord(value)) {
    if (value === null || value === undefined) return undefined; // empty YAML document
    sink.add({ ...atPosition(), severity: "error", message: "object is not a mapping; skipped", expected: "a Kubernetes object", found: renderFound(value) });
    return undefined;
  }
  const kind = value.kind;
  const apiVersion = value.apiVersion;
  const metadata = value.metadata;
  const nameHint = isRecord(metadata) && typeof metadata.name === "string" ? metadata.name : undefined;
  const nsHint = isRecord(metadata) && typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  if (typeof kind !== "string" || kind === "") {
    sink.add(strip({ ...(nameHint === undefined ? atPosition() : at()), name: nameHint, namespace: nsHint, severity: "error", message: "object has no kind; skipped", path: "kind", expected: "a string", found: renderFound(kind) }));
    return undefined;
  }
  if (typeof apiVersion !== "string" || apiVersion === "") {
    sink.add(strip({ ...(nameHint === undefined ? atPosition() : at()), kind, name: nameHint, namespace: nsHint, severity: "error", message: "object has no apiVersion; skipped", path: "apiVersion", expected: "a string like v1 or apps/v1", found: renderFound(apiVersion) }));
    return undefined;
  }
  const group = groupOf(apiVersion);
  const relevance = isRelevant(group, kind);
  if (relevance === undefined) return undefined; // unknown kinds are not errors
  const fail = (message: string, path: string, expected: string, found: unknown, name?: string, namespace?: string): undefined => {
    sink.add(strip({ ...at(), kind, name, namespace, severity: "error" as const, message, path, expected, found: renderFound(found) }));
    return undefined;
  };
  if (!isRecord(metadata)) {
    sink.add(strip({ ...atPosition(), kind, severity: "error" as const, message: "object has no metadata; skipped", path: "metadata", expected: "an object with name (and namespace)", found: renderFound(metadata) }));
    return undefined;
  }
  const name = metadata.name;
  if (typeof name !== "string" || name === "") {
    sink.add(strip({ ...atPosition(), kind, namespace: nsHint, severity: "error" as const, message: "object has no name; skipped", path: "metadata.name", expected: "a non-empty string", found: renderFound(name) }));
    return undefined;
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return fail("object name is not a valid Kubernetes name; skipped", "metadata.name", "a DNS-1123 subdomain (lower-case letters, digits, '-', '.')", name, name, nsHint);
  let namespace = "";
  if (!CLUSTER_SCOPED.has(kind)) {
    const ns = metadata.namespace;
    if (ns === undefined || ns === null || ns === "") {
      namespace = "default";
      sink.add({ ...at(), kind, name, severity: "warning", message: "object has no namespace; assuming default", path: "metadata.namespace", expected: "a namespace" });
    } else if (typeof ns !== "string" || ns.length > 63 || !DNS1123_LABEL.test(ns)) {
      return fail("object namespace is not a valid namespace name; skipped", "metadata.namespace", "a DNS-1123 label", ns, name);
    } else {
      namespace = ns;
    }
  }
  const object: { -readonly [K in keyof RawObject]: RawObject[K] } = { cluster, apiVersion, group, kind, name, namespace, labels: EMPTY, annotations: EMPTY, raw: value, source };
  object.labels = readStringMap(object, metadata.labels, "metadata.labels", sink);
  object.annotations = readStringMap(object, metadata.annotations, "metadata.annotations", sink);
  return object;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

function readStringMap(o: RawObject, value: unknown, path: string, sink: DiagnosticSink): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (!isRecord(value)) {
    sink.object(o, "error", `${path.split(".").pop()} are not a map; ignored`, { path, expected: "a map of strings", value });
    return out;
  }
  for (const key of Object.keys(value).sort(compareStrings)) {
    const v = value[key];
    if (typeof v === "string") out[key] = v;
    else sink.object(o, "error", "value is not a string; ignored", { path: `${path}.${key}`, expected: "a string", value: v, hint: typeof v === "boolean" || typeof v === "number" ? `quote it: "${String(v)}"` : undefined });
  }
  return out;
}
