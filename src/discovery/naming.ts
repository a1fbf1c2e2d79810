import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../model/labels.js";
import { isLabelValue } from "../model/common.js";
import { fnv1a32Hex } from "../util/hash.js";

/**
 * Makes `<parts joined by ->` a DNS-1123 label: lower-case, invalid characters become `-`, and names over 63
 * characters keep a readable prefix plus a stable 8-hex-digit hash of the full name.
 */
export function discoveredName(...parts: string[]): string {
  const raw = parts.join("-").toLowerCase();
  let name = raw.replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-+|-+$/g, "");
  if (name === "") name = "x";
  if (name.length <= 63) return name;
  const hash = fnv1a32Hex(raw);
  return `${name.slice(0, 63 - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** Label naming the source cluster on every discovered object. */
export const CLUSTER_LABEL = "discovery.meshhub.io/cluster";

/** The labels every discovered object carries. */
export function discoveredLabels(cluster: string): Record<string, string> {
  return { [CLUSTER_LABEL]: clusterLabelValue(cluster), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
}

/** The cluster name as a label value: as is when valid, else made DNS-1123-safe (with a hash when over 63 characters). */
export function clusterLabelValue(cluster: string): string {
  return isLabelValue(cluster) ? cluster : discoveredName(cluster);
}

export { MANAGED_BY_LABEL, MANAGED_BY_VALUE };
