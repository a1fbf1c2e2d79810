import { compareStrings } from "../../codec/canonical.js";
import type { ClusterSnapshot } from "../../discovery/types.js";
import type { KubeObject } from "../../model/common.js";
import { KubeClient, type ResourceInfo } from "./client.js";
import type { ClusterConnection } from "./connection.js";
import { ClusterError } from "./errors.js";
import { isRecord } from "./objects.js";

/** One kind the snapshot reads. */
export interface SnapshotKind {
  readonly group: string;
  /** Versions to try, preferred first; the first one served is listed (objects are the same in every version). */
  readonly versions: readonly string[];
  readonly kind: string;
  /** A CRD kind: a 404 for its group means "not installed", not an error. */
  readonly crd: boolean;
}

const core = (kind: string): SnapshotKind => ({ group: "", versions: ["v1"], kind, crd: false });
const apps = (kind: string): SnapshotKind => ({ group: "apps", versions: ["v1"], kind, crd: false });
const crd = (group: string, versions: readonly string[], kind: string): SnapshotKind => ({ group, versions, kind, crd: true });
const ISTIO_NETWORKING = ["v1", "v1beta1", "v1alpha3"];
const ISTIO_SECURITY = ["v1", "v1beta1"];
const LINKERD_POLICY = ["v1beta3", "v1beta2", "v1beta1", "v1alpha1"];
const SMI_SPLIT = ["v1alpha4", "v1alpha3", "v1alpha2", "v1alpha1"];

/**
 * The kinds discovery needs, in the order they are read. Secrets: only `cacerts`, listed with the field selector
 * `metadata.name=cacerts`; when listing Secrets is forbidden, `cacerts` is read by name (`get`, which RBAC can
 * restrict with `resourceNames: [cacerts]`) in each namespace running istiod. ConfigMaps: only the mesh ones unless
 * asked. Also read beyond the list because discovery uses them: Istio `Gateway`
 * (foreign config) and `MutatingWebhookConfiguration` (Istio revision tags).
 */
export const SNAPSHOT_KINDS: readonly SnapshotKind[] = [
  core("Namespace"),
  core("Node"),
  core("Pod"),
  core("Service"),
  core("ConfigMap"),
  core("ServiceAccount"),
  apps("Deployment"),
  apps("StatefulSet"),
  apps("DaemonSet"),
  apps("ReplicaSet"),
  // after Deployments: without permission to list Secrets, cacerts is read by name where istiod runs
  core("Secret"),
  { group: "admissionregistration.k8s.io", versions: ["v1"], kind: "MutatingWebhookConfiguration", crd: false },
  crd("networking.istio.io", ISTIO_NETWORKING, "VirtualService"),
  crd("networking.istio.io", ISTIO_NETWORKING, "DestinationRule"),
  crd("networking.istio.io", ISTIO_NETWORKING, "ServiceEntry"),
  crd("networking.istio.io", ISTIO_NETWORKING, "Sidecar"),
  crd("networking.istio.io", ISTIO_NETWORKING, "Gateway"),
  crd("security.istio.io", ISTIO_SECURITY, "AuthorizationPolicy"),
  crd("security.istio.io", ISTIO_SECURITY, "PeerAuthentication"),
  crd("linkerd.io", ["v1alpha2"], "ServiceProfile"),
  crd("policy.linkerd.io", LINKERD_POLICY, "Server"),
  crd("policy.linkerd.io", LINKERD_POLICY, "HTTPRoute"),
  crd("policy.linkerd.io", ["v1alpha1"], "AuthorizationPolicy"),
  crd("gateway.networking.k8s.io", ["v1", "v1beta1"], "HTTPRoute"),
  crd("gateway.networking.k8s.io", ["v1", "v1alpha2"], "GRPCRoute"),
  crd("split.smi-spec.io", SMI_SPLIT, "TrafficSplit"),
];

/** Progress of {@link readSnapshot}, once per kind. */
export interface ReadProgress {
  readonly cluster: string;
  readonly kind: string;
  readonly group: string;
  /** apiVersion listed (absent when not installed). */
  readonly apiVersion?: string;
  readonly status: "listed" | "not-installed";
  /** Objects kept after filtering. */
  readonly count: number;
  /** 1-based position and number of kinds. */
  readonly index: number;
  readonly total: number;
}

