import { compareStrings } from "../codec/canonical.js";

/** A plain JSON object (not an array, not null). */
export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function asRecord(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}

export function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function asInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

/** Reads `obj.a.b.c` without throwing; undefined when any step is not an object. */
export function getIn(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Only the string-valued entries of a map, keys sorted (so iteration order never depends on the input). */
export function stringEntries(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const key of Object.keys(value).sort(compareStrings)) {
    const v = value[key];
    if (typeof v === "string") out[key] = v;
  }
  return out;
}

/** True when every entry of `selector` is in `labels`. An empty selector matches everything. */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

export function isEmpty(map: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(map).length === 0;
}

/** Sorted, de-duplicated copy. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/** Compares tuples of strings element by element. */
export function compareTuples(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Appends to the list stored under `key`, creating it. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Environment variables with literal values (`valueFrom` entries are skipped). */
export function literalEnv(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of asArray(value) ?? []) {
    const name = asString(getIn(item, ["name"]));
    const v = getIn(item, ["value"]);
    if (name !== undefined && typeof v === "string") out[name] = v;
  }
  return out;
}
