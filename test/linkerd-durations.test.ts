/**
 * Linkerd's duration syntax (issue #5): whole numbers with a unit, no fractions. meshhub converts what it can
 * (1.5s → 1500ms) and rejects what Linkerd cannot express (sub-millisecond), never emitting a value Linkerd would
 * silently ignore.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { durationToNanos, toGatewayDuration, toLinkerdDuration } from "../src/translate/linkerd/durations.js";

/** What Linkerd's policy controller accepts in an annotation: one unsigned integer and a unit. */
const ANNOTATION = /^\d+(ms|s|m|h|d)$/;
/** GEP-2257, as the Gateway API HTTPRoute CRD validates `timeouts`. */
const GEP_2257 = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

function value(r: { value: string } | { error: string }): string {
  if ("error" in r) throw new Error(r.error);
  return r.value;
}

function error(r: { value: string } | { error: string }): string {
  if ("value" in r) throw new Error(`expected an error, got ${r.value}`);
  return r.error;
}

describe("toLinkerdDuration", () => {
  it.each([
    ["1.5s", "1500ms"],
    ["10s", "10s"],
    ["90s", "90s"],
    ["60s", "1m"],
    ["1h30m", "90m"],
    ["3600s", "1h"],
    ["250ms", "250ms"],
    ["1000us", "1ms"],
    ["2000000ns", "2ms"],
    ["1.25m", "75s"],
    ["0.1s", "100ms"],
    ["1.1s", "1100ms"],
    ["1m0.5s", "60500ms"],
    [" 5s ", "5s"],
  ])("converts %s to %s", (input, expected) => {
    const v = value(toLinkerdDuration(input));
    expect(v).toBe(expected);
    expect(v).toMatch(ANNOTATION);
  });

  it.each(["1500us", "0.5ms", "1.0000001s", "1ns", "10.5ms"])("rejects sub-millisecond %s with a precise reason", (input) => {
    const e = error(toLinkerdDuration(input));
    expect(e).toContain(JSON.stringify(input));
    expect(e).toContain("sub-millisecond");
  });

  it("suggests the neighbouring whole milliseconds", () => {
    expect(error(toLinkerdDuration("1500us"))).toContain("write 1ms or 2ms");
    expect(error(toLinkerdDuration("0.5ms"))).toContain("smallest Linkerd duration is 1ms");
  });

  it("rejects zero unless allowed (Linkerd reads 0 as disabled)", () => {
    expect(error(toLinkerdDuration("0s"))).toContain("disabled");
    expect(value(toLinkerdDuration("0s", { allowZero: true }))).toBe("0s");
    expect(value(toLinkerdDuration("0ms", { allowZero: true }))).toBe("0s");
  });

  it("rejects things that are not durations", () => {
    for (const bad of ["10 seconds", "PT10S", "10", "s", "1d", "-1s"]) expect(error(toLinkerdDuration(bad))).toContain("not a duration");
  });

  it("keeps the exact value for any whole number of milliseconds (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), (ms) => {
        const v = value(toLinkerdDuration(`${ms}ms`));
        expect(v).toMatch(ANNOTATION);
        const m = /^(\d+)(ms|s|m|h)$/.exec(v)!;
        const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
        expect(Number(m[1]) * unit).toBe(ms);
      }),
    );
  });

  it("converts fractional seconds exactly, without floating-point error (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999 }), (s, frac) => {
        fc.pre(s + frac > 0);
        const input = `${s}.${String(frac).padStart(3, "0")}s`;
        const ms = s * 1000 + frac;
        const v = value(toLinkerdDuration(input));
        expect(durationToNanos(v)).toBe(BigInt(ms) * 1_000_000n);
      }),
    );
  });
});

describe("toGatewayDuration (GEP-2257)", () => {
  it.each([
    ["1.5s", "1500ms"],
    ["10s", "10s"],
    ["100000ms", "100s"],
    ["123456ms", "2m3s456ms"],
    ["99999h", "99999h"],
    ["1h0m0.001s", "1h1ms"],
  ])("renders %s as %s", (input, expected) => {
    const v = value(toGatewayDuration(input));
    expect(v).toBe(expected);
    expect(v).toMatch(GEP_2257);
  });

  it("splits values that do not fit five digits into components", () => {
    expect(value(toGatewayDuration("1h0m0.001s"))).toMatch(GEP_2257);
    expect(value(toGatewayDuration("100001001ms"))).toBe("27h46m41s1ms");
  });

  it("rejects zero, sub-millisecond and too-long values", () => {
    expect(error(toGatewayDuration("0s"))).toContain("no timeout");
    expect(error(toGatewayDuration("1.5ms"))).toContain("sub-millisecond");
    expect(error(toGatewayDuration("100000h"))).toContain("99999h");
  });

  it("always produces a GEP-2257 value for whole milliseconds (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 359_996_400_000 }), (ms) => {
        const v = value(toGatewayDuration(`${ms}ms`));
        expect(v).toMatch(GEP_2257);
        expect(durationToNanos(v)).toBe(BigInt(ms) * 1_000_000n);
      }),
    );
  });
});
