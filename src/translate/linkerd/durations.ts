/**
 * Linkerd durations are stricter than Istio's (mesh-semantics §1 "Durations"):
 *
 * - Annotations (`timeout.linkerd.io/*`, `retry.linkerd.io/timeout`, `balancer.linkerd.io/…-penalty`) are parsed by
 *   the policy controller as ONE unsigned integer plus a unit `ms|s|m|h|d`: `1.5s`, `1m30s`, `250us` do not parse,
 *   and an unparsable value is only logged — the Service silently falls back to defaults, a route is dropped.
 * - Gateway API `timeouts` (GEP-2257) are 1–4 integer components of at most 5 digits, units `h|m|s|ms`.
 * - ServiceProfile `timeout` is a Go duration; the single-unit form below is one.
 *
 * So every duration is normalised to whole milliseconds first: `1.5s` → `1500ms`; anything with sub-millisecond
 * precision (`1500us`, `0.5ms`) is rejected, never rounded into a value the user did not write.
 */
import { DURATION_PATTERN } from "../../model/common.js";

export type LinkerdDurationResult = { readonly value: string } | { readonly error: string };

const PART = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/g;
const UNIT_NS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const NS_PER_MS = 1_000_000n;

/** Exact nanoseconds of a meshhub duration (`1.5s`, `1h30m`), or undefined when it is not one or not a whole ns. */
export function durationToNanos(duration: string): bigint | undefined {
  const d = duration.trim();
  if (!DURATION_PATTERN.test(d)) return undefined;
  let total = 0n;
  for (const m of d.matchAll(PART)) {
    const int = m[1] ?? "0";
    const frac = m[2] ?? "";
    const unit = UNIT_NS[m[3] ?? ""] ?? 0n;
    const scale = 10n ** BigInt(frac.length);
    const numerator = BigInt(int + frac) * unit;
    if (numerator % scale !== 0n) return undefined;
    total += numerator / scale;
  }
  return total;
}

/** Whole milliseconds of a duration, or an explanation of why it has none. */
export function durationToWholeMillis(duration: string): { readonly ms: bigint } | { readonly error: string } {
  const ns = durationToNanos(duration);
  if (ns === undefined) {
    return DURATION_PATTERN.test(duration.trim())
      ? { error: `${JSON.stringify(duration)} has sub-millisecond precision, which Linkerd cannot express (its durations are whole numbers of ms, s, m or h)` }
      : { error: `${JSON.stringify(duration)} is not a duration like 10s, 1.5s or 250ms` };
  }
  if (ns % NS_PER_MS !== 0n) {
    const floor = ns / NS_PER_MS;
    const hint = floor > 0n ? `; write ${floor}ms or ${floor + 1n}ms` : "; the smallest Linkerd duration is 1ms";
    return { error: `${JSON.stringify(duration)} has sub-millisecond precision, which Linkerd cannot express (its durations are whole numbers of ms, s, m or h)${hint}` };
  }
  return { ms: ns / NS_PER_MS };
}

const UNITS: readonly (readonly [string, bigint])[] = [
  ["h", 3_600_000n],
  ["m", 60_000n],
  ["s", 1_000n],
  ["ms", 1n],
];

/** `1500` → `1500ms`, `60000` → `1m`: one integer in the largest unit that divides it exactly. */
function singleUnit(ms: bigint): string {
  if (ms === 0n) return "0s";
  for (const [unit, size] of UNITS) if (ms % size === 0n) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * A duration as Linkerd's annotation parser (and a ServiceProfile `timeout`) accepts it: one unsigned integer and a
 * unit. `1.5s` → `1500ms`, `90s` → `90s`, `2m` → `2m`; sub-millisecond values are an error. Zero is an error unless
 * `allowZero` (for timeouts and retries Linkerd reads 0 as "disabled", which is never what a policy means).
 */
export function toLinkerdDuration(duration: string, opts: { readonly allowZero?: boolean } = {}): LinkerdDurationResult {
  const r = durationToWholeMillis(duration);
  if ("error" in r) return r;
  if (r.ms === 0n && !opts.allowZero) return { error: `${JSON.stringify(duration)} is zero, which Linkerd reads as "disabled"` };
  return { value: singleUnit(r.ms) };
}

/**
 * A duration in the Gateway API format (GEP-2257: `^([0-9]{1,5}(h|m|s|ms)){1,4}$`), as HTTPRoute `timeouts` need:
 * the single-unit form when it fits in 5 digits, else hours/minutes/seconds/milliseconds components.
 */
export function toGatewayDuration(duration: string): LinkerdDurationResult {
  const r = durationToWholeMillis(duration);
  if ("error" in r) return r;
  if (r.ms === 0n) return { error: `${JSON.stringify(duration)} is zero, which the Gateway API reads as "no timeout"` };
  const single = singleUnit(r.ms);
  if (/^\d{1,5}[a-z]+$/.test(single)) return { value: single };
  let rest = r.ms;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = rest / size;
    rest %= size;
    if (n === 0n) continue;
    if (n > 99_999n) return { error: `${JSON.stringify(duration)} is longer than the Gateway API maximum of 99999h` };
    parts.push(`${n}${unit}`);
  }
  return { value: parts.join("") };
}

/** Milliseconds as a number, for comparisons with defaults (durations here are far below 2^53 ms). */
export function durationMillis(duration: string): number | undefined {
  const r = durationToWholeMillis(duration);
  return "error" in r ? undefined : Number(r.ms);
}
