/*
 * A FAKE Kubernetes API server for tests: a small node:http(s) server on 127.0.0.1 (port 0), state in memory, that
 * answers the few endpoints meshhub's Kubernetes adapter uses with real Kubernetes response shapes:
 *   - discovery: `/api/v1`, `/apis/<group>/<version>` → `APIResourceList`; a group that is not installed → 404 `Status`;
 *   - lists: `kind: <Kind>List`, `metadata.resourceVersion` (and `continue` when paging), items WITHOUT apiVersion/kind,
 *     every object carrying `metadata.managedFields`; `labelSelector` (`k=v`, `k!=v`, `k`, `!k`) and `fieldSelector`
 *     (`metadata.name`, `metadata.namespace`) filtering;
 *   - errors: `Status` objects `{kind: Status, apiVersion: v1, status: Failure, reason, code, message, details}` for
 *     401/403/404/409/415/422/500;
 *   - server-side apply: `PATCH` with `application/apply-patch+yaml`, `fieldManager` required, per-manager field
 *     ownership (`managedFields` with `FieldsV1`, Service ports as an associative list), 409 `Conflict` when another
 *     manager owns a field with a different value unless `force=true`, fields the manager stopped applying removed,
 *     the merged object echoed (201 on create, 200 on update), `dryRun=All` computed but not persisted;
 *   - `DELETE` → `Status` Success (not persisted under `dryRun=All`).
 * A request log records method, path, query, content type and body. Requests stay on 127.0.0.1.
 * Used by test/adapter-kube.test.ts (the adapter) and test/cli-kube.test.ts (meshctl as a subprocess).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../src/model/common.js";

interface FakeType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const t = (apiVersion: string, kind: string, plural: string, namespaced = true): FakeType => {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
  return { group, version, kind, plural, namespaced };
};

const TYPES: readonly FakeType[] = [
  t("v1", "Namespace", "namespaces", false),
  t("v1", "Node", "nodes", false),
  t("v1", "Pod", "pods"),
  t("v1", "Service", "services"),
  t("v1", "ConfigMap", "configmaps"),
  t("v1", "Secret", "secrets"),
  t("v1", "ServiceAccount", "serviceaccounts"),
  t("apps/v1", "Deployment", "deployments"),
  t("apps/v1", "StatefulSet", "statefulsets"),
  t("apps/v1", "DaemonSet", "daemonsets"),
  t("apps/v1", "ReplicaSet", "replicasets"),
  t("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
  ...["VirtualService", "DestinationRule", "ServiceEntry", "Sidecar", "Gateway"].flatMap((k) => [t("networking.istio.io/v1", k, `${k.toLowerCase()}s`), t("networking.istio.io/v1beta1", k, `${k.toLowerCase()}s`)]),
  t("security.istio.io/v1", "AuthorizationPolicy", "authorizationpolicies"),
  t("security.istio.io/v1", "PeerAuthentication", "peerauthentications"),
  t("linkerd.io/v1alpha2", "ServiceProfile", "serviceprofiles"),
  t("policy.linkerd.io/v1beta3", "Server", "servers"),
  t("policy.linkerd.io/v1beta3", "HTTPRoute", "httproutes"),
  t("policy.linkerd.io/v1alpha1", "AuthorizationPolicy", "authorizationpolicies"),
  t("policy.linkerd.io/v1alpha1", "MeshTLSAuthentication", "meshtlsauthentications"),
  t("gateway.networking.k8s.io/v1", "HTTPRoute", "httproutes"),
  t("split.smi-spec.io/v1alpha2", "TrafficSplit", "trafficsplits"),
];
const BUILTIN_GROUPS = new Set(["", "apps", "admissionregistration.k8s.io"]);
const FIXED_TIME = "2024-05-01T10:00:00Z";

export type Json = Record<string, unknown>;
interface Logged {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly contentType?: string;
  readonly body?: unknown;
}
interface Manager {
  operation: "Apply" | "Update";
  paths: Set<string>;
}
interface Stored {
  obj: Json;
  managers: Map<string, Manager>;
}
interface Failure {
  method: string;
  path: string;
  code: number;
  reason: string;
  message: string;
  remaining: number;
}

const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (isObj(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
const IDENTITY = new Set([["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"]].map((p) => JSON.stringify(p)));
const BOOKKEEPING = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"];

/** Leaf paths of an applied configuration (maps recursed; scalars, lists and empty maps are leaves). */
function leafPaths(v: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (prefix.length === 1 && prefix[0] === "status") return out;
  if (prefix.length === 2 && prefix[0] === "metadata" && BOOKKEEPING.includes(prefix[1] as string)) return out;
  if (isObj(v) && Object.keys(v).length > 0) {
    for (const k of Object.keys(v)) leafPaths(v[k], [...prefix, k], out);
  } else if (prefix.length > 0 && !IDENTITY.has(JSON.stringify(prefix))) {
    out.add(JSON.stringify(prefix));
  }
  return out;
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const seg of path) cur = isObj(cur) ? cur[seg] : undefined;
  return cur;
}

