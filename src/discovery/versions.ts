/**
 * Mesh version parsing and ordering. Translators call these to pick output flavours (API versions, features),
 * so every function is total: unknown strings give `undefined`, never an exception.
 *
 * Linkerd release channels:
 * - `stable-2.x.y`: stable builds (open source up to 2.14; `enterprise-2.x.y` vendor builds are read as stable).
 * - `edge-YY.M.N`: weekly edge builds, the only open-source builds after 2.14.
 * - `version-2.x`: the git tag marking the commit a 2.x release was cut from.
 *
 * Edge releases map to the stable minor whose features they carry ({@link LINKERD_EDGE_TO_STABLE}): the row whose
 * `from` (year, month) is the latest one not after the edge release. Rows marked `verified` come from
 * reference/mesh-semantics.md §0 and the issue #3 brief (2.16 = edge-24.8.2, 2.17 = edge-24.11.x, 2.18 = edge-25.4.x,
 * 2.19 = edge-25.10.x, 2.20 = edge-26.x / `version-2.20` = edge-26.8.3); earlier rows are approximate (release month
 * of the stable minor) and only matter for very old clusters.
 */

export type LinkerdChannel = "stable" | "edge" | "version";

export interface StableMinor {
  readonly major: number;
  readonly minor: number;
}

export interface LinkerdVersion {
  /** The tag as given. */
  readonly raw: string;
  readonly channel: LinkerdChannel;
  /** For `edge-YY.M.N`: major = YY, minor = M, patch = N. For stable/version: 2, x, y (`version-2.x` has patch 0). */
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The stable minor release whose features this build has. */
  readonly equivalentStable: StableMinor;
}

/** Edge release (year, month) → stable minor. Sorted by `from`. */
export const LINKERD_EDGE_TO_STABLE: readonly { readonly from: readonly [number, number]; readonly stable: StableMinor; readonly verified: boolean }[] = [
  { from: [0, 0], stable: { major: 2, minor: 8 }, verified: false },
  { from: [20, 11], stable: { major: 2, minor: 9 }, verified: false },
  { from: [21, 2], stable: { major: 2, minor: 10 }, verified: false },
  { from: [21, 9], stable: { major: 2, minor: 11 }, verified: false },
  { from: [22, 8], stable: { major: 2, minor: 12 }, verified: false },
  { from: [23, 4], stable: { major: 2, minor: 13 }, verified: false },
  { from: [23, 8], stable: { major: 2, minor: 14 }, verified: true },
  { from: [24, 2], stable: { major: 2, minor: 15 }, verified: true },
  { from: [24, 8], stable: { major: 2, minor: 16 }, verified: true },
  { from: [24, 11], stable: { major: 2, minor: 17 }, verified: true },
  { from: [25, 4], stable: { major: 2, minor: 18 }, verified: true },
  { from: [25, 10], stable: { major: 2, minor: 19 }, verified: true },
  { from: [26, 1], stable: { major: 2, minor: 20 }, verified: true },
];

/** The stable minor an edge release (year YY, month M) corresponds to. */
export function edgeToStable(year: number, month: number): StableMinor {
  let result = LINKERD_EDGE_TO_STABLE[0]?.stable ?? { major: 2, minor: 8 };
  for (const row of LINKERD_EDGE_TO_STABLE) {
    const [y, m] = row.from;
    if (year > y || (year === y && month >= m)) result = row.stable;
  }
  return result;
}

const SUFFIX = "(?:-[0-9A-Za-z.-]+)?";
const STABLE_RE = new RegExp(`^(?:stable-|enterprise-|v)?(\\d+)\\.(\\d+)\\.(\\d+)${SUFFIX}$`);
const EDGE_RE = new RegExp(`^edge-(\\d{2})\\.(\\d{1,2})\\.(\\d+)${SUFFIX}$`);
const VERSION_RE = new RegExp(`^version-(\\d+)\\.(\\d+)(?:\\.(\\d+))?${SUFFIX}$`);

/** Parses a Linkerd image tag (`stable-2.14.10`, `edge-24.8.2`, `version-2.18`); undefined when it is none of those. */
export function parseLinkerdVersion(tag: string): LinkerdVersion | undefined {
  const raw = tag;
  const t = tag.trim();
  let m = EDGE_RE.exec(t);
  if (m) {
    const major = Number(m[1]);
    const minor = Number(m[2]);
    const patch = Number(m[3]);
    if (minor < 1 || minor > 12) return undefined;
    return { raw, channel: "edge", major, minor, patch, equivalentStable: edgeToStable(major, minor) };
  }
  m = VERSION_RE.exec(t);
  if (m) {
    const major = Number(m[1]);
    const minor = Number(m[2]);
    return { raw, channel: "version", major, minor, patch: m[3] === undefined ? 0 : Number(m[3]), equivalentStable: { major, minor } };
  }
  m = STABLE_RE.exec(t);
  if (m) {
    const major = Number(m[1]);
    const minor = Number(m[2]);
    return { raw, channel: "stable", major, minor, patch: Number(m[3]), equivalentStable: { major, minor } };
  }
  return undefined;
}

