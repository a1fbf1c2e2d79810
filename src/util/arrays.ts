/**
 * The array without spare capacity. V8 grows an array built by `push` (also `flatMap`, `filter`) to 17 slots for its
 * first element, about 130 bytes more than the array needs: kept per emitted object or per destination, that is
 * tens of MiB at 100,000 services. Copying a short array once costs less.
 */
export function exactly<T>(array: T[]): T[] {
  return array.length === 0 ? array : array.slice();
}

/**
 * Replaces every list of a bucket map built by `push` with an exact-length copy (see {@link exactly}): an index keeps
 * its buckets as long as it lives, and most hold two or three items in room for 17.
 */
export function trimBuckets<K, V>(buckets: Map<K, V[]>): void {
  for (const [key, list] of buckets) if (list.length > 1) buckets.set(key, list.slice());
}

/** Up to this length {@link sortInPlace} sorts by insertion: no work array allocated, fewer calls for two or three. */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts in place, stably, like `array.sort(compare)`, and returns the array. Most lists sorted per destination or per
 * emitted object hold two or three items; `Array.prototype.sort` allocates a work array for each call.
 */
export function sortInPlace<T>(array: T[], compare: (a: T, b: T) => number): T[] {
  if (array.length > INSERTION_SORT_MAX) return array.sort(compare);
  for (let i = 1; i < array.length; i++) {
    const item = array[i]!;
    let j = i - 1;
    while (j >= 0 && compare(array[j]!, item) > 0) {
      array[j + 1] = array[j]!;
      j--;
    }
    array[j + 1] = item;
  }
  return array;
}

/** Sorts strings by code unit, in place, unless they already are (lists built from sorted buckets usually are). */
export function sortedByCodeUnit(list: string[]): string[] {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return list.sort(); // the default sort compares code units
  return list;
}

/** True when a list sorted by code unit holds `value` (binary search). */
export function includesSorted(list: readonly string[], value: string): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const item = list[mid]!;
    if (item === value) return true;
    if (item < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The items of two lists taken in turn (a0, b0, a1, b1, …), then the rest of the longer one. */
export function alternate<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) out.push(a[i]!, b[i]!);
  for (let i = shorter; i < a.length; i++) out.push(a[i]!);
  for (let i = shorter; i < b.length; i++) out.push(b[i]!);
  return out;
}

/**
 * Keys in code-unit order (the default sort of strings compares code units, without a callback). Copied by a loop
 * into an array of the map's size: spreading an iterator allocates a result object per key, and this runs for every
 * level of the engine's slot table.
 */
export function sortedKeys(map: Map<string, unknown>): string[] {
  const keys = new Array<string>(map.size);
  let i = 0;
  for (const key of map.keys()) keys[i++] = key;
  return keys.length > 1 ? keys.sort() : keys;
}
