import { compareStrings } from "../codec/canonical.js";
import type { PolicyRef } from "../resolve/order.js";
import { sortInPlace } from "../util/arrays.js";

import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../model/labels.js";

export { MANAGED_BY_LABEL, MANAGED_BY_VALUE };
/** Annotation naming the input objects an emitted object was produced from. */
export const SOURCES_ANNOTATION = "meshhub.io/sources";
/** Annotation naming the destination (`name.namespace.cluster`) an object configures. */
export const DESTINATION_ANNOTATION = "meshhub.io/destination";
/** Marks an object that is a partial (server-side apply) patch of an object meshhub does not own. */
export const PATCH_ANNOTATION = "meshhub.io/patch";
/** Value of {@link PATCH_ANNOTATION}: apply the partial object with server-side apply, owning only its fields. */
export const PATCH_SERVER_SIDE_APPLY = "server-side-apply";
/** Marks a Secret that carries a private key: adapters write it only when asked to. */
export const PRIVATE_KEY_ANNOTATION = "meshhub.io/contains-private-key";

/** The labels of every emitted object without labels of its own: one frozen object (emitted objects are never mutated). */
const OWNER_LABELS: Record<string, string> = Object.freeze({ [MANAGED_BY_LABEL]: MANAGED_BY_VALUE });

/** Each reference's id, built once: references are shared per policy and the id is on every object it produces. */
const SOURCE_IDS = new WeakMap<object, string>();

/** `TrafficPolicy/gloo-mesh/petstore`: how the sources annotation names an input. */
export function sourceId(ref: PolicyRef | { kind: string; name: string; namespace?: string }): string {
  let id = SOURCE_IDS.get(ref);
  if (id === undefined) {
    id = ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
    id.charCodeAt(0); // flattened once, not left a string tree per object
    SOURCE_IDS.set(ref, id);
  }
  return id;
}

/** Metadata for an emitted object: owner label plus the sorted, de-duplicated list of inputs that produced it. */
export function ownedMetadata(
  name: string,
  namespace: string | undefined,
  sources: readonly (PolicyRef | { kind: string; name: string; namespace?: string })[],
  extra: { labels?: Record<string, string>; annotations?: Record<string, string>; destination?: string } = {},
): { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> } {
  // Built in place, without spreads: this runs once per emitted object.
  let labels = OWNER_LABELS;
  if (extra.labels) {
    labels = {};
    for (const k of Object.keys(extra.labels)) labels[k] = extra.labels[k]!;
    labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE;
  }
  const annotations: Record<string, string> = {};
  if (extra.annotations) for (const k of Object.keys(extra.annotations)) annotations[k] = extra.annotations[k]!;
  if (extra.destination !== undefined) annotations[DESTINATION_ANNOTATION] = extra.destination;
  annotations[SOURCES_ANNOTATION] = sourcesValue(sources);
  return namespace !== undefined ? { name, namespace, labels, annotations } : { name, labels, annotations };
}

/** {@link ownedMetadata} of an object that configures one destination (`name.namespace.cluster`). */
export function destinationMetadata(
  name: string,
  namespace: string,
  sources: readonly (PolicyRef | { kind: string; name: string; namespace?: string })[],
  destination: string,
  annotations?: Record<string, string>,
): ReturnType<typeof ownedMetadata> {
  return ownedMetadata(name, namespace, sources, annotations ? { annotations, destination } : { destination });
}

function sourcesValue(sources: readonly (PolicyRef | { kind: string; name: string; namespace?: string })[]): string {
  if (sources.length === 1) return sourceId(sources[0]!);
  // A few sources (the usual case) are de-duplicated by scanning, without a Set.
  const ids = sources.length <= 8 ? sources.map(sourceId).filter((id, i, all) => all.indexOf(id) === i) : [...new Set(sources.map(sourceId))];
  return sortInPlace(ids, compareStrings).join(",");
}

/** True when an object carries meshhub's owner label. */
export function isOwnedByMeshhub(obj: { metadata?: { labels?: Record<string, string> } }): boolean {
  return obj.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** `reviews.bookinfo.svc.cluster.local` */
export function serviceFqdn(name: string, namespace: string, clusterDomain: string): string {
  return `${name}.${namespace}.svc.${clusterDomain}`;
}
