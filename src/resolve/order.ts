import { compareStrings } from "../codec/canonical.js";

/** A reference to a policy (or VirtualMesh) on the management plane. */
export interface PolicyRef {
  readonly kind: "TrafficPolicy" | "AccessPolicy" | "VirtualMesh";
  readonly name: string;
  readonly namespace: string;
}

export function refOf(obj: { kind: PolicyRef["kind"]; metadata: { name: string; namespace?: string } }): PolicyRef {
  return { kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace ?? "default" };
}

/** `TrafficPolicy gloo-mesh/petstore`: how messages name a policy. */
export function describeRef(ref: PolicyRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/**
 * meshhub's documented, history-free precedence: objects with a `metadata.creationTimestamp` come first, oldest
 * first; then objects without one; ties are broken by namespace, then name. The same inputs in any order always
 * give the same winner — unlike acceptance-order schemes, which depend on what the controller saw first.
 */
export function comparePrecedence(
  a: { metadata: { name: string; namespace?: string; creationTimestamp?: string } },
  b: { metadata: { name: string; namespace?: string; creationTimestamp?: string } },
): number {
  const ta = timestampOf(a.metadata);
  const tb = timestampOf(b.metadata);
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return ta - tb;
  }
  return compareStrings(a.metadata.namespace ?? "default", b.metadata.namespace ?? "default") || compareStrings(a.metadata.name, b.metadata.name);
}

/** Parsed creation timestamps per metadata object: precedence is compared for every destination a policy selects. */
const TIMESTAMPS = new WeakMap<object, number | undefined>();

function timestampOf(metadata: { creationTimestamp?: string }): number | undefined {
  if (metadata.creationTimestamp === undefined) return undefined;
  if (TIMESTAMPS.has(metadata)) return TIMESTAMPS.get(metadata);
  const t = Date.parse(metadata.creationTimestamp);
  const parsed = Number.isNaN(t) ? undefined : t;
  TIMESTAMPS.set(metadata, parsed);
  return parsed;
}

/** Sorts by {@link comparePrecedence}; returns a new array. */
export function sortByPrecedence<T extends { metadata: { name: string; namespace?: string; creationTimestamp?: string } }>(items: readonly T[]): T[] {
  return [...items].sort(comparePrecedence);
}
