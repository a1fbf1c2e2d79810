import { compareStrings, toCanonicalJson } from "../../codec/canonical.js";
import { canonicalKey } from "../../codec/canonical-key.js";
import { DNS1123_LABEL } from "../../model/common.js";
import { fnv1a32Hex } from "../../util/hash.js";

/**
 * The DestinationRule subset name for a label map, Gloo Mesh's scheme: the sorted `key-value` pairs joined by `-`
 * (`{version: v2}` → `version-v2`, `{version: v2, env: prod}` → `env-prod-version-v2`).
 *
 * Istio requires a DNS-1123 label (≤ 63 characters of `[a-z0-9-]`). When the plain name is not one (upper case,
 * `.`, `/`, `_` in keys or values, or too long), it is sanitised and suffixed with a hash of the labels, so two
 * label maps never share a name.
 */
export function subsetName(labels: Readonly<Record<string, string>>): string {
  const plain = plainSubsetName(labels);
  if (plain.length <= 63 && DNS1123_LABEL.test(plain)) return plain;
  return hashedSubsetName(labels);
}

function plainSubsetName(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort(compareStrings)
    .map((k) => `${k}-${labels[k] ?? ""}`)
    .join("-");
}

function hashedSubsetName(labels: Readonly<Record<string, string>>): string {
  const hash = fnv1a32Hex(toCanonicalJson(labels));
  const base = plainSubsetName(labels)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 63 - hash.length - 1)
    .replace(/-+$/, "");
  return base === "" ? `subset-${hash}` : `${base}-${hash}`;
}

/**
 * Names the subsets of one destination. Plain names can collide (`{a: b-c}` and `{a-b: c}` both give `a-b-c`);
 * colliding label maps get the hashed form instead. The result only depends on the set of label maps.
 */
export class SubsetNamer {
  private readonly names = new Map<string, string>();

  constructor(labelMaps: Iterable<Readonly<Record<string, string>>>) {
    const byKey = new Map<string, Readonly<Record<string, string>>>();
    for (const l of labelMaps) byKey.set(canonicalKey(l), l);
    const byName = new Map<string, string[]>();
    for (const [key, l] of byKey) {
      const name = subsetName(l);
      byName.set(name, [...(byName.get(name) ?? []), key]);
    }
    for (const [name, keys] of byName) {
      for (const key of keys) this.names.set(key, keys.length === 1 ? name : hashedSubsetName(byKey.get(key)!));
    }
  }

  nameOf(labels: Readonly<Record<string, string>>): string {
    return this.names.get(canonicalKey(labels)) ?? subsetName(labels);
  }
}

/** Subset names per target service: each service's names depend only on the subsets referenced for it. */
export class SubsetNames {
  /** Made on first use: most destinations name no subset, and there is one of these per destination. */
  private namers: Map<string, SubsetNamer> | undefined;

  constructor(private readonly subsetsOf: (serviceKey: string) => readonly { readonly labels: Readonly<Record<string, string>> }[]) {}

  /** The subset name of `labels` on the service `serviceKey` (`name.namespace.cluster`). */
  nameOf(serviceKey: string, labels: Readonly<Record<string, string>>): string {
    let namer = (this.namers ??= new Map()).get(serviceKey);
    if (!namer) this.namers.set(serviceKey, (namer = new SubsetNamer(this.subsetsOf(serviceKey).map((s) => s.labels))));
    return namer.nameOf(labels);
  }
}
