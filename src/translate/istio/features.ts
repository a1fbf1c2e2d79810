/**
 * The Istio side of every TrafficPolicy feature: one renderer per route feature (into a VirtualService http route),
 * one per destination feature (into the DestinationRule traffic policy), and one check per feature (the precise
 * "Istio cannot do this here" errors). The tables are keyed by the feature names, so adding a feature to
 * `src/features` without teaching Istio about it is a compile error.
 */
import type { ActionName, DestinationActionName, ResolvedActionValues, ResolvedBackend, RouteActionName } from "../../features/types.js";
import type { DestinationContext } from "../types.js";
import { belowIstioMinimum, istioDuration } from "./duration.js";
import { backendHost, checkBackend } from "./hosts.js";
import { re2Problem } from "./matchers.js";
import type { SubsetNames } from "./names.js";
import type { Destination, HeaderOperations, HttpRoute, TrafficPolicy as IstioTrafficPolicy } from "./types.js";
import { describeIstioVersion, istioSupports } from "./version.js";
import { normaliseWeights } from "./weights.js";

/** What a route renderer may read. */
export interface RouteRenderContext {
  readonly ctx: DestinationContext;
  /** The service port this copy of the route is for, when routes are duplicated per port. */
  readonly port?: number;
  readonly subsets: SubsetNames;
}

/**
 * A VirtualService destination for a traffic-shift or mirror target. A target that is the destination itself gets
 * the port of the route copy (per-port routes keep each port's traffic on its port); any other target keeps the
 * port it was resolved with.
 */
export function renderDestination(b: ResolvedBackend, r: RouteRenderContext): Destination {
  const port = b.key === r.ctx.key && r.port !== undefined ? r.port : b.port;
  return {
    host: backendHost(b, r.ctx),
    ...(b.subset && Object.keys(b.subset).length > 0 ? { subset: r.subsets.nameOf(b.key, b.subset) } : {}),
    ...(port !== undefined ? { port: { number: port } } : {}),
  };
}

type RouteRenderer<K extends RouteActionName> = (route: HttpRoute, value: ResolvedActionValues[K], r: RouteRenderContext) => void;
type DestinationRenderer<K extends DestinationActionName> = (policy: IstioTrafficPolicy, value: ResolvedActionValues[K]) => void;
type FeatureCheck<K extends ActionName> = (value: ResolvedActionValues[K], ctx: DestinationContext) => string[];

function headerOps(add: Readonly<Record<string, string>> | undefined, remove: readonly string[] | undefined): HeaderOperations | undefined {
  const out: HeaderOperations = {};
  if (add && Object.keys(add).length > 0) out.add = { ...add };
  if (remove && remove.length > 0) out.remove = [...new Set(remove)].sort();
  return Object.keys(out).length > 0 ? out : undefined;
}

