import type { KubeObject } from "../../model/common.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PATCH_ANNOTATION } from "../../translate/metadata.js";
import { KubeClient, type ResourceInfo } from "./client.js";
import type { ClusterConnection } from "./connection.js";
import { diffFields, type ConflictReason, type DiffEntry } from "./diff.js";
import { errorFromException, type ClusterError, type ClusterErrorKind } from "./errors.js";
import {
  OWNER_SELECTOR,
  compareApplyOrder,
  formatRef,
  groupOf,
  holdsPrivateKey,
  identityKey,
  isOwnedByMeshhub,
  isPatchObject,
  isRecord,
  jsonEqual,
  mergePartials,
  refOf,
  stripServerFields,
  versionOf,
  type ResourceRef,
} from "./objects.js";

export interface AppliedEntry {
  readonly ref: ResourceRef;
  /** From the object read just before applying (in a dry run: what would happen). */
  readonly action: "created" | "configured" | "unchanged";
  /** A partial object applied to an object meshhub does not own. */
  readonly patch: boolean;
}

export interface ConflictEntry {
  readonly ref: ResourceRef;
  readonly reason: Exclude<ConflictReason, "invalid" | "not-served">;
  readonly message: string;
}

export interface FailedEntry {
  readonly ref: ResourceRef;
  readonly operation: "validate" | "apply" | "prune";
  /** The API server's `Status.message` (or the connection problem). */
  readonly message: string;
  readonly errorKind?: ClusterErrorKind;
  readonly code?: number;
  readonly reason?: string;
}

export interface NotAttemptedEntry {
  readonly ref: ResourceRef;
  readonly operation: "apply" | "prune";
}

/**
 * What {@link applyManifests} did. After a failure nothing more is sent: `notAttempted` lists what was left, and
 * prune is skipped. Rerunning converges: server-side apply is idempotent.
 */
export interface ApplyReport {
  readonly cluster: string;
  readonly dryRun: boolean;
  /** Applied objects, in apply order. */
  readonly applied: readonly AppliedEntry[];
  /** Deleted by prune (owned by meshhub, no longer wanted), in prune order. */
  readonly pruned: readonly ResourceRef[];
  /** Owned and no longer wanted, but never pruned (hold a private key): delete them by hand if intended. */
  readonly retained: readonly { readonly ref: ResourceRef; readonly reason: string }[];
  /** Skipped objects; they do not stop the apply. */
  readonly conflicts: readonly ConflictEntry[];
  readonly failed: readonly FailedEntry[];
  readonly notAttempted: readonly NotAttemptedEntry[];
  /** `done`, `not-requested`, or `skipped` because something failed first. */
  readonly prune: "done" | "not-requested" | "skipped";
  /** True when nothing failed and nothing conflicted. */
  readonly ok: boolean;
}

/** Progress of {@link applyManifests}, once per object. */
export interface ApplyProgress {
  readonly cluster: string;
  readonly phase: "apply" | "prune";
  readonly ref: ResourceRef;
  readonly outcome: "created" | "configured" | "unchanged" | "conflict" | "failed" | "pruned";
  /** 1-based position and count within the phase. */
  readonly index: number;
  readonly total: number;
}

export interface ApplyOptions {
  /** Server-side dry run (`dryRun=All`) for every write: the cluster does not change. */
  readonly dryRun?: boolean;
  /**
   * Delete objects labelled `app.kubernetes.io/managed-by=meshhub` that are not in `objects` (of the kinds meshhub
   * emits). `objects` must then be the complete set for the cluster. Namespaces and Secrets holding private keys
   * are never pruned.
   */
  readonly prune?: boolean;
  readonly onProgress?: (progress: ApplyProgress) => void;
}

/** An object ready to send, with its identity. */
interface Prepared {
  readonly ref: ResourceRef;
  readonly body: KubeObject;
  readonly patch: boolean;
}

interface Invalid {
  readonly ref: ResourceRef;
  readonly message: string;
}

function bestEffortRef(o: unknown, index: number): ResourceRef {
  const v = isRecord(o) ? o : {};
  const meta = isRecord(v.metadata) ? v.metadata : {};
  return {
    apiVersion: typeof v.apiVersion === "string" ? v.apiVersion : "",
    kind: typeof v.kind === "string" ? v.kind : "<no kind>",
    ...(typeof meta.namespace === "string" ? { namespace: meta.namespace } : {}),
    name: typeof meta.name === "string" ? meta.name : `<object ${index}>`,
  };
}

