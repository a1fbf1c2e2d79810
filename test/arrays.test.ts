import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alternate, sortedByCodeUnit, sortedKeys, sortInPlace, trimBuckets } from "../src/util/arrays.js";

describe("sortInPlace", () => {
  it("orders as the built-in stable sort does, ties kept in input order, short and long lists alike", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ rank: fc.nat(4), id: fc.nat() }), { maxLength: 40 }), (items) => {
        const byRank = (a: { rank: number }, b: { rank: number }) => a.rank - b.rank;
        const expected = [...items].sort(byRank);
        const copy = [...items];
        expect(sortInPlace(copy, byRank)).toBe(copy);
        expect(copy).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("sortedByCodeUnit", () => {
  it("sorts by UTF-16 code unit and leaves a sorted list as it is", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary-ascii", maxLength: 3 }), { maxLength: 30 }), (names) => {
        const expected = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(sortedByCodeUnit([...names])).toEqual(expected);
        const sorted = Object.freeze([...expected]) as string[]; // a sorted list is not touched, so freezing is safe
        expect(sortedByCodeUnit(sorted)).toBe(sorted);
      }),
      { numRuns: 300 },
    );
  });
});

describe("alternate", () => {
  it("takes the two lists in turn, then the rest of the longer one, losing and adding nothing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.integer()), (a, b) => {
        const out = alternate(a, b);
        expect(out).toHaveLength(a.length + b.length);
        // Even places up to twice the shorter length hold a in order, odd ones b; then the longer list's tail.
        const shorter = Math.min(a.length, b.length);
        for (let i = 0; i < shorter; i++) expect([out[2 * i], out[2 * i + 1]]).toEqual([a[i], b[i]]);
        expect(out.slice(2 * shorter)).toEqual(a.length > b.length ? a.slice(shorter) : b.slice(shorter));
      }),
    );
    expect(alternate(["t1", "t2", "t3"], ["a1"])).toEqual(["t1", "a1", "t2", "t3"]);
  });
});

describe("trimBuckets", () => {
  it("keeps every bucket's items and order and the keys' order, copying only the lists of more than one item", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 2 }), fc.nat()), { maxLength: 60 }), (entries) => {
        const buckets = new Map<string, number[]>();
        for (const [k, v] of entries) {
          const list = buckets.get(k);
          if (list) list.push(v);
          else buckets.set(k, [v]);
        }
        const before = new Map([...buckets].map(([k, list]) => [k, list]));
        const expected = JSON.stringify([...buckets]);
        trimBuckets(buckets);
        expect(JSON.stringify([...buckets])).toBe(expected);
        for (const [k, list] of buckets) expect(list === before.get(k)).toBe(list.length === 1);
      }),
    );
  });
});

describe("sortedKeys", () => {
  it("lists a map's keys once each, in code-unit order, without holes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 40 }), (keys) => {
        const map = new Map(keys.map((k) => [k, 1] as const));
        const got = sortedKeys(map);
        expect(got).toEqual([...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(Object.keys(got)).toHaveLength(map.size);
      }),
    );
  });
});