function deletePath(obj: Json, path: readonly string[]): void {
  const parents: Json[] = [obj];
  let cur: unknown = obj;
  for (const seg of path.slice(0, -1)) {
    cur = isObj(cur) ? cur[seg] : undefined;
    if (!isObj(cur)) return;
    parents.push(cur);
  }
  delete (parents[parents.length - 1] as Json)[path[path.length - 1] as string];
  // drop maps emptied by the removal (not the top-level sections)
  for (let i = parents.length - 1; i >= 2; i--) {
    if (Object.keys(parents[i] as Json).length === 0) delete (parents[i - 1] as Json)[path[i - 1] as string];
  }
}

function mergeInto(target: Json, src: Json): void {
  for (const [k, v] of Object.entries(src)) {
    if (isObj(v) && isObj(target[k])) mergeInto(target[k] as Json, v);
    else target[k] = clone(v);
  }
}

export class FakeApiServer {
  readonly log: Logged[] = [];
  readonly installed: Set<string>;
  private readonly store = new Map<string, Stored>();
  private failures: Failure[] = [];
  private rv = 1000;
  private uids = 0;
  private server: Server | undefined;
  url = "";
  /** Largest page the server returns, whatever `limit` asks. */
  pageCap = Number.POSITIVE_INFINITY;
  /** When set, `fieldSelector` is ignored (as some proxies do): the adapter must still filter. */
  ignoreFieldSelector = false;
  /** When set, `labelSelector` is ignored: the adapter must never trust the server's filtering alone. */
  ignoreLabelSelector = false;
  /** Users (by bearer token) and what they are forbidden to do: `<verb> <plural>`. */
  forbidden = new Set<string>();

