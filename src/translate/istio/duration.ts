/**
 * Durations for Istio.
 *
 * Istio's duration fields are `google.protobuf.Duration`. The CRD checks them with CEL `duration(self) >=
 * duration('1ms')` (Go syntax: `250ms`, `1m`, `1.5s` all pass), but the proto's canonical JSON form is decimal
 * seconds with an `s` suffix, which is the one spelling every reader accepts (the API server's CEL, istiod's JSON
 * decoding, istioctl, older releases' webhooks). So meshhub always emits that form: `10s` stays `10s`, `1m` becomes
 * `60s`, `250ms` becomes `0.25s`, `1h30m` becomes `5400s`. The arithmetic is exact (integer nanoseconds); digits
 * below a nanosecond are dropped, as Go's parser does.
 */

const PART = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h)/g;
const UNIT_NS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const SECOND = 1_000_000_000n;

/** Integer nanoseconds of a validated duration string (`10s`, `1.5s`, `250ms`, `1h30m`). */
export function durationNanos(duration: string): bigint {
  let total = 0n;
  for (const m of duration.trim().matchAll(PART)) {
    const unit = UNIT_NS[m[3] as string] ?? 0n;
    total += BigInt(m[1] as string) * unit;
    const frac = m[2];
    if (frac !== undefined) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  }
  return total;
}

/** The protobuf JSON form of a duration: decimal seconds with an `s` suffix, no trailing zeros. */
export function istioDuration(duration: string): string {
  const ns = durationNanos(duration);
  const seconds = ns / SECOND;
  const rest = ns % SECOND;
  if (rest === 0n) return `${seconds}s`;
  return `${seconds}.${rest.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

/** Istio's CRDs reject durations below 1ms (`duration(self) >= duration('1ms')`). */
export function belowIstioMinimum(duration: string): boolean {
  return durationNanos(duration) < 1_000_000n;
}
