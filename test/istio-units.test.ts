/** Unit tests of the Istio translator's pure helpers: durations, weights, subset names. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGoDuration } from "../src/conformance/index.js";
import { durationToMillis } from "../src/model/common.js";
import { belowIstioMinimum, istioDuration } from "../src/translate/istio/duration.js";
import { SubsetNamer, subsetName } from "../src/translate/istio/names.js";
import { normaliseWeights } from "../src/translate/istio/weights.js";

describe("istioDuration", () => {
  it("emits decimal seconds with an s suffix", () => {
    expect(istioDuration("10s")).toBe("10s");
    expect(istioDuration("1.5s")).toBe("1.5s");
    expect(istioDuration("250ms")).toBe("0.25s");
    expect(istioDuration("1m")).toBe("60s");
    expect(istioDuration("1h30m")).toBe("5400s");
    expect(istioDuration("1ms")).toBe("0.001s");
    expect(istioDuration("1500us")).toBe("0.0015s");
    expect(istioDuration("7ns")).toBe("0.000000007s");
    expect(istioDuration("0.1s")).toBe("0.1s");
  });

  it("keeps the value exactly (property, against the Go-duration parser)", () => {
    const part = fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), fc.constantFrom("ms", "s", "m", "h"));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), (parts) => {
        const d = parts.map(([i, f, u]) => `${i}${f === undefined ? "" : `.${String(f).padStart(3, "0")}`}${u}`).join("");
        const out = istioDuration(d);
        expect(out).toMatch(/^\d+(\.\d{1,9})?s$/);
        expect(parseGoDuration(out)).toBeDefined();
        const unit: Record<string, bigint> = { ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
        const want = parts.reduce((sum, [i, f, u]) => sum + BigInt(i) * unit[u]! + (BigInt(f ?? 0) * unit[u]!) / 1000n, 0n);
        const [secs, frac = ""] = out.slice(0, -1).split(".");
        expect(BigInt(secs!) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it("knows Istio's 1ms minimum", () => {
    expect(belowIstioMinimum("999us")).toBe(true);
    expect(belowIstioMinimum("0s")).toBe(true);
    expect(belowIstioMinimum("1ms")).toBe(false);
    expect(durationToMillis("1ms")).toBe(1);
  });
});

describe("normaliseWeights", () => {
  it("gives whole percentages summing to 100, leftovers to the largest remainders, ties to the earlier", () => {
    expect(normaliseWeights([1, 1, 1])).toEqual([34, 33, 33]);
    expect(normaliseWeights([90, 10])).toEqual([90, 10]);
    expect(normaliseWeights([1])).toEqual([100]);
    expect(normaliseWeights([2, 1])).toEqual([67, 33]);
    expect(normaliseWeights([0, 5])).toEqual([0, 100]);
    expect(normaliseWeights([1, 2, 3, 4, 5, 6])).toEqual([5, 9, 14, 19, 24, 29]);
  });

  it("always sums to 100 and never moves more than 1 point from the exact share (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100000 }), { minLength: 1, maxLength: 12 }).filter((w) => w.some((x) => x > 0)), (w) => {
        const out = normaliseWeights(w);
        const total = w.reduce((s, x) => s + x, 0);
        expect(out.reduce((s, x) => s + x, 0)).toBe(100);
        out.forEach((o, i) => expect(Math.abs(o - ((w[i] ?? 0) * 100) / total)).toBeLessThan(1));
      }),
      { numRuns: 500 },
    );
  });
});

describe("subset names", () => {
  it("joins sorted key-value pairs", () => {
    expect(subsetName({ version: "v2" })).toBe("version-v2");
    expect(subsetName({ version: "v2", env: "prod" })).toBe("env-prod-version-v2");
  });

  it("hashes names that are not DNS labels, and stays within 63 characters", () => {
    const a = subsetName({ "app.kubernetes.io/version": "V2" });
    expect(a).toMatch(/^app-kubernetes-io-version-v2-[0-9a-f]{8}$/);
    expect(subsetName({ "app.kubernetes.io/version": "v2" })).not.toBe(a);
    const long = subsetName({ k: "x".repeat(63) });
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("gives colliding plain names the hashed form, independent of order", () => {
    const x = { a: "b-c" };
    const y = { "a-b": "c" };
    const n1 = new SubsetNamer([x, y]);
    const n2 = new SubsetNamer([y, x]);
    expect(n1.nameOf(x)).not.toBe(n1.nameOf(y));
    expect(n1.nameOf(x)).toBe(n2.nameOf(x));
    expect(n1.nameOf(x)).toMatch(/^a-b-c-[0-9a-f]{8}$/);
    expect(new SubsetNamer([x]).nameOf(x)).toBe("a-b-c");
  });
});
