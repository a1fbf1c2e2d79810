import { compareStrings } from "./canonical.js";
import { sortInPlace } from "../util/arrays.js";

/**
 * A compact canonical string for a JSON-like value: object keys sorted by code unit, `undefined` members dropped,
 * so equal values give equal keys whatever their key order. Built in one pass without a sorted deep copy, it is the
 * cheap way to compare or index values. Only for equality and map keys: output and hashes that reach output use
 * `toCanonicalJson`.
 */
export function canonicalKey(value: unknown): string {
  if (value === null || typeof value !== "object") return value === undefined ? "undefined" : JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + (value[i] === undefined ? "null" : canonicalKey(value[i]));
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = sortInPlace(Object.keys(obj), compareStrings); // no work array for a few keys, as most objects have
  let out = "{";
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${canonicalKey(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Structural equality of JSON-like values with the same meaning as comparing {@link canonicalKey}s (key order and
 * `undefined` members ignored, an `undefined` list item equal to null), without serializing: it stops at the first
 * difference and skips shared sub-values (a status's workload list is often the very same array).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let defined = 0;
  // for-in rather than Object.keys: no key array per object compared (JSON-like values have no inherited keys).
  for (const k in ra) {
    if (ra[k] === undefined) continue;
    defined++;
    if (!Object.prototype.hasOwnProperty.call(rb, k) || !jsonEqual(ra[k], rb[k])) return false;
  }
  for (const k in rb) if (rb[k] !== undefined) defined--;
  return defined === 0;
}
