import type { KubeObject } from "../../model/common.js";
import type { ClusterConnection, TransportRequest } from "./connection.js";
import { asStatus, errorFromException, errorFromResponse, type ClusterError, type ErrorContext, type KubeStatus } from "./errors.js";
import { FIELD_MANAGER, formatRef, groupOf, isRecord, versionOf, type ResourceRef } from "./objects.js";

/** How to reach one kind on the API server. */
export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Resource name in URLs, e.g. `virtualservices`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

function builtin(apiVersion: string, kind: string, plural: string, namespaced = true): ResourceInfo {
  return { group: groupOf(apiVersion), version: versionOf(apiVersion), apiVersion, kind, plural, namespaced };
}

/** Built-in kinds, which every API server serves: no discovery request needed. */
const BUILTIN: readonly ResourceInfo[] = [
  builtin("v1", "Namespace", "namespaces", false),
  builtin("v1", "Node", "nodes", false),
  builtin("v1", "Pod", "pods"),
  builtin("v1", "Service", "services"),
  builtin("v1", "ConfigMap", "configmaps"),
  builtin("v1", "Secret", "secrets"),
  builtin("v1", "ServiceAccount", "serviceaccounts"),
  builtin("v1", "Endpoints", "endpoints"),
  builtin("apps/v1", "Deployment", "deployments"),
  builtin("apps/v1", "StatefulSet", "statefulsets"),
  builtin("apps/v1", "DaemonSet", "daemonsets"),
  builtin("apps/v1", "ReplicaSet", "replicasets"),
  builtin("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
];
const BUILTIN_BY_KEY = new Map(BUILTIN.map((r) => [`${r.apiVersion}/${r.kind}`, r]));

/** Path of the API group version: `/api/v1`, `/apis/networking.istio.io/v1`. */
export function groupVersionPath(group: string, version: string): string {
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Collection path, across all namespaces when `namespace` is undefined. */
export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const ns = info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${groupVersionPath(info.group, info.version)}${ns}/${info.plural}`;
}

export function objectPath(info: ResourceInfo, ref: { namespace?: string; name: string }): string {
  return `${collectionPath(info, ref.namespace)}/${encodeURIComponent(ref.name)}`;
}

/** A response with its parsed JSON body. */
interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly raw: string;
}

/** Outcome of a write: the object the server returned, or the server's error. */
export type WriteResult = { readonly ok: true; readonly object: KubeObject | undefined } | { readonly ok: false; readonly error: ClusterError; readonly status?: KubeStatus };

const PAGE_SIZE = 500;

/** A thin REST client over a {@link ClusterConnection}: raw JSON in and out, no typed (de)serialisation. */
export class KubeClient {
  private readonly discovery = new Map<string, Promise<readonly { kind: string; plural: string; namespaced: boolean }[] | null>>();
  /** True once a request that may change the cluster (PATCH, DELETE) has been sent. */
  mutated = false;

  constructor(readonly conn: ClusterConnection) {}

  get errorContext(): ErrorContext {
    return { cluster: this.conn.cluster, context: this.conn.context, server: this.conn.server };
  }

  /** Sends one request. Throws a {@link ClusterError} only when no HTTP response arrived. */
  async send(req: TransportRequest): Promise<ApiResponse> {
    if (req.method !== "GET") this.mutated = true;
    let res;
    try {
      res = await this.conn.transport.request(req);
    } catch (e) {
      throw errorFromException(this.errorContext, e);
    }
    let body: unknown;
    try {
      body = res.body === "" ? undefined : JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.status, body, raw: res.body };
  }

  private fail(res: ApiResponse, what: string): ClusterError {
    return errorFromResponse(this.errorContext, res.status, res.body, res.raw, what);
  }

  /** Resources served by a group version, or null when the group version is not served (404). Cached. */
  discover(group: string, version: string): Promise<readonly { kind: string; plural: string; namespaced: boolean }[] | null> {
    const key = `${group}/${version}`;
    let cached = this.discovery.get(key);
    if (!cached) {
      cached = (async () => {
        const path = groupVersionPath(group, version);
        const res = await this.send({ method: "GET", path });
        if (res.status === 404) return null;
        if (res.status !== 200 || !isRecord(res.body) || !Array.isArray(res.body.resources)) throw this.fail(res, `discover ${path}`);
        const out: { kind: string; plural: string; namespaced: boolean }[] = [];
        for (const r of res.body.resources as unknown[]) {
          if (!isRecord(r) || typeof r.name !== "string" || typeof r.kind !== "string" || r.name.includes("/")) continue;
          out.push({ kind: r.kind, plural: r.name, namespaced: r.namespaced === true });
        }
        return out;
      })();
      this.discovery.set(key, cached);
      cached.catch(() => this.discovery.delete(key));
    }
    return cached;
  }

  /** How to reach `kind` of `apiVersion`, or undefined when the server does not serve it. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const known = BUILTIN_BY_KEY.get(`${apiVersion}/${kind}`);
    if (known) return known;
    const group = groupOf(apiVersion);
    const version = versionOf(apiVersion);
    const resources = await this.discover(group, version);
    const r = resources?.find((x) => x.kind === kind);
    return r ? { group, version, apiVersion, kind, plural: r.plural, namespaced: r.namespaced } : undefined;
  }

  /** The first of `versions` that serves `kind` of `group`, or undefined when none does (CRD not installed). */
  async resolveFirst(group: string, versions: readonly string[], kind: string): Promise<ResourceInfo | undefined> {
    for (const v of versions) {
      const info = await this.resolve(group === "" ? v : `${group}/${v}`, kind);
      if (info) return info;
    }
    return undefined;
  }

  /** Lists a kind (all namespaces), following `continue` tokens. Items get their `apiVersion` and `kind` back. */
  async list(info: ResourceInfo, options: { labelSelector?: string; fieldSelector?: string; namespace?: string } = {}): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    const path = collectionPath(info, options.namespace);
    do {
      const query: Record<string, string> = { limit: String(PAGE_SIZE) };
      if (options.labelSelector !== undefined) query.labelSelector = options.labelSelector;
      if (options.fieldSelector !== undefined) query.fieldSelector = options.fieldSelector;
      if (token !== undefined) query.continue = token;
      const res = await this.send({ method: "GET", path, query });
      if (res.status !== 200 || !isRecord(res.body) || !Array.isArray(res.body.items)) throw this.fail(res, `list ${info.plural}${info.group ? `.${info.group}` : ""}`);
      const apiVersion = typeof res.body.apiVersion === "string" && res.body.apiVersion !== "" ? res.body.apiVersion : info.apiVersion;
      for (const item of res.body.items as unknown[]) {
        if (!isRecord(item)) continue;
        // The API omits apiVersion and kind on list items; put them back first, as `kubectl get -o yaml` does.
        const { apiVersion: _a, kind: _k, ...rest } = item;
        items.push({ apiVersion, kind: info.kind, ...rest } as KubeObject);
      }
      const meta = res.body.metadata;
      token = isRecord(meta) && typeof meta.continue === "string" && meta.continue !== "" ? meta.continue : undefined;
    } while (token !== undefined);
    return items;
  }

  /** Reads one object; undefined when it does not exist. */
  async get(info: ResourceInfo, ref: ResourceRef): Promise<KubeObject | undefined> {
    const res = await this.send({ method: "GET", path: objectPath(info, ref) });
    if (res.status === 404) return undefined;
    if (res.status !== 200 || !isRecord(res.body)) throw this.fail(res, `read ${formatRef(ref)}`);
    return res.body as KubeObject;
  }

  /**
   * Server-side apply: `PATCH` with `application/apply-patch+yaml` (JSON is YAML), `fieldManager=meshhub`,
   * `force=true` only when asked, `dryRun=All` when asked.
   */
  async apply(info: ResourceInfo, obj: KubeObject, options: { force: boolean; dryRun: boolean }): Promise<WriteResult> {
    const query: Record<string, string> = { fieldManager: FIELD_MANAGER };
    if (options.force) query.force = "true";
    if (options.dryRun) query.dryRun = "All";
    const ref = { ...(obj.metadata.namespace !== undefined ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata.name };
    const res = await this.send({ method: "PATCH", path: objectPath(info, ref), query, body: JSON.stringify(obj), contentType: "application/apply-patch+yaml" });
    if (res.status === 200 || res.status === 201) return { ok: true, object: isRecord(res.body) ? (res.body as KubeObject) : undefined };
    const status = asStatus(res.body);
    return { ok: false, error: this.fail(res, `apply ${formatRef({ apiVersion: obj.apiVersion, kind: obj.kind, ...ref })}`), ...(status ? { status } : {}) };
  }

  /** Deletes one object (background propagation); a 404 counts as deleted. */
  async remove(info: ResourceInfo, ref: ResourceRef, options: { dryRun: boolean }): Promise<WriteResult> {
    const query: Record<string, string> = { propagationPolicy: "Background" };
    if (options.dryRun) query.dryRun = "All";
    const res = await this.send({ method: "DELETE", path: objectPath(info, ref), query });
    if (res.status === 200 || res.status === 202 || res.status === 404) return { ok: true, object: undefined };
    const status = asStatus(res.body);
    return { ok: false, error: this.fail(res, `delete ${formatRef(ref)}`), ...(status ? { status } : {}) };
  }
}