  constructor(readonly options: { token?: string; installed?: readonly string[]; tls?: { key: string; cert: string } } = {}) {
    this.installed = new Set(options.installed ?? ["networking.istio.io", "security.istio.io"]);
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((e: unknown) => this.send(res, 500, this.status(500, "InternalError", `fake server bug: ${(e as Error).stack}`)));
    };
    this.server = this.options.tls ? createHttpsServer(this.options.tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `${this.options.tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private typeOf(apiVersion: string, kind: string): FakeType {
    const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
    const type = TYPES.find((x) => x.group === group && x.version === version && x.kind === kind);
    if (!type) throw new Error(`fake server: unknown type ${apiVersion} ${kind}`);
    return type;
  }

  private key(type: FakeType, ns: string | undefined, name: string): string {
    return `${type.group}/${type.plural}/${type.namespaced ? (ns ?? "") : ""}/${name}`;
  }

  /** Stores an object as if another tool (default: kubectl client-side apply) had created it. */
  seed(obj: KubeObject | Json, manager = "kubectl-client-side-apply"): this {
    const o = clone(obj) as Json & KubeObject;
    const type = this.typeOf(o.apiVersion, o.kind);
    o.metadata = { uid: `uid-${++this.uids}`, resourceVersion: String(++this.rv), creationTimestamp: FIXED_TIME, ...o.metadata };
    this.store.set(this.key(type, o.metadata.namespace, o.metadata.name), { obj: o, managers: new Map([[manager, { operation: "Update", paths: leafPaths(o) }]]) });
    return this;
  }

  /** The stored object (rendered as a GET would return it), or undefined. */
  object(apiVersion: string, kind: string, ns: string | undefined, name: string): Json | undefined {
    const type = this.typeOf(apiVersion, kind);
    const s = this.store.get(this.key(type, ns, name));
    return s ? this.render(type, s) : undefined;
  }

  /** Stable dump of the whole state, to prove a dry run changed nothing. */
  dump(): string {
    return canon([...this.store.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, s]) => [k, s.obj, [...s.managers].map(([m, e]) => [m, e.operation, [...e.paths].sort()])]));
  }

  /** Answers `method path` with a Status error (`times` times, default always). */
  fail(method: string, path: string, code: number, reason: string, message: string, times = Number.POSITIVE_INFINITY): void {
    this.failures.push({ method, path, code, reason, message, remaining: times });
  }

  clearFailures(): void {
    this.failures = [];
  }

  requests(method?: string): Logged[] {
    return this.log.filter((l) => method === undefined || l.method === method);
  }

  private status(code: number, reason: string, message: string, details?: Json): Json {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  private render(type: FakeType, s: Stored, withTypeMeta = true): Json {
    const o = clone(s.obj);
    const meta = o.metadata as Json;
    meta.managedFields = [...s.managers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([manager, m]) => ({ manager, operation: m.operation, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, time: FIXED_TIME, fieldsType: "FieldsV1", fieldsV1: this.fieldsV1(type, m.paths, s.obj) }));
    if (!withTypeMeta) {
      delete o.apiVersion;
      delete o.kind;
    } else {
      o.apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
      o.kind = type.kind;
    }
    return o;
  }

  private fieldsV1(type: FakeType, paths: ReadonlySet<string>, obj: Json): Json {
    const root: Json = {};
    for (const p of [...paths].sort()) {
      const path = JSON.parse(p) as string[];
      let node = root;
      for (const seg of path) node = (node[`f:${seg}`] ??= {}) as Json;
      // Service ports are an associative list (keys port, protocol): owned item by item, as the real server says.
      if (type.kind === "Service" && p === JSON.stringify(["spec", "ports"])) {
        const ports = getPath(obj, ["spec", "ports"]);
        if (Array.isArray(ports)) {
          for (const port of ports as Json[]) node[`k:${JSON.stringify({ port: port.port, protocol: port.protocol })}`] = { ".": {}, ...Object.fromEntries(Object.keys(port).map((k) => [`f:${k}`, {}])) };
        }
      }
    }
    return root;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams.entries());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    if (raw !== "") {
      try {
        body = parseYaml(raw);
      } catch {
        body = raw;
      }
    }
    const method = req.method ?? "GET";
    const contentType = req.headers["content-type"];
    this.log.push({ method, path: url.pathname, query, ...(contentType !== undefined ? { contentType } : {}), ...(body !== undefined ? { body } : {}) });

    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) return this.send(res, 401, this.status(401, "Unauthorized", "Unauthorized"));
    const failure = this.failures.find((f) => f.method === method && f.path === url.pathname && f.remaining > 0);
    if (failure) {
      failure.remaining--;
      return this.send(res, failure.code, this.status(failure.code, failure.reason, failure.message));
    }
    const notFound = (): void => this.send(res, 404, this.status(404, "NotFound", "the server could not find the requested resource", {}));
    const segs = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === "api" && segs[1] === "v1") [group, version, rest] = ["", "v1", segs.slice(2)];
    else if (segs[0] === "apis" && segs.length >= 3) [group, version, rest] = [segs[1] as string, segs[2] as string, segs.slice(3)];
    else return notFound();
    if (!BUILTIN_GROUPS.has(group) && !this.installed.has(group)) return notFound();
    const types = TYPES.filter((x) => x.group === group && x.version === version);
    if (types.length === 0) return notFound();
    const apiVersion = group ? `${group}/${version}` : version;
    if (rest.length === 0) {
      if (method !== "GET") return this.send(res, 405, this.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
      return this.send(res, 200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: apiVersion,
        resources: types.flatMap((x) => [
          { name: x.plural, singularName: x.kind.toLowerCase(), namespaced: x.namespaced, kind: x.kind, verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"] },
          { name: `${x.plural}/status`, singularName: "", namespaced: x.namespaced, kind: x.kind, verbs: ["get", "patch", "update"] },
        ]),
      });
    }
    let ns: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      if (rest.length > 4) return notFound();
      [ns, plural, name] = [rest[1], rest[2] as string, rest[3]];
    } else {
      if (rest.length > 2) return notFound();
      [plural, name] = [rest[0] as string, rest[1]];
    }
    const type = types.find((x) => x.plural === plural);
    if (!type || (ns !== undefined && !type.namespaced)) return notFound();
    const verb = name === undefined ? (method === "GET" ? "list" : "unsupported") : method === "GET" ? "get" : method === "PATCH" ? "patch" : method === "DELETE" ? "delete" : "unsupported";
    if (verb === "unsupported") return this.send(res, 405, this.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
    const gr = `${type.plural}${type.group ? `.${type.group}` : ""}`;
    if (this.forbidden.has(`${verb} ${type.plural}`)) {
      const scope = ns !== undefined ? `in the namespace "${ns}"` : "at the cluster scope";
      return this.send(res, 403, this.status(403, "Forbidden", `${gr}${name ? ` "${name}"` : ""} is forbidden: User "meshhub-test" cannot ${verb} resource "${type.plural}" in API group "${type.group}" ${scope}`, { kind: type.plural, group: type.group }));
    }
    if (verb === "list") return this.list(res, type, ns, query);
    const objName = name as string;
    const key = this.key(type, ns, objName);
    const stored = this.store.get(key);
    const missing = (): void => this.send(res, 404, this.status(404, "NotFound", `${gr} "${objName}" not found`, { name: objName, group: type.group, kind: type.plural }));
    if (verb === "get") return stored ? this.send(res, 200, this.render(type, stored)) : missing();
    const dryRun = query.dryRun === "All";
    if (query.dryRun !== undefined && !dryRun) return this.send(res, 400, this.status(400, "BadRequest", `Invalid dry run value: ${query.dryRun}`));
    if (verb === "delete") {
      if (!stored) return missing();
      if (!dryRun) this.store.delete(key);
      return this.send(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: objName, group: type.group, kind: type.plural, uid: (stored.obj.metadata as Json).uid } });
    }
    // PATCH: server-side apply only
    if (contentType !== "application/apply-patch+yaml") return this.send(res, 415, this.status(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`));
    const manager = query.fieldManager;
    if (!manager) return this.send(res, 422, this.status(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`));
    if (query.force !== undefined && query.force !== "true" && query.force !== "false") return this.send(res, 400, this.status(400, "BadRequest", `invalid force value ${query.force}`));
    if (!isObj(body) || !isObj(body.metadata)) return this.send(res, 400, this.status(400, "BadRequest", "error decoding YAML: not an object"));
    const applied = body;
    const meta = applied.metadata as Json;
    if (meta.managedFields !== undefined) return this.send(res, 400, this.status(400, "BadRequest", "metadata.managedFields must be nil"));
    if (applied.kind !== type.kind || applied.apiVersion !== apiVersion) return this.send(res, 400, this.status(400, "BadRequest", `the kind/apiVersion of the object (${String(applied.apiVersion)}, ${String(applied.kind)}) does not match the URL`));
    if (meta.name !== objName) return this.send(res, 400, this.status(400, "BadRequest", `the name of the object (${String(meta.name)}) does not match the name on the URL (${objName})`));
    if (type.namespaced && meta.namespace !== undefined && meta.namespace !== ns) return this.send(res, 400, this.status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"));
    if (type.namespaced && !this.store.has(this.key(TYPES[0] as FakeType, undefined, ns as string))) return this.send(res, 404, this.status(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" }));
    const force = query.force === "true";
    const appliedPaths = leafPaths(applied);
    let next: Json;
    const managers = new Map<string, Manager>(stored ? [...stored.managers].map(([m, e]) => [m, { operation: e.operation, paths: new Set(e.paths) }]) : []);
    if (stored) {
      const conflicts: { manager: string; path: string[] }[] = [];
      for (const [m, e] of managers) {
        if (m === manager) continue;
        for (const p of appliedPaths) {
          const path = JSON.parse(p) as string[];
          if (e.paths.has(p) && canon(getPath(stored.obj, path)) !== canon(getPath(applied, path))) conflicts.push({ manager: m, path });
        }
      }
      if (conflicts.length > 0 && !force) {
        const fields = conflicts.map((c) => `conflict with "${c.manager}" using ${apiVersion}: .${c.path.join(".")}`);
        return this.send(
          res,
          409,
          this.status(409, "Conflict", `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: ${fields.join("; ")}`, {
            name: objName,
            group: type.group,
            kind: type.plural,
            causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}" using ${apiVersion}`, field: `.${c.path.join(".")}` })),
          }),
        );
      }
      for (const c of conflicts) managers.get(c.manager)?.paths.delete(JSON.stringify(c.path));
      next = clone(stored.obj);
      const previous = managers.get(manager)?.paths ?? new Set<string>();
      for (const p of previous) {
        const ownedByOthers = [...managers].some(([m, e]) => m !== manager && e.paths.has(p));
        if (!appliedPaths.has(p) && !ownedByOthers) deletePath(next, JSON.parse(p) as string[]);
      }
      const { status: _status, ...spec } = applied;
      mergeInto(next, spec);
    } else {
      const { status: _status, ...spec } = clone(applied);
      next = spec;
    }
    managers.set(manager, { operation: "Apply", paths: appliedPaths });
    for (const [m, e] of [...managers]) if (e.paths.size === 0) managers.delete(m);
    // defaulting, as the API server does for Services
    if (type.kind === "Service" && isObj(next.spec) && Array.isArray(next.spec.ports)) for (const p of next.spec.ports as Json[]) p.protocol ??= "TCP";
    const nextMeta = next.metadata as Json;
    const strip = (o: Json): Json => {
      const c = clone(o);
      for (const f of BOOKKEEPING) delete (c.metadata as Json)[f];
      return c;
    };
    const changed = !stored || canon(strip(stored.obj)) !== canon(strip(next));
    const prevMeta = (stored?.obj.metadata ?? {}) as Json;
    nextMeta.uid = prevMeta.uid ?? `uid-${++this.uids}`;
    nextMeta.creationTimestamp = prevMeta.creationTimestamp ?? FIXED_TIME;
    nextMeta.resourceVersion = changed ? String(++this.rv) : prevMeta.resourceVersion;
    const specChanged = !stored || canon(stored.obj.spec) !== canon(next.spec);
    nextMeta.generation = specChanged ? Number(prevMeta.generation ?? 0) + 1 : prevMeta.generation;
    if (type.namespaced) nextMeta.namespace = ns;
    const result: Stored = { obj: next, managers };
    if (!dryRun) this.store.set(key, result);
    return this.send(res, stored ? 200 : 201, this.render(type, result));
  }

  private list(res: ServerResponse, type: FakeType, ns: string | undefined, query: Record<string, string>): void {
    const prefix = `${type.group}/${type.plural}/`;
    let items = [...this.store.entries()].filter(([k]) => k.startsWith(prefix)).map(([, s]) => s);
    if (ns !== undefined) items = items.filter((s) => (s.obj.metadata as Json).namespace === ns);
    const labels = (s: Stored): Json => ((s.obj.metadata as Json).labels ?? {}) as Json;
    for (const term of (this.ignoreLabelSelector ? "" : (query.labelSelector ?? "")).split(",").filter((x) => x !== "")) {
      const m = /^(!)?([^!=]+)(?:(!=|==|=)(.*))?$/.exec(term);
      if (!m) return this.send(res, 400, this.status(400, "BadRequest", `unable to parse requirement: ${term}`));
      const [, not, k, op, v] = m as unknown as [string, string | undefined, string, string | undefined, string | undefined];
      items = items.filter((s) => {
        const have = labels(s)[k];
        if (op === undefined) return not ? have === undefined : have !== undefined;
        return op === "!=" ? have !== v : have === v;
      });
    }
    if (!this.ignoreFieldSelector) {
      for (const term of (query.fieldSelector ?? "").split(",").filter((x) => x !== "")) {
        const [field, value] = term.split("=") as [string, string];
        if (field !== "metadata.name" && field !== "metadata.namespace") return this.send(res, 400, this.status(400, "BadRequest", `field label not supported: ${field}`));
        const f = field.slice("metadata.".length);
        items = items.filter((s) => (s.obj.metadata as Json)[f] === value);
      }
    }
    items.sort((a, b) => canon([(a.obj.metadata as Json).namespace ?? "", (a.obj.metadata as Json).name]).localeCompare(canon([(b.obj.metadata as Json).namespace ?? "", (b.obj.metadata as Json).name])));
    const limit = Math.min(query.limit !== undefined ? Number(query.limit) : Number.POSITIVE_INFINITY, this.pageCap);
    const start = query.continue !== undefined ? Number(Buffer.from(query.continue, "base64").toString("utf8")) : 0;
    const page = items.slice(start, start + limit);
    const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString("base64") : undefined;
    this.send(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      metadata: { resourceVersion: String(this.rv), ...(next !== undefined ? { continue: next } : {}) },
      items: page.map((s) => this.render(type, s, false)),
    });
  }
}

/** A kubeconfig (like `kubectl proxy`: plain http on loopback, bearer token) with one context per entry. */
export function kubeconfigText(contexts: readonly { name: string; server: string; token: string; caData?: string }[], current?: string): string {
  const lines = ["apiVersion: v1", "kind: Config", "clusters:"];
  for (const c of contexts) lines.push(`- name: ${c.name}-cluster`, "  cluster:", `    server: ${c.server}`, ...(c.caData !== undefined ? [`    certificate-authority-data: ${c.caData}`] : []));
  lines.push("users:");
  for (const c of contexts) lines.push(`- name: ${c.name}-user`, "  user:", `    token: ${c.token}`);
  lines.push("contexts:");
  for (const c of contexts) lines.push(`- name: ${c.name}`, "  context:", `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`);
  lines.push(`current-context: ${current ?? contexts[0]?.name ?? ""}`, "");
  return lines.join("\n");
}
