import { compareStrings } from "../../codec/canonical.js";
import type { KubeObject } from "../../model/common.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PATCH_ANNOTATION, PATCH_SERVER_SIDE_APPLY, PRIVATE_KEY_ANNOTATION, isOwnedByMeshhub } from "../../translate/metadata.js";

export { PATCH_SERVER_SIDE_APPLY, PRIVATE_KEY_ANNOTATION };

/**
 * Helpers about emitted objects shared by the Kubernetes and GitOps adapters: identity, ownership, patches and
 * private keys. Pure: no I/O.
 */

/** Field manager of every server-side apply meshhub sends. */
export const FIELD_MANAGER = "meshhub";
/** Label selector matching the objects meshhub owns. */
export const OWNER_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/** Identity of an object on a cluster. `namespace` is absent for cluster-scoped objects. */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** API group of an apiVersion: `""` for the core group (`v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Version part of an apiVersion. */
export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

export function refOf(obj: KubeObject): ResourceRef {
  const ns = obj.metadata?.namespace;
  return { apiVersion: obj.apiVersion, kind: obj.kind, ...(typeof ns === "string" && ns !== "" ? { namespace: ns } : {}), name: obj.metadata?.name };
}

/** Version-independent identity: `group/Kind/namespace/name` (Istio v1 and v1beta1 objects are the same object). */
export function identityKey(ref: ResourceRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** `VirtualService bookinfo/reviews`, `Namespace istio-system`. */
export function formatRef(ref: ResourceRef): string {
  const group = groupOf(ref.apiVersion);
  const kind = group === "" || KIND_UNAMBIGUOUS.has(ref.kind) ? ref.kind : `${ref.kind}.${group}`;
  return ref.namespace !== undefined ? `${kind} ${ref.namespace}/${ref.name}` : `${kind} ${ref.name}`;
}
/** Kinds whose name alone is unambiguous among the kinds meshhub handles. */
const KIND_UNAMBIGUOUS = new Set(["VirtualService", "DestinationRule", "ServiceEntry", "Sidecar", "PeerAuthentication", "ServiceProfile", "TrafficSplit", "Server", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

/** True for a partial object meshhub applies to an object it does not own (`meshhub.io/patch` annotation). */
export function isPatchObject(obj: KubeObject): boolean {
  return typeof obj.metadata?.annotations?.[PATCH_ANNOTATION] === "string";
}

/** True for an object marked as holding private key material. */
export function holdsPrivateKey(obj: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return obj.metadata?.annotations?.[PRIVATE_KEY_ANNOTATION] === "true";
}

export { isOwnedByMeshhub };

/** Metadata fields the API server fills in; they are never sent and never compared. */
export const SERVER_METADATA_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"] as const;

/** Deep copy without server-populated fields (`status` and the metadata fields above). */
export function stripServerFields<T extends Record<string, unknown>>(obj: T): T {
  const copy = structuredClone(obj) as Record<string, unknown>;
  delete copy.status;
  const meta = copy.metadata;
  if (isRecord(meta)) for (const f of SERVER_METADATA_FIELDS) delete meta[f];
  return copy as T;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Merges two partial objects for the same target (two patches of one Service). Maps merge; any other value must be
 * equal in both, else the path of the first disagreement is returned.
 */
export function mergePartials(a: unknown, b: unknown, path: string[] = []): { merged: unknown } | { conflict: string } {
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const key of Object.keys(b).sort(compareStrings)) {
      if (!(key in out)) {
        out[key] = b[key];
        continue;
      }
      const r = mergePartials(out[key], b[key], [...path, key]);
      if ("conflict" in r) return r;
      out[key] = r.merged;
    }
    return { merged: out };
  }
  return jsonEqual(a, b) ? { merged: a } : { conflict: formatPath(path) };
}

/** `spec.http[0].route`, `metadata.annotations["meshhub.io/sources"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Apply rank of a kind: make before break. Lower ranks are applied first and pruned last. */
const APPLY_RANK: Readonly<Record<string, number>> = {
  "/Namespace": 0,
  "apiextensions.k8s.io/CustomResourceDefinition": 1,
  "/ServiceAccount": 2,
  "/Secret": 2,
  "/ConfigMap": 2,
  "/Service": 3,
  // Linkerd: a Server exists before anything that targets it; authentications and routes before the
  // authorization policies that reference them.
  "policy.linkerd.io/Server": 10,
  "policy.linkerd.io/MeshTLSAuthentication": 11,
  "policy.linkerd.io/NetworkAuthentication": 11,
  "policy.linkerd.io/HTTPRoute": 12,
  "gateway.networking.k8s.io/HTTPRoute": 12,
  "gateway.networking.k8s.io/GRPCRoute": 12,
  "policy.linkerd.io/ServerAuthorization": 13,
  "policy.linkerd.io/AuthorizationPolicy": 13,
  "linkerd.io/ServiceProfile": 14,
  "split.smi-spec.io/TrafficSplit": 15,
  "multicluster.linkerd.io/Link": 16,
  // Istio: destinations (and their subsets) before the routes that use them; mTLS DestinationRules before
  // PeerAuthentication; authorization last.
  "networking.istio.io/ServiceEntry": 20,
  "networking.istio.io/DestinationRule": 21,
  "networking.istio.io/Gateway": 22,
  "networking.istio.io/VirtualService": 23,
  "networking.istio.io/Sidecar": 24,
  "security.istio.io/PeerAuthentication": 25,
  "security.istio.io/AuthorizationPolicy": 26,
};
const DEFAULT_RANK = 50;

export function applyRank(apiVersion: string, kind: string): number {
  return APPLY_RANK[`${groupOf(apiVersion)}/${kind}`] ?? DEFAULT_RANK;
}

/** Apply order: rank, then kind, group, namespace, name. Deterministic for any input order. */
export function compareApplyOrder(a: ResourceRef, b: ResourceRef): number {
  return (
    applyRank(a.apiVersion, a.kind) - applyRank(b.apiVersion, b.kind) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(groupOf(a.apiVersion), groupOf(b.apiVersion)) ||
    compareStrings(a.namespace ?? "", b.namespace ?? "") ||
    compareStrings(a.name, b.name)
  );
}
