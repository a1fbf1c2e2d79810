import { compareStrings } from "./canonical.js";

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
  const keys = Object.keys(obj).sort(compareStrings);
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
