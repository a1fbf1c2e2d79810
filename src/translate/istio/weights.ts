/**
 * Integer percentages summing to exactly 100, by the largest-remainder method: every weight gets the floor of its
 * share, and the points left over go to the largest fractional parts (ties: the earlier destination). Exact
 * integer arithmetic, so the result never depends on floating-point rounding. `weights` must have a positive sum.
 */
export function normaliseWeights(weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (total <= 0) return weights.map(() => 0);
  const floors = weights.map((w) => Math.floor((w * 100) / total));
  const remainders = weights.map((w, i) => ({ i, r: (w * 100) % total }));
  let left = 100 - floors.reduce((s, f) => s + f, 0);
  remainders.sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of remainders) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  return floors;
}
