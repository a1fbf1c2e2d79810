import { canonicalize, compareStrings } from "../../codec/canonical.js";
import type { KubeObject } from "../../model/common.js";
import { FIELD_MANAGER, formatPath, formatRef, isRecord, jsonEqual, stripServerFields, type ResourceRef } from "./objects.js";

/** One changed field of an object meshhub applies. */
export interface FieldChange {
  /** `spec.http[0].timeout`, `metadata.annotations["meshhub.io/sources"]`. */
  readonly path: string;
  readonly op: "add" | "remove" | "replace";
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * Why an object is not applied. `not-owned`: it exists without meshhub's owner label. `patch-target-missing`: a
 * patch's target does not exist. `field-conflict`: another field manager owns a field a patch sets (409).
 * `not-served`: the cluster does not serve the kind (CRD not installed). `invalid`: the manifest is unusable
 * (no name, owned object without owner label, patch with owner label, conflicting duplicates).
 */
export type ConflictReason = "not-owned" | "patch-target-missing" | "field-conflict" | "not-served" | "invalid";

/** What applying (and pruning) would do to one object. */
export interface DiffEntry {
  readonly ref: ResourceRef;
  /**
   * `create`: absent on the cluster. `update`: owned fields differ (see `changes`). `unchanged`: owned fields
   * match. `delete`: owned by meshhub, no longer wanted, removed by prune. `conflict`: not applied (see
   * `reason`). `retain`: owned and no longer wanted but never pruned (holds a private key).
   */
  readonly action: "create" | "update" | "unchanged" | "delete" | "conflict" | "retain";
  /** True for a partial object (`meshhub.io/patch`) applied to an object meshhub does not own. */
  readonly patch?: boolean;
  readonly changes?: readonly FieldChange[];
  readonly reason?: ConflictReason;
  readonly message?: string;
}

/** Paths meshhub owns on a live object, read from its `managedFields` (server-side apply bookkeeping). */
export interface OwnedFields {
  /** Every owned path and each of its prefixes, as JSON-encoded segment arrays. */
  readonly prefixes: ReadonlySet<string>;
  /** Paths owned as a whole (scalars, atomic lists, empty maps): compared exactly. */
  readonly leaves: ReadonlySet<string>;
}

const NONE: OwnedFields = { prefixes: new Set(), leaves: new Set() };
const key = (path: readonly string[]): string => JSON.stringify(path);

/**
 * Fields `manager` owns through `Apply` on `live`. `fieldsV1` maps `f:<field>` to nested fields; `k:`/`v:`/`i:`
 * entries are list items (associative lists), whose list is then treated as partly owned.
 */
export function ownedFields(live: KubeObject | undefined, manager = FIELD_MANAGER): OwnedFields {
  const entries = live?.metadata?.managedFields;
  if (!Array.isArray(entries)) return NONE;
  const prefixes = new Set<string>();
  const leaves = new Set<string>();
  const walk = (node: unknown, path: string[]): void => {
    for (let i = 1; i <= path.length; i++) prefixes.add(key(path.slice(0, i)));
    if (!isRecord(node)) return;
    const fields = Object.keys(node).filter((k) => k.startsWith("f:"));
    const items = Object.keys(node).some((k) => k.startsWith("k:") || k.startsWith("v:") || k.startsWith("i:"));
    if (items) return; // associative list: owned item by item, compared leniently
    if (fields.length === 0) {
      if (path.length > 0) leaves.add(key(path));
      return;
    }
    for (const f of fields) walk(node[f], [...path, f.slice(2)]);
  };
  for (const e of entries) {
    if (isRecord(e) && e.manager === manager && e.operation === "Apply" && isRecord(e.fieldsV1)) walk(e.fieldsV1, []);
  }
  return { prefixes, leaves };
}

/**
 * Field-level difference between what meshhub applies and the live object, limited to what server-side apply would
 * change: every field meshhub sets, plus fields meshhub owned before and no longer sets (removed by the apply).
 * Fields other managers set, and fields the server defaulted inside list items, are ignored. Server-populated
 * metadata and `status` are never compared.
 */
export function diffFields(wanted: KubeObject, live: KubeObject, owned: OwnedFields = ownedFields(live)): FieldChange[] {
  const out: FieldChange[] = [];
  walk(canonicalize(stripServerFields(wanted)), canonicalize(stripServerFields(live)), [], owned, out, true);
  return out;
}

function walk(w: unknown, l: unknown, path: string[], owned: OwnedFields, out: FieldChange[], trackOwnership: boolean): void {
  const p = formatPath(path);
  if (isRecord(w)) {
    if (!isRecord(l)) {
      out.push(l === undefined ? { path: p, op: "add", after: w } : { path: p, op: "replace", before: l, after: w });
      return;
    }
    for (const k of Object.keys(w).sort(compareStrings)) if (w[k] !== undefined) walk(w[k], l[k], [...path, k], owned, out, trackOwnership);
    if (trackOwnership) {
      for (const k of Object.keys(l).sort(compareStrings)) {
        if (w[k] === undefined && l[k] !== undefined && owned.prefixes.has(key([...path, k]))) out.push({ path: formatPath([...path, k]), op: "remove", before: l[k] });
      }
    }
    return;
  }
  if (Array.isArray(w)) {
    const exact = trackOwnership && owned.leaves.has(key(path));
    if (Array.isArray(l) && l.length === w.length && !exact) {
      // Lenient inside lists: the server may default fields of items (Service ports get protocol, targetPort).
      w.forEach((item, i) => walk(item, l[i], [...path, String(i)], owned, out, false));
      return;
    }
    if (!jsonEqual(w, l)) out.push(l === undefined ? { path: p, op: "add", after: w } : { path: p, op: "replace", before: l, after: w });
    return;
  }
  if (!jsonEqual(w, l)) out.push(l === undefined ? { path: p, op: "add", after: w } : { path: p, op: "replace", before: l, after: w });
}

function render(value: unknown): string {
  const text = value === undefined ? "<none>" : typeof value === "string" ? JSON.stringify(value) : JSON.stringify(canonicalize(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Human-readable diff, one line per object and one indented line per field:
 * `+ create`, `~ update`, `= unchanged` (only with `verbose`), `- delete`, `! conflict`, `* retain`.
 */
export function formatDiff(entries: readonly DiffEntry[], options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const e of entries) {
    const what = `${formatRef(e.ref)}${e.patch ? " (patch)" : ""}`;
    switch (e.action) {
      case "create":
        lines.push(`+ ${what}: create`);
        break;
      case "update":
        lines.push(`~ ${what}: update`);
        for (const c of e.changes ?? []) {
          if (c.op === "add") lines.push(`    + ${c.path}: ${render(c.after)}`);
          else if (c.op === "remove") lines.push(`    - ${c.path}: ${render(c.before)}`);
          else lines.push(`    ~ ${c.path}: ${render(c.before)} -> ${render(c.after)}`);
        }
        break;
      case "unchanged":
        if (options.verbose) lines.push(`= ${what}: unchanged`);
        break;
      case "delete":
        lines.push(`- ${what}: delete (owned by meshhub, no longer wanted)`);
        break;
      case "conflict":
        lines.push(`! ${what}: ${e.message ?? "conflict"}`);
        break;
      case "retain":
        lines.push(`* ${what}: ${e.message ?? "kept"}`);
        break;
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