export interface ReadSnapshotOptions {
  readonly onProgress?: (progress: ReadProgress) => void;
  /** `mesh` (default): only ConfigMaps named `istio`, `istio-*`, `linkerd-config`, `linkerd-identity-trust-roots`. */
  readonly configMaps?: "mesh" | "all";
}

/** The Secret discovery reads (Istio plugged-in CA); no other Secret is ever requested. */
const CACERTS = "cacerts";
/** Data keys of `cacerts` holding private keys: dropped, so key material never enters a snapshot. */
const PRIVATE_KEY_DATA = /(^|[-.])key\.pem$|^tls\.key$/i;
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function isMeshConfigMap(name: string): boolean {
  return name === "istio" || name.startsWith("istio-") || name === "linkerd-config" || name === "linkerd-identity-trust-roots";
}

/**
 * Reads what discovery needs from a live cluster (see {@link SNAPSHOT_KINDS}), with `apiVersion`/`kind` on every
 * object and `metadata.managedFields` removed. Objects are ordered by kind (as listed), then namespace and name.
 *
 * @throws ClusterError when the API server cannot be reached, rejects the credentials, forbids a list, or fails.
 */
export async function readSnapshot(conn: ClusterConnection, options: ReadSnapshotOptions = {}): Promise<ClusterSnapshot> {
  const client = new KubeClient(conn);
  const objects: KubeObject[] = [];
  const total = SNAPSHOT_KINDS.length;
  for (const [i, spec] of SNAPSHOT_KINDS.entries()) {
    const info = await client.resolveFirst(spec.group, spec.versions, spec.kind);
    if (!info) {
      // Built-in kinds resolve without discovery, so only a CRD kind can be missing: not installed.
      options.onProgress?.({ cluster: conn.cluster, kind: spec.kind, group: spec.group, status: "not-installed", count: 0, index: i + 1, total });
      continue;
    }
    const isSecret = spec.group === "" && spec.kind === "Secret";
    let items = isSecret ? await readCaCerts(client, info, objects) : await client.list(info);
    if (isSecret) items = items.filter((s) => s.metadata?.name === CACERTS).map(withoutPrivateKeys);
    if (spec.group === "" && spec.kind === "ConfigMap" && options.configMaps !== "all") items = items.filter((c) => isMeshConfigMap(c.metadata?.name ?? ""));
    const cleaned = items.map(withoutManagedFields).sort((a, b) => compareStrings(a.metadata.namespace ?? "", b.metadata.namespace ?? "") || compareStrings(a.metadata.name, b.metadata.name));
    objects.push(...cleaned);
    options.onProgress?.({ cluster: conn.cluster, kind: spec.kind, group: spec.group, apiVersion: info.apiVersion, status: "listed", count: cleaned.length, index: i + 1, total });
  }
  return { cluster: conn.cluster, objects };
}

/** `cacerts` Secrets: one filtered list, or (list forbidden) a `get` by name where an istiod Deployment runs. */
async function readCaCerts(client: KubeClient, info: ResourceInfo, readSoFar: readonly KubeObject[]): Promise<KubeObject[]> {
  try {
    return await client.list(info, { fieldSelector: `metadata.name=${CACERTS}` });
  } catch (e) {
    if (!(e instanceof ClusterError) || e.kind !== "forbidden") throw e;
  }
  const namespaces = new Set<string>();
  for (const o of readSoFar) {
    const name = o.metadata.name;
    if (o.kind === "Deployment" && o.metadata.namespace !== undefined && (name === "istiod" || name.startsWith("istiod-") || o.metadata.labels?.app === "istiod")) namespaces.add(o.metadata.namespace);
  }
  const out: KubeObject[] = [];
  for (const namespace of [...namespaces].sort(compareStrings)) {
    const secret = await client.get(info, { apiVersion: "v1", kind: "Secret", namespace, name: CACERTS });
    if (secret) out.push(secret);
  }
  return out;
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!isRecord(obj.metadata) || !("managedFields" in obj.metadata)) return obj;
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject["metadata"] };
}

function withoutPrivateKeys(secret: KubeObject): KubeObject {
  const out: KubeObject = { ...secret, metadata: { ...secret.metadata } };
  for (const field of ["data", "stringData"] as const) {
    const data = secret[field];
    if (isRecord(data)) out[field] = Object.fromEntries(Object.entries(data).filter(([k]) => !PRIVATE_KEY_DATA.test(k)));
  }
  const annotations = secret.metadata.annotations;
  if (annotations && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _l, ...rest } = annotations;
    out.metadata.annotations = rest;
  }
  return out;
}