const CHANNEL_RANK: Readonly<Record<LinkerdChannel, number>> = { version: 0, stable: 1, edge: 2 };

function linkerdKey(v: LinkerdVersion): number[] {
  return [v.equivalentStable.major, v.equivalentStable.minor, CHANNEL_RANK[v.channel], v.major, v.minor, v.patch];
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function toLinkerd(v: LinkerdVersion | string): LinkerdVersion | undefined {
  return typeof v === "string" ? parseLinkerdVersion(v) : v;
}

/**
 * Orders Linkerd versions by the stable minor they correspond to; within one stable minor, the `version-2.x` tag
 * comes first, then `stable-2.x.y` by patch, then edge builds by date. Unparseable strings sort before every
 * parsed version (and among themselves by code unit). Returns -1, 0 or 1.
 *
 * stable-2.14.10 < edge-24.8.2 (≈2.16) < version-2.18 < edge-26.8.3 (≈2.20).
 */
export function compareLinkerdVersions(a: LinkerdVersion | string, b: LinkerdVersion | string): number {
  const pa = toLinkerd(a);
  const pb = toLinkerd(b);
  if (pa && pb) return compareNumbers(linkerdKey(pa), linkerdKey(pb));
  if (pa) return 1;
  if (pb) return -1;
  const sa = typeof a === "string" ? a : a.raw;
  const sb = typeof b === "string" ? b : b.raw;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** True when the Linkerd version has at least the features of stable `major.minor`; false when unparseable. */
export function linkerdAtLeast(v: LinkerdVersion | string, major: number, minor: number): boolean {
  const p = toLinkerd(v);
  return p !== undefined && compareNumbers([p.equivalentStable.major, p.equivalentStable.minor], [major, minor]) >= 0;
}

// ---- Istio -------------------------------------------------------------------------------------

export interface IstioVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release part (`beta.1`, `alpha.0`, `dev`), if any. */
  readonly prerelease?: string;
  /** Image variant suffix that does not change the version (`distroless`, `debug`). */
  readonly variant?: string;
}

const IMAGE_VARIANTS = ["distroless", "debug"] as const;

/** Removes an image variant suffix (`-distroless`, `-debug`) from a tag: `1.29.6-distroless` → `1.29.6`. */
export function stripImageVariant(tag: string): string {
  for (const v of IMAGE_VARIANTS) if (tag.endsWith(`-${v}`)) return tag.slice(0, -(v.length + 1));
  return tag;
}

const ISTIO_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$/;

/** Parses an Istio image tag (`1.29.6`, `1.29.6-distroless`, `1.30.0-beta.1`); undefined for digests, `latest`, etc. */
export function parseIstioVersion(tag: string): IstioVersion | undefined {
  const t = tag.trim();
  const stripped = stripImageVariant(t);
  const variant = stripped === t ? undefined : t.slice(stripped.length + 1);
  const m = ISTIO_RE.exec(stripped);
  if (!m) return undefined;
  const out: { major: number; minor: number; patch: number; prerelease?: string; variant?: string } = {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
  };
  if (m[4] !== undefined) out.prerelease = m[4];
  if (variant !== undefined) out.variant = variant;
  return out;
}

function toIstio(v: IstioVersion | string): IstioVersion | undefined {
  return typeof v === "string" ? parseIstioVersion(v) : v;
}

/**
 * Orders Istio versions by (major, minor, patch); a pre-release sorts before its release; variants are ignored.
 * Unparseable strings sort before every parsed version. Returns -1, 0 or 1.
 */
export function compareIstioVersions(a: IstioVersion | string, b: IstioVersion | string): number {
  const pa = toIstio(a);
  const pb = toIstio(b);
  if (pa && pb) {
    const c = compareNumbers([pa.major, pa.minor, pa.patch], [pb.major, pb.minor, pb.patch]);
    if (c !== 0) return c;
    if (pa.prerelease === pb.prerelease) return 0;
    if (pa.prerelease === undefined) return 1;
    if (pb.prerelease === undefined) return -1;
    return pa.prerelease < pb.prerelease ? -1 : 1;
  }
  if (pa) return 1;
  if (pb) return -1;
  const sa = typeof a === "string" ? a : "";
  const sb = typeof b === "string" ? b : "";
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** True when the Istio version is at least `major.minor` (pre-releases of that minor count); false when unparseable. */
export function istioAtLeast(v: IstioVersion | string, major: number, minor: number): boolean {
  const p = toIstio(v);
  return p !== undefined && (p.major !== major ? p.major > major : p.minor >= minor);
}
