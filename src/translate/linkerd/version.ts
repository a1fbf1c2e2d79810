/**
 * Which Linkerd configuration flavour a cluster gets, decided once from the discovered Linkerd version
 * (`Mesh.spec.linkerd.version`: `stable-2.x.y`, `edge-YY.M.N`, `version-2.x`). Edge releases count as the stable
 * minor whose features they carry (`parseLinkerdVersion` in discovery/versions.ts; mesh-semantics §0).
 *
 * | Linkerd        | outbound routing                                     | Server        | inbound routes        |
 * |----------------|------------------------------------------------------|---------------|-----------------------|
 * | ≥ 2.18         | `gateway.networking.k8s.io/v1` HTTPRoute (bundled GW-API 1.1.1) + annotations | `v1beta3` | `policy.linkerd.io/v1beta3` |
 * | 2.16 – 2.17    | `policy.linkerd.io/v1beta3` HTTPRoute + annotations  | `v1beta3`     | `policy.linkerd.io/v1beta3` |
 * | 2.14 – 2.15    | `linkerd.io/v1alpha2` ServiceProfile + SMI TrafficSplit | `v1beta1`  | `policy.linkerd.io/v1beta3` |
 * | 2.12 – 2.13    | ServiceProfile + TrafficSplit                        | `v1beta1`     | —                     |
 * | 2.10 – 2.11    | ServiceProfile + TrafficSplit                        | `v1beta1` (2.11) / — | —              |
 * | < 2.10         | unsupported                                          | —             | —                     |
 *
 * Gateway-API HTTPRoute `v1` only exists in the Gateway API bundled from 2.18 (2.14–2.17 bundle v0.7 with `v1beta1`
 * and no `timeouts`), so 2.16–2.17 use Linkerd's own `policy.linkerd.io/v1beta3` HTTPRoute, which every release
 * since 2.14 serves. Inbound (authorization) routes always use `policy.linkerd.io/v1beta3`: it ships with the
 * linkerd-crds chart whatever `installGatewayAPI`/`enableHttpRoutes` says.
 */
import { parseLinkerdVersion, type LinkerdVersion } from "../../discovery/versions.js";
import type { Mesh } from "../../model/discovery.js";

export type RouteFlavour = "gateway-api" | "linkerd-policy" | "service-profile";

export const GATEWAY_HTTPROUTE_API = "gateway.networking.k8s.io/v1";
export const LINKERD_HTTPROUTE_API = "policy.linkerd.io/v1beta3";
export const SERVICE_PROFILE_API = "linkerd.io/v1alpha2";
/** linkerd-smi serves v1alpha1 (storage, Quantity weights) and v1alpha2 (numeric weights); integers fit both. */
export const TRAFFIC_SPLIT_API = "split.smi-spec.io/v1alpha2";
export const AUTHORIZATION_API = "policy.linkerd.io/v1alpha1";

export interface LinkerdFlavour {
  /** The version string as discovered. */
  readonly raw: string;
  readonly parsed?: LinkerdVersion;
  /** `Linkerd edge-24.8.2 (≈ stable 2.16)`: how messages name the mesh and its version. */
  readonly label: string;
  /** Outbound routing flavour; undefined when meshhub cannot configure routing for this version. */
  readonly routes?: RouteFlavour;
  readonly httpRouteApiVersion?: typeof GATEWAY_HTTPROUTE_API | typeof LINKERD_HTTPROUTE_API;
  /** Server API version; undefined when the version has no Server CRD (before 2.11) or is unknown-too-old. */
  readonly serverApiVersion?: "policy.linkerd.io/v1beta3" | "policy.linkerd.io/v1beta1";
  /** Server `accessPolicy` exists (2.16+). */
  readonly serverAccessPolicy: boolean;
  /** AuthorizationPolicy / MeshTLSAuthentication exist (2.12+). */
  readonly authorizationPolicy: boolean;
  /** `policy.linkerd.io/v1beta3` HTTPRoutes with a Server parent (2.14+), for path/method authorization. */
  readonly inboundRoutes: boolean;
  /** Failure-accrual Service annotations (2.13+). */
  readonly failureAccrual: boolean;
  /** retry.linkerd.io / timeout.linkerd.io annotations (2.16+). */
  readonly retryAnnotations: boolean;
}

function atLeast(v: LinkerdVersion | undefined, minor: number): boolean {
  if (!v) return false;
  const s = v.equivalentStable;
  return s.major > 2 || (s.major === 2 && s.minor >= minor);
}

export function linkerdLabel(raw: string, v: LinkerdVersion | undefined): string {
  if (!v) return `Linkerd ${raw}`;
  if (v.channel === "edge") return `Linkerd ${raw} (≈ stable ${v.equivalentStable.major}.${v.equivalentStable.minor})`;
  return `Linkerd ${raw}`;
}

/** The flavour for a Linkerd version string; every field is decided here and nowhere else. */
export function flavourForVersion(raw: string): LinkerdFlavour {
  let flavour = FLAVOURS.get(raw);
  if (!flavour) FLAVOURS.set(raw, (flavour = computeFlavour(raw)));
  return flavour;
}

/** Version strings seen so far: a pure function of the string, so caching it changes nothing but the time. */
const FLAVOURS = new Map<string, LinkerdFlavour>();

function computeFlavour(raw: string): LinkerdFlavour {
  const v = parseLinkerdVersion(raw);
  const label = linkerdLabel(raw, v);
  const base = {
    raw,
    label,
    serverAccessPolicy: atLeast(v, 16),
    authorizationPolicy: atLeast(v, 12),
    inboundRoutes: atLeast(v, 14),
    failureAccrual: atLeast(v, 13),
    retryAnnotations: atLeast(v, 16),
  };
  if (!v) {
    // Unknown version: no routing (every traffic policy gets an error), but access still fails closed with the
    // Server version every Linkerd since 2.11 serves.
    return { ...base, serverApiVersion: "policy.linkerd.io/v1beta1" };
  }
  const parsed = { parsed: v };
  const serverApiVersion = atLeast(v, 16) ? ("policy.linkerd.io/v1beta3" as const) : atLeast(v, 11) ? ("policy.linkerd.io/v1beta1" as const) : undefined;
  const server = serverApiVersion ? { serverApiVersion } : {};
  if (atLeast(v, 18)) return { ...base, ...parsed, ...server, routes: "gateway-api", httpRouteApiVersion: GATEWAY_HTTPROUTE_API };
  if (atLeast(v, 16)) return { ...base, ...parsed, ...server, routes: "linkerd-policy", httpRouteApiVersion: LINKERD_HTTPROUTE_API };
  if (atLeast(v, 10)) return { ...base, ...parsed, ...server, routes: "service-profile" };
  return { ...base, ...parsed, ...server };
}

/** The flavour for a Linkerd mesh (an Istio mesh gives the "unknown version" flavour). */
export function flavourOf(mesh: Mesh): LinkerdFlavour {
  return flavourForVersion("linkerd" in mesh.spec ? mesh.spec.linkerd.version : "");
}
