import { fnv1a32Hex } from "../../util/hash.js";

const SUBDOMAIN_MAX = 253;
/** Names made only of these need no lower-casing or replacing (the usual case). */
const VALID_NAME_CHARS = /^[a-z0-9.-]*$/;

/**
 * A DNS-1123 subdomain built from parts joined by `-` (`reviews-9080-allow-get`). Over-long names are cut and get
 * an 8-hex-digit hash of the full name, so they stay unique and deterministic.
 */
export function objectName(parts: readonly (string | number)[], max = SUBDOMAIN_MAX): string {
  let joined = "";
  for (const p of parts) if (p !== "") joined = joined === "" ? String(p) : `${joined}-${p}`;
  const full = VALID_NAME_CHARS.test(joined) ? joined : joined.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  if (full.length <= max) return full;
  const hash = fnv1a32Hex(full);
  return `${full.slice(0, max - hash.length - 1).replace(/[-.]+$/, "")}-${hash}`;
}

/** A short stable suffix for a value (8 hex digits of FNV-1a over its JSON). */
export function shortHash(value: string): string {
  return fnv1a32Hex(value);
}