export const ROUTE_RENDERERS: { readonly [K in RouteActionName]: RouteRenderer<K> } = {
  trafficShift(route, targets, r) {
    const weights = normaliseWeights(targets.map((t) => t.weight));
    route.route = targets.map((t, i) => ({ destination: renderDestination(t, r), weight: weights[i] ?? 0 }));
  },
  faultInjection(route, fault) {
    const percentage = { value: fault.percentage ?? 100 };
    route.fault = {
      ...(fault.fixedDelay !== undefined ? { delay: { fixedDelay: istioDuration(fault.fixedDelay), percentage } } : {}),
      ...(fault.abort !== undefined ? { abort: { httpStatus: fault.abort.httpStatus, percentage } } : {}),
    };
  },
  requestTimeout(route, timeout) {
    route.timeout = istioDuration(timeout);
  },
  retries(route, retries) {
    route.retries = {
      attempts: retries.attempts,
      ...(retries.perTryTimeout !== undefined ? { perTryTimeout: istioDuration(retries.perTryTimeout) } : {}),
      ...(retries.retryOn !== undefined ? { retryOn: retries.retryOn } : {}),
    };
  },
  corsPolicy(route, cors) {
    route.corsPolicy = {
      ...(cors.allowOrigins?.length ? { allowOrigins: cors.allowOrigins.map((o) => ({ ...o })) } : {}),
      ...(cors.allowMethods?.length ? { allowMethods: [...cors.allowMethods] } : {}),
      ...(cors.allowHeaders?.length ? { allowHeaders: [...cors.allowHeaders] } : {}),
      ...(cors.exposeHeaders?.length ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
      ...(cors.maxAge !== undefined ? { maxAge: istioDuration(cors.maxAge) } : {}),
      ...(cors.allowCredentials !== undefined ? { allowCredentials: cors.allowCredentials } : {}),
    };
  },
  mirror(route, mirror, r) {
    route.mirror = renderDestination(mirror, r);
    route.mirrorPercentage = { value: mirror.percentage };
  },
  headerManipulation(route, h) {
    const request = headerOps(h.appendRequestHeaders, h.removeRequestHeaders);
    const response = headerOps(h.appendResponseHeaders, h.removeResponseHeaders);
    if (request || response) route.headers = { ...(request ? { request } : {}), ...(response ? { response } : {}) };
  },
};

export const DESTINATION_RENDERERS: { readonly [K in DestinationActionName]: DestinationRenderer<K> } = {
  outlierDetection(policy, o) {
    policy.outlierDetection = {
      consecutive5xxErrors: o.consecutiveErrors,
      interval: istioDuration(o.interval),
      baseEjectionTime: istioDuration(o.baseEjectionTime),
      maxEjectionPercent: o.maxEjectionPercent,
    };
  },
  mtls(policy, m) {
    policy.tls = { mode: m.tlsMode };
  },
};

function minimum(what: string, d: string | undefined): string[] {
  return d !== undefined && belowIstioMinimum(d) ? [`${what} ${d} is below Istio's 1ms minimum for durations`] : [];
}

export const FEATURE_CHECKS: { readonly [K in ActionName]: FeatureCheck<K> } = {
  trafficShift(targets, ctx) {
    const errors = targets.flatMap((t) => checkBackend("traffic-shift", t, ctx));
    if (targets.length > 1) {
      const weights = normaliseWeights(targets.map((t) => t.weight));
      targets.forEach((t, i) => {
        if (t.weight > 0 && weights[i] === 0) {
          errors.push(
            `traffic-shift: the weight ${t.weight} of ${t.key} is less than 1% of the total ${targets.reduce((s, x) => s + x.weight, 0)}; meshhub emits Istio weights as whole percentages summing to 100, so it would get no traffic: raise it to at least 1% of the total`,
          );
        }
      });
    }
    return errors;
  },
  faultInjection(fault) {
    return minimum("fault-injection: fixedDelay", fault.fixedDelay);
  },
  requestTimeout: () => [],
  retries: () => [],
  corsPolicy(cors, ctx) {
    const errors = minimum("cors: maxAge", cors.maxAge);
    if (cors.allowOrigins?.length && !istioSupports(ctx.mesh, 1, 5)) errors.push(`cors: allowOrigins requires Istio ≥ 1.5 (found ${describeIstioVersion(ctx.mesh)})`);
    (cors.allowOrigins ?? []).forEach((o, i) => {
      const p = o.regex !== undefined ? re2Problem(o.regex) : undefined;
      if (p) errors.push(`cors: allowOrigins[${i}].regex ${p}`);
    });
    return errors;
  },
  mirror(mirror, ctx) {
    return checkBackend("mirror", mirror, ctx);
  },
  headerManipulation: () => [],
  outlierDetection(o) {
    return [...minimum("outlier-detection: interval", o.interval), ...minimum("outlier-detection: baseEjectionTime", o.baseEjectionTime)];
  },
  mtls: () => [],
};

/** Renders one route feature (keeps the name/value correlation the loop over names loses). */
export function renderRouteAction<K extends RouteActionName>(name: K, route: HttpRoute, value: ResolvedActionValues[K], r: RouteRenderContext): void {
  (ROUTE_RENDERERS[name] as RouteRenderer<K>)(route, value, r);
}

export function renderDestinationAction<K extends DestinationActionName>(name: K, policy: IstioTrafficPolicy, value: ResolvedActionValues[K]): void {
  (DESTINATION_RENDERERS[name] as DestinationRenderer<K>)(policy, value);
}

export function checkAction<K extends ActionName>(name: K, value: ResolvedActionValues[K], ctx: DestinationContext): string[] {
  return (FEATURE_CHECKS[name] as FeatureCheck<K>)(value, ctx);
}