/**
 * Checks and orders the manifests: identity present; the owner label on every owned object and never on a patch
 * (a patch carrying it would make meshhub claim, and later prune, the user's object); duplicates merged when they
 * agree (patches of one target are merged: two server-side applies by one field manager would undo each other).
 */
function prepare(objects: readonly KubeObject[]): { items: Prepared[]; invalid: Invalid[] } {
  const invalid: Invalid[] = [];
  const byKey = new Map<string, Prepared>();
  objects.forEach((o, index) => {
    const ref = bestEffortRef(o, index);
    if (!isRecord(o) || typeof o.apiVersion !== "string" || o.apiVersion === "" || typeof o.kind !== "string" || o.kind === "" || !isRecord(o.metadata) || typeof o.metadata.name !== "string" || o.metadata.name === "") {
      invalid.push({ ref, message: "not a Kubernetes object with apiVersion, kind and metadata.name" });
      return;
    }
    const patch = isPatchObject(o);
    if (patch && o.metadata.labels?.[MANAGED_BY_LABEL] !== undefined) {
      invalid.push({ ref, message: `a patch (${PATCH_ANNOTATION}) must not carry the ${MANAGED_BY_LABEL} label: it would claim an object meshhub does not own` });
      return;
    }
    if (!patch && !isOwnedByMeshhub(o)) {
      invalid.push({ ref, message: `refusing to apply an object without the owner label ${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}` });
      return;
    }
    const body = stripServerFields(o);
    const k = `${identityKey(refOf(o))}${patch ? "#patch" : ""}`;
    const prior = byKey.get(k);
    if (prior) {
      if (jsonEqual(prior.body, body)) return;
      const merged = patch ? mergePartials(prior.body, body) : undefined;
      if (merged === undefined || "conflict" in merged) {
        invalid.push({ ref, message: merged && "conflict" in merged ? `two patches of this object disagree at ${merged.conflict}` : "two different manifests for the same object" });
        return;
      }
      byKey.set(k, { ...prior, body: merged.merged as KubeObject });
      return;
    }
    byKey.set(k, { ref: refOf(o), body, patch });
  });
  // A patch of an object meshhub itself applies is folded into it: applied separately by the same field manager,
  // the partial object would take back every field of the full one (as kustomize `patches:` does in the GitOps tree).
  for (const [k, p] of [...byKey.entries()]) {
    if (!p.patch) continue;
    const target = byKey.get(k.slice(0, -"#patch".length));
    if (!target) continue;
    byKey.delete(k);
    const { [PATCH_ANNOTATION]: _p, ...annotations } = p.body.metadata.annotations ?? {};
    const { annotations: _a, ...metadata } = p.body.metadata;
    const partial = { ...p.body, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
    const merged = mergePartials(target.body, partial);
    if ("conflict" in merged) invalid.push({ ref: p.ref, message: `patch disagrees with meshhub's own manifest of this object at ${merged.conflict}` });
    else byKey.set(k.slice(0, -"#patch".length), { ...target, body: merged.merged as KubeObject });
  }
  const items = [...byKey.values()].sort((a, b) => compareApplyOrder(a.ref, b.ref) || Number(a.patch) - Number(b.patch));
  return { items, invalid };
}

type Evaluation = { readonly info: ResourceInfo; readonly live: KubeObject | undefined; readonly entry: DiffEntry } | { readonly info: undefined; readonly entry: DiffEntry };

/** Reads the live object and decides what applying `item` means. Throws ClusterError when the read fails. */
async function evaluate(client: KubeClient, item: Prepared): Promise<Evaluation> {
  const { ref, patch } = item;
  const base = { ref, ...(patch ? { patch: true } : {}) };
  const info = await client.resolve(ref.apiVersion, ref.kind);
  if (!info) {
    return { info: undefined, entry: { ...base, action: "conflict", reason: "not-served", message: `the cluster does not serve ${ref.kind} in ${ref.apiVersion} (is its CRD installed?)` } };
  }
  if (info.namespaced && ref.namespace === undefined) {
    return { info: undefined, entry: { ...base, action: "conflict", reason: "invalid", message: `${ref.kind} is namespaced but the manifest has no metadata.namespace` } };
  }
  const live = await client.get(info, ref);
  if (patch) {
    if (!live) return { info, live, entry: { ...base, action: "conflict", reason: "patch-target-missing", message: `patch target does not exist; meshhub only patches existing objects` } };
  } else if (!live) {
    return { info, live, entry: { ...base, action: "create" } };
  } else if (!isOwnedByMeshhub(live)) {
    return { info, live, entry: { ...base, action: "conflict", reason: "not-owned", message: `exists without the ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE} label: not owned by meshhub, left untouched` } };
  }
  const changes = diffFields(item.body, live);
  return { info, live, entry: changes.length > 0 ? { ...base, action: "update", changes } : { ...base, action: "unchanged" } };
}

const CONNECTION_LEVEL: ReadonlySet<ClusterErrorKind> = new Set(["unreachable", "unauthorized", "bad-kubeconfig", "unknown-context"]);

/** The kinds meshhub emits, for prune: group, versions to try (preferred first), kind. */
const PRUNE_KINDS: readonly { group: string; versions: readonly string[]; kind: string }[] = [
  { group: "", versions: ["v1"], kind: "ConfigMap" },
  { group: "", versions: ["v1"], kind: "Secret" },
  { group: "", versions: ["v1"], kind: "Service" },
  { group: "", versions: ["v1"], kind: "ServiceAccount" },
  ...["VirtualService", "DestinationRule", "ServiceEntry", "Gateway", "Sidecar"].map((kind) => ({ group: "networking.istio.io", versions: ["v1", "v1beta1", "v1alpha3"], kind })),
  ...["AuthorizationPolicy", "PeerAuthentication"].map((kind) => ({ group: "security.istio.io", versions: ["v1", "v1beta1"], kind })),
  { group: "linkerd.io", versions: ["v1alpha2"], kind: "ServiceProfile" },
  ...["Server", "HTTPRoute"].map((kind) => ({ group: "policy.linkerd.io", versions: ["v1beta3", "v1beta2", "v1beta1", "v1alpha1"], kind })),
  ...["AuthorizationPolicy", "MeshTLSAuthentication", "NetworkAuthentication"].map((kind) => ({ group: "policy.linkerd.io", versions: ["v1alpha1"], kind })),
  { group: "policy.linkerd.io", versions: ["v1beta1"], kind: "ServerAuthorization" },
  { group: "gateway.networking.k8s.io", versions: ["v1", "v1beta1"], kind: "HTTPRoute" },
  { group: "gateway.networking.k8s.io", versions: ["v1", "v1alpha2"], kind: "GRPCRoute" },
  { group: "split.smi-spec.io", versions: ["v1alpha4", "v1alpha3", "v1alpha2", "v1alpha1"], kind: "TrafficSplit" },
];

/** Kinds never pruned: deleting a Namespace deletes everything in it. */
const NEVER_PRUNED = new Set(["/Namespace", "apiextensions.k8s.io/CustomResourceDefinition"]);

interface PrunePlan {
  readonly candidates: { readonly info: ResourceInfo; readonly ref: ResourceRef }[];
  readonly retained: { readonly ref: ResourceRef; readonly reason: string }[];
}

/** Listing the owned objects of one kind failed; `ref` names the kind (`name: "*"`). */
class PruneListError extends Error {
  constructor(
    readonly ref: ResourceRef,
    readonly error: unknown,
  ) {
    super("prune list failed");
  }
}

/** Owned objects of the kinds meshhub emits that are not wanted. Only label-selected objects are ever considered. */
async function planPrune(client: KubeClient, wanted: readonly Prepared[]): Promise<PrunePlan> {
  const kinds = new Map<string, { group: string; versions: string[]; kind: string }>();
  for (const k of PRUNE_KINDS) kinds.set(`${k.group}/${k.kind}`, { ...k, versions: [...k.versions] });
  for (const w of wanted) {
    if (w.patch) continue;
    const g = groupOf(w.ref.apiVersion);
    const k = `${g}/${w.ref.kind}`;
    const entry = kinds.get(k) ?? { group: g, versions: [], kind: w.ref.kind };
    if (!entry.versions.includes(versionOf(w.ref.apiVersion))) entry.versions.unshift(versionOf(w.ref.apiVersion));
    kinds.set(k, entry);
  }
  const wantedKeys = new Set(wanted.filter((w) => !w.patch).map((w) => identityKey(w.ref)));
  // A cluster-scoped object comes back without a namespace even if its manifest (wrongly) had one.
  const wantedClusterScoped = new Set(wanted.filter((w) => !w.patch).map((w) => identityKey({ ...w.ref, namespace: undefined })));
  const candidates: PrunePlan["candidates"][number][] = [];
  const retained: PrunePlan["retained"][number][] = [];
  for (const [k, spec] of [...kinds.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (NEVER_PRUNED.has(k)) continue;
    const info = await client.resolveFirst(spec.group, spec.versions, spec.kind);
    if (!info) continue; // not installed: nothing of that kind to prune
    let owned: KubeObject[];
    try {
      owned = await client.list(info, { labelSelector: OWNER_SELECTOR });
    } catch (e) {
      throw new PruneListError({ apiVersion: info.apiVersion, kind: info.kind, name: "*" }, e);
    }
    for (const live of owned) {
      if (!isOwnedByMeshhub(live)) continue; // never trust the server's filtering alone
      const ref = refOf(live);
      if (info.namespaced ? wantedKeys.has(identityKey(ref)) : wantedClusterScoped.has(identityKey(ref))) continue;
      if (holdsPrivateKey(live)) retained.push({ ref, reason: "holds a private key: never pruned; delete it by hand if it is really unused" });
      else candidates.push({ info, ref });
    }
  }
  // Break after make: prune in reverse apply order (VirtualService before DestinationRule).
  candidates.sort((a, b) => compareApplyOrder(b.ref, a.ref));
  return { candidates, retained };
}

function failure(ref: ResourceRef, operation: FailedEntry["operation"], e: ClusterError): FailedEntry {
  return { ref, operation, message: e.message, errorKind: e.kind, ...(e.status ? { code: e.status.code, ...(e.status.reason !== undefined ? { reason: e.status.reason } : {}) } : {}) };
}

/**
 * Applies manifests to one cluster with server-side apply (`fieldManager=meshhub`), in make-before-break order:
 * Namespaces, ServiceAccounts/Secrets/ConfigMaps, Services, then mesh config (Server before AuthorizationPolicy,
 * DestinationRule before VirtualService). Owned objects are applied with `force=true` after checking that the
 * live object, if any, carries the owner label (else: skipped, reported as a conflict). Patches
 * (`meshhub.io/patch`) are applied without `force`, only to existing objects, so meshhub only owns the fields they
 * set. Then, if asked, prune deletes owned leftovers (reverse order).
 *
 * A failure part-way stops the run and is returned (not thrown) in the report.
 *
 * @throws ClusterError when the cluster cannot be used at all (unreachable, credentials rejected) before anything
 *   was sent that could change it.
 */
export async function applyManifests(conn: ClusterConnection, objects: readonly KubeObject[], options: ApplyOptions = {}): Promise<ApplyReport> {
  const client = new KubeClient(conn);
  const dryRun = options.dryRun ?? false;
  const { items, invalid } = prepare(objects);
  const applied: AppliedEntry[] = [];
  const conflicts: ConflictEntry[] = [];
  const failed: FailedEntry[] = [];
  const notAttempted: NotAttemptedEntry[] = [];
  const pruned: ResourceRef[] = [];
  let retained: PrunePlan["retained"] = [];
  const progress = (phase: ApplyProgress["phase"], ref: ResourceRef, outcome: ApplyProgress["outcome"], index: number, total: number): void =>
    options.onProgress?.({ cluster: conn.cluster, phase, ref, outcome, index, total });
  const report = (prune: ApplyReport["prune"]): ApplyReport => ({
    cluster: conn.cluster,
    dryRun,
    applied,
    pruned,
    retained,
    conflicts,
    failed,
    notAttempted,
    prune,
    ok: failed.length === 0 && conflicts.length === 0,
  });
  const asClusterError = (e: unknown): ClusterError => errorFromException(client.errorContext, e);

  if (invalid.length > 0) {
    // Inconsistent input: send nothing.
    for (const bad of invalid) failed.push({ ref: bad.ref, operation: "validate", message: bad.message });
    for (const item of items) notAttempted.push({ ref: item.ref, operation: "apply" });
    return report(options.prune ? "skipped" : "not-requested");
  }

  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Prepared;
    let stop = false;
    try {
      const ev = await evaluate(client, item);
      if (ev.info === undefined || ev.entry.action === "conflict") {
        const reason = ev.entry.reason;
        if (reason === "not-served" || reason === "invalid" || ev.info === undefined) {
          failed.push({ ref: item.ref, operation: "apply", message: ev.entry.message ?? "cannot apply", errorKind: "api" });
          stop = true;
        } else {
          conflicts.push({ ref: item.ref, reason: reason as ConflictEntry["reason"], message: ev.entry.message ?? "conflict" });
        }
        progress("apply", item.ref, stop ? "failed" : "conflict", i + 1, items.length);
      } else {
        const res = await client.apply(ev.info, item.body, { force: !item.patch, dryRun });
        if (res.ok) {
          const action = ev.entry.action === "create" ? "created" : ev.entry.action === "update" ? "configured" : "unchanged";
          applied.push({ ref: item.ref, action, patch: item.patch });
          progress("apply", item.ref, action, i + 1, items.length);
        } else if (item.patch && res.error.status?.code === 409) {
          conflicts.push({ ref: item.ref, reason: "field-conflict", message: res.error.message });
          progress("apply", item.ref, "conflict", i + 1, items.length);
        } else {
          failed.push(failure(item.ref, "apply", res.error));
          progress("apply", item.ref, "failed", i + 1, items.length);
          stop = true;
        }
      }
    } catch (e) {
      const err = asClusterError(e);
      if (!client.mutated && CONNECTION_LEVEL.has(err.kind)) throw err;
      failed.push(failure(item.ref, "apply", err));
      progress("apply", item.ref, "failed", i + 1, items.length);
      stop = true;
    }
    if (stop) {
      for (const rest of items.slice(i + 1)) notAttempted.push({ ref: rest.ref, operation: "apply" });
      return report(options.prune ? "skipped" : "not-requested");
    }
  }

  if (!options.prune) return report("not-requested");
  let plan: PrunePlan;
  try {
    plan = await planPrune(client, items);
  } catch (e) {
    const err = asClusterError(e instanceof PruneListError ? e.error : e);
    if (!client.mutated && CONNECTION_LEVEL.has(err.kind)) throw err;
    failed.push(failure(e instanceof PruneListError ? e.ref : { apiVersion: "", kind: "prune", name: "*" }, "prune", err));
    return report("skipped");
  }
  retained = plan.retained;
  for (let i = 0; i < plan.candidates.length; i++) {
    const c = plan.candidates[i] as PrunePlan["candidates"][number];
    let error: ClusterError | undefined;
    try {
      const res = await client.remove(c.info, c.ref, { dryRun });
      if (!res.ok) error = res.error;
    } catch (e) {
      error = asClusterError(e);
    }
    if (error) {
      failed.push(failure(c.ref, "prune", error));
      progress("prune", c.ref, "failed", i + 1, plan.candidates.length);
      for (const rest of plan.candidates.slice(i + 1)) notAttempted.push({ ref: rest.ref, operation: "prune" });
      return report("done");
    }
    pruned.push(c.ref);
    progress("prune", c.ref, "pruned", i + 1, plan.candidates.length);
  }
  return report("done");
}

/**
 * What {@link applyManifests} would change, from the live objects: `create`, `update` with the owned fields that
 * differ, `unchanged`, `conflict` (not owned, missing patch target, kind not served, invalid manifest), and with
 * `prune` (default true) `delete` for owned leftovers and `retain` for owned leftovers holding private keys.
 * Entries follow apply order, then prune order. Reads only.
 *
 * @throws ClusterError when a read fails.
 */
export async function diff(conn: ClusterConnection, objects: readonly KubeObject[], options: { prune?: boolean } = {}): Promise<DiffEntry[]> {
  const client = new KubeClient(conn);
  const { items, invalid } = prepare(objects);
  const out: DiffEntry[] = invalid.map((bad) => ({ ref: bad.ref, action: "conflict", reason: "invalid", message: bad.message }));
  for (const item of items) out.push((await evaluate(client, item)).entry);
  if (options.prune ?? true) {
    const plan = await planPrune(client, items);
    for (const c of plan.candidates) out.push({ ref: c.ref, action: "delete" });
    for (const r of plan.retained) out.push({ ref: r.ref, action: "retain", message: r.reason });
  }
  return out;
}

/** One line per event worth reading, then a summary line; for the CLI. */
export function formatApplyReport(report: ApplyReport): string {
  const lines: string[] = [];
  const dry = report.dryRun ? " (dry run)" : "";
  for (const a of report.applied) if (a.action !== "unchanged") lines.push(`${formatRef(a.ref)}${a.patch ? " (patch)" : ""} ${a.action}${dry}`);
  for (const p of report.pruned) lines.push(`${formatRef(p)} pruned${dry}`);
  for (const c of report.conflicts) lines.push(`${formatRef(c.ref)} skipped: ${c.message}`);
  for (const r of report.retained) lines.push(`${formatRef(r.ref)} kept: ${r.reason}`);
  for (const f of report.failed) lines.push(`${formatRef(f.ref)} FAILED (${f.operation}): ${f.message}`);
  for (const n of report.notAttempted) lines.push(`${formatRef(n.ref)} not attempted (${n.operation})`);
  const unchanged = report.applied.filter((a) => a.action === "unchanged").length;
  lines.push(
    `cluster ${report.cluster}${dry}: ${report.applied.length - unchanged} changed, ${unchanged} unchanged, ${report.pruned.length} pruned, ${report.conflicts.length} skipped, ${report.failed.length} failed, ${report.notAttempted.length} not attempted`,
  );
  return `${lines.join("\n")}\n`;
}
