/**
 * The Linkerd feature table: for every TrafficPolicy action, whether this Linkerd (flavour) can express it and how
 * it lands in the intermediate form. The table is typed over every action name, so a feature added to the model
 * without a Linkerd entry is a compile error.
 *
 * `check` runs during resolution (through `checkTraffic`): any message makes the policy INVALID for the destination
 * and it contributes nothing. `apply` only runs for values that passed `check`.
 */
import type { DestinationActionName, ResolvedActionValues, RouteActionName } from "../../features/types.js";
import { OUTLIER_DEFAULTS } from "../../features/outlier-detection.js";
import type { TrafficPolicy } from "../../model/networking.js";
import type { ResolvedPolicyActions } from "../../resolve/traffic.js";
import type { DestinationContext, TranslateOptions } from "../types.js";
import { normaliseWeights, resolveShiftBackend, type LinkerdBackend } from "./backends.js";
import { durationMillis, toGatewayDuration, toLinkerdDuration } from "./durations.js";
import type { HeaderModifier, RetryDecision, RuleIR } from "./ir.js";
import type { LinkerdFlavour } from "./version.js";

/** What a feature check may look at. */
export interface FeatureCheckContext {
  readonly flavour: LinkerdFlavour;
  readonly ctx: DestinationContext;
  readonly policy: TrafficPolicy;
  readonly actions: ResolvedPolicyActions;
}

/** What a feature may look at while applying. */
export interface FeatureApplyContext {
  readonly flavour: LinkerdFlavour;
  readonly ctx: DestinationContext;
}

export interface RouteFeature<K extends RouteActionName> {
  readonly level: "route";
  check(value: ResolvedActionValues[K], c: FeatureCheckContext): readonly string[];
  /** Sets the feature on a rule; returns errors only if `check` was bypassed (an internal inconsistency). */
  apply(value: ResolvedActionValues[K], rule: RuleIR, c: FeatureApplyContext): readonly string[];
}

export interface DestinationFeature<K extends DestinationActionName> {
  readonly level: "destination";
  check(value: ResolvedActionValues[K], c: FeatureCheckContext): readonly string[];
  /** Adds the Service annotations for the feature. */
  apply(value: ResolvedActionValues[K], annotations: Record<string, string>, c: FeatureApplyContext): readonly string[];
}

export type LinkerdFeatureTable = { readonly [K in RouteActionName]: RouteFeature<K> } & { readonly [K in DestinationActionName]: DestinationFeature<K> };

/**
 * Opt-in (proposed `TranslateOptions.linkerdRetryBudget`, see the issue #5 report): on Linkerd <2.16 accept a
 * `retries` policy as ServiceProfile budget-based retries (`isRetryable` + `retryBudget`), which have no attempt
 * count. Off by default: the policy is then INVALID with a precise message.
 */
export function retryBudgetAllowed(options: TranslateOptions): boolean {
  return options.linkerdRetryBudget === true;
}

const GRPC_CONDITIONS = new Set(["cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"]);

function isStatus(s: string): boolean {
  return /^\d{3}$/.test(s) && Number(s) >= 100 && Number(s) <= 599;
}

/** Maps an Envoy/Istio `retryOn` list to Linkerd's `retry.linkerd.io/http` conditions, or the errors. */
export function mapRetryOn(retryOn: string, flavour: LinkerdFlavour): { value: string } | { errors: string[] } {
  const out: string[] = [];
  const errors: string[] = [];
  for (const token of retryOn.split(",").map((t) => t.trim()).filter((t) => t !== "")) {
    if (token === "5xx" || token === "gateway-error" || isStatus(token)) {
      out.push(token);
      continue;
    }
    const range = /^(\d{3})-(\d{3})$/.exec(token);
    if (range && isStatus(range[1] ?? "") && isStatus(range[2] ?? "") && Number(range[1]) <= Number(range[2])) {
      out.push(token);
      continue;
    }
    if (GRPC_CONDITIONS.has(token)) {
      errors.push(
        `retries.retryOn: retry condition '${token}' not expressible in Linkerd HTTPRoute retries (${flavour.label}): it is a gRPC status, which Linkerd only retries on a GRPCRoute (retry.linkerd.io/grpc) and meshhub emits HTTPRoutes; retry on HTTP status codes (5xx, gateway-error, 503, 500-504) instead`,
      );
      continue;
    }
    errors.push(
      `retries.retryOn: retry condition '${token}' not expressible in Linkerd (${flavour.label}): Linkerd retries only on response status codes (5xx, gateway-error, a code like 503 or a range like 500-504); connection-level conditions such as connect-failure, reset or refused-stream and Envoy's retriable-4xx/retriable-status-codes have no Linkerd equivalent — drop '${token}' from retryOn`,
    );
  }
  return errors.length > 0 ? { errors } : { value: [...new Set(out)].join(",") };
}

function sortedHeaders(add: Readonly<Record<string, string>> | undefined): { name: string; value: string }[] {
  return Object.entries(add ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

function checkModifier(direction: "request" | "response", add: Readonly<Record<string, string>> | undefined, remove: readonly string[] | undefined): string[] {
  const errors: string[] = [];
  const field = direction === "request" ? "appendRequestHeaders" : "appendResponseHeaders";
  const rfield = direction === "request" ? "removeRequestHeaders" : "removeResponseHeaders";
  for (const [name, value] of Object.entries(add ?? {})) {
    if (value === "") errors.push(`headerManipulation.${field}: header ${name} has an empty value, which a Gateway API header filter cannot carry (values need at least one character); remove it or give it a value`);
    if (value.length > 4096) errors.push(`headerManipulation.${field}: the value of header ${name} is longer than the 4096 characters an HTTPRoute header filter allows`);
  }
  if (Object.keys(add ?? {}).length > 16) errors.push(`headerManipulation.${field}: an HTTPRoute header filter adds at most 16 headers (found ${Object.keys(add ?? {}).length})`);
  if ((remove?.length ?? 0) > 16) errors.push(`headerManipulation.${rfield}: an HTTPRoute header filter removes at most 16 headers (found ${remove?.length ?? 0})`);
  return errors;
}

function modifier(add: Readonly<Record<string, string>> | undefined, remove: readonly string[] | undefined): HeaderModifier | undefined {
  const a = sortedHeaders(add);
  const r = [...new Set(remove ?? [])];
  return a.length > 0 || r.length > 0 ? { add: a, remove: r } : undefined;
}

function hasRouteAction(actions: ResolvedPolicyActions): boolean {
  return (["trafficShift", "faultInjection", "requestTimeout", "retries", "corsPolicy", "mirror", "headerManipulation"] as const).some((k) => actions[k] !== undefined);
}

function onProfile(f: LinkerdFlavour): boolean {
  return f.routes === "service-profile";
}

export const LINKERD_FEATURES: LinkerdFeatureTable = {
  trafficShift: {
    level: "route",
    check(value, { flavour, ctx, policy }) {
      const errors: string[] = [];
      const backends: LinkerdBackend[] = [];
      for (const d of value) {
        const r = resolveShiftBackend(d, ctx, flavour);
        if ("error" in r) errors.push(r.error);
        else backends.push(r.value);
      }
      if (errors.length > 0) return errors;
      const ref = ctx.service.spec.kubeService.ref;
      if (onProfile(flavour)) {
        if (policy.spec.httpRequestMatchers?.length) {
          errors.push(
            `trafficShift with httpRequestMatchers (per-route traffic shifting) requires Linkerd ≥2.16 (found ${flavour.label}): before 2.16 meshhub shifts traffic with an SMI TrafficSplit (linkerd-smi), which splits every request to the Service; remove the matchers to shift all traffic, or upgrade to Linkerd ≥2.16 for HTTPRoute backendRefs`,
          );
        }
        for (const b of backends) {
          if (b.namespace !== ref.namespace) {
            errors.push(
              `traffic shift across namespaces (to ${b.targetKey}) is not supported by ${flavour.label}: an SMI TrafficSplit's backends are Services in the apex Service's namespace ${ref.namespace}; create a Service in ${ref.namespace} for the target, or upgrade to Linkerd ≥2.16 (HTTPRoute backendRefs may name another namespace)`,
            );
          }
          if (!ctx.service.spec.kubeService.ports.some((p) => p.port === b.port)) {
            errors.push(
              `traffic shift to port ${b.port} of ${b.targetKey} is not supported by ${flavour.label}: a TrafficSplit keeps the request's port, and ${ref.name} has no port ${b.port}; shift to a port the destination also exposes, or upgrade to Linkerd ≥2.16 (HTTPRoute backendRefs carry a port)`,
            );
          }
        }
      } else if (backends.length > 16) {
        errors.push(`trafficShift: ${backends.length} destinations; a Linkerd HTTPRoute rule allows at most 16 backendRefs`);
      }
      return errors;
    },
    apply(value, rule, { flavour, ctx }) {
      const backends: LinkerdBackend[] = [];
      for (const d of value) {
        const r = resolveShiftBackend(d, ctx, flavour);
        if ("error" in r) return [r.error];
        backends.push(r.value);
      }
      const weights = normaliseWeights(backends.map((b) => b.weight));
      rule.backends = backends.map((b, i) => ({ ...b, weight: weights[i] ?? b.weight }));
      return [];
    },
  },

  faultInjection: {
    level: "route",
    check(value, { flavour }) {
      const errors: string[] = [];
      if (value.fixedDelay !== undefined) {
        errors.push(
          `faultInjection.fixedDelay: native fault injection not supported by Linkerd — Linkerd cannot inject latency (${flavour.label}); delay requests in a test backend or the application, or use an Istio destination for latency experiments`,
        );
      }
      if (value.abort !== undefined) {
        errors.push(
          `faultInjection.abort: native fault injection not supported by Linkerd (${flavour.label}); provide an injector backend: deploy a Service that answers ${value.abort.httpStatus} (e.g. nginx) and send ${value.percentage ?? 100}% of the traffic to it with a trafficShift instead`,
        );
      }
      return errors;
    },
    apply() {
      return ["faultInjection has no Linkerd rendering"];
    },
  },

  requestTimeout: {
    level: "route",
    check(value, { flavour }) {
      const r = toLinkerdDuration(value);
      if ("error" in r) return [`requestTimeout: ${r.error}; ${flavour.label} would ignore such a value, so give a whole number of milliseconds (e.g. 1500ms)`];
      if (flavour.routes === "gateway-api" || flavour.routes === "linkerd-policy") {
        const g = toGatewayDuration(value);
        if ("error" in g) return [`requestTimeout: ${g.error}`];
      }
      return [];
    },
    apply(value, rule) {
      rule.timeout = value;
      return [];
    },
  },

  retries: {
    level: "route",
    check(value, { flavour, ctx }) {
      if (onProfile(flavour)) {
        // attempts 0 = no retries, which is what a ServiceProfile route without isRetryable already does.
        if (value.attempts === 0) return [];
        if (!retryBudgetAllowed(ctx.options)) {
          return [
            `retries: retry attempts/per-try timeout require Linkerd ≥2.16 (found ${flavour.label}): before 2.16 Linkerd retries are budget-based (ServiceProfile isRetryable + retryBudget) with no attempt count, per-try timeout or retry conditions; upgrade to Linkerd ≥2.16 (retry.linkerd.io annotations), or opt in to budget-based retries with the translate option linkerdRetryBudget`,
          ];
        }
        const errors: string[] = [];
        if (value.perTryTimeout !== undefined) {
          errors.push(`retries.perTryTimeout: retry attempts/per-try timeout require Linkerd ≥2.16 (found ${flavour.label}): ServiceProfile budget retries have no per-try timeout; remove perTryTimeout or upgrade`);
        }
        const tokens = (value.retryOn ?? "").split(",").filter((t) => t !== "" && t !== "5xx");
        if (tokens.length > 0) {
          errors.push(`retries.retryOn: retry conditions ${tokens.map((t) => `'${t}'`).join(", ")} are not expressible in ${flavour.label}: ServiceProfile retries retry 5xx responses only; drop them or upgrade to Linkerd ≥2.16`);
        }
        return errors;
      }
      if (!flavour.retryAnnotations) return [`retries: retry attempts/per-try timeout require Linkerd ≥2.16 (found ${flavour.label}); upgrade Linkerd`];
      const errors: string[] = [];
      if (value.attempts > 65535) errors.push(`retries.attempts: ${value.attempts} exceeds Linkerd's maximum retry limit of 65535`);
      if (value.perTryTimeout !== undefined) {
        const r = toLinkerdDuration(value.perTryTimeout);
        if ("error" in r) errors.push(`retries.perTryTimeout: ${r.error}; ${flavour.label} would drop the whole route for such a value, so give a whole number of milliseconds`);
      }
      if (value.retryOn !== undefined) {
        const m = mapRetryOn(value.retryOn, flavour);
        if ("errors" in m) errors.push(...m.errors);
      }
      return errors;
    },
    apply(value, rule, { flavour }) {
      if (onProfile(flavour)) {
        // Budget-based (opt-in): retryable when any retry is wanted; the budget bounds the retry rate.
        if (value.attempts > 0) rule.retry = { limit: value.attempts, budget: true };
        return [];
      }
      if (value.attempts === 0) {
        // Istio reads attempts 0 as "no retries"; an explicit limit 0 says so without enabling Linkerd's default.
        rule.retry = { limit: 0 };
        return [];
      }
      const decision: { limit: number; timeout?: string; http?: string } = { limit: value.attempts };
      if (value.perTryTimeout !== undefined) {
        const r = toLinkerdDuration(value.perTryTimeout);
        if ("error" in r) return [r.error];
        decision.timeout = r.value;
      }
      if (value.retryOn !== undefined) {
        const m = mapRetryOn(value.retryOn, flavour);
        if ("errors" in m) return m.errors;
        if (m.value !== "") decision.http = m.value;
      }
      rule.retry = decision satisfies RetryDecision;
      return [];
    },
  },

  corsPolicy: {
    level: "route",
    check(_value, { flavour }) {
      return [`corsPolicy: CORS policy is not supported by Linkerd (${flavour.label}): the Linkerd proxy has no CORS filter and HTTPRoutes cannot answer preflight requests; handle CORS in the application or at an ingress gateway`];
    },
    apply() {
      return ["corsPolicy has no Linkerd rendering"];
    },
  },

  mirror: {
    level: "route",
    check(_value, { flavour }) {
      return [
        `mirror: traffic mirroring is not supported by Linkerd (${flavour.label}): the Linkerd policy controller rejects HTTPRoute RequestMirror filters; mirror at an ingress gateway that supports it (Istio, Envoy Gateway) or in the application`,
      ];
    },
    apply() {
      return ["mirror has no Linkerd rendering"];
    },
  },

  headerManipulation: {
    level: "route",
    check(value, { flavour }) {
      if (onProfile(flavour)) {
        return [
          `headerManipulation requires Linkerd ≥2.16 (found ${flavour.label}): before 2.16 meshhub configures routes with a ServiceProfile, which cannot modify headers; upgrade to Linkerd ≥2.16 (HTTPRoute RequestHeaderModifier/ResponseHeaderModifier filters) or modify the headers in the application`,
        ];
      }
      return [...checkModifier("request", value.appendRequestHeaders, value.removeRequestHeaders), ...checkModifier("response", value.appendResponseHeaders, value.removeResponseHeaders)];
    },
    apply(value, rule) {
      const req = modifier(value.appendRequestHeaders, value.removeRequestHeaders);
      const res = modifier(value.appendResponseHeaders, value.removeResponseHeaders);
      if (req) rule.requestHeaders = req;
      if (res) rule.responseHeaders = res;
      return [];
    },
  },

  outlierDetection: {
    level: "destination",
    check(value, { flavour, actions }) {
      const errors: string[] = [];
      if (!flavour.failureAccrual) {
        return [`outlierDetection requires Linkerd ≥2.13 (found ${flavour.label}): Linkerd ejects failing endpoints with failure accrual (balancer.linkerd.io annotations), added in 2.13; upgrade Linkerd`];
      }
      if (onProfile(flavour) && hasRouteAction(actions)) {
        errors.push(
          `outlierDetection together with route settings is not supported by ${flavour.label}: before 2.16 meshhub renders routes as a ServiceProfile (or a TrafficSplit, which linkerd-smi turns into one), and Linkerd ignores failure-accrual annotations on a Service that has a ServiceProfile; put outlierDetection in a policy of its own for a service without route settings, or upgrade to Linkerd ≥2.16`,
        );
      }
      const interval = durationMillis(value.interval);
      if (interval !== durationMillis(OUTLIER_DEFAULTS.interval)) {
        errors.push(
          `outlierDetection.interval ${value.interval}: only consecutive-failure ejection is supported by Linkerd (${flavour.label}) — failure accrual counts consecutive failures and has no analysis interval; remove interval (the default ${OUTLIER_DEFAULTS.interval} is accepted)`,
        );
      }
      if (value.maxEjectionPercent !== OUTLIER_DEFAULTS.maxEjectionPercent) {
        errors.push(
          `outlierDetection.maxEjectionPercent ${value.maxEjectionPercent}: only consecutive-failure ejection is supported by Linkerd (${flavour.label}) — failure accrual has no cap on the share of ejected endpoints; remove maxEjectionPercent (the default ${OUTLIER_DEFAULTS.maxEjectionPercent} is accepted)`,
        );
      }
      if (value.consecutiveErrors > 4_294_967_295) errors.push(`outlierDetection.consecutiveErrors: ${value.consecutiveErrors} is larger than Linkerd accepts (u32)`);
      const base = toLinkerdDuration(value.baseEjectionTime, { allowZero: true });
      if ("error" in base) errors.push(`outlierDetection.baseEjectionTime: ${base.error}; ${flavour.label} would silently ignore the failure-accrual annotations, so give a whole number of milliseconds`);
      return errors;
    },
    apply(value, annotations) {
      const base = toLinkerdDuration(value.baseEjectionTime, { allowZero: true });
      if ("error" in base) return [base.error];
      annotations["balancer.linkerd.io/failure-accrual"] = "consecutive";
      annotations["balancer.linkerd.io/failure-accrual-consecutive-max-failures"] = String(value.consecutiveErrors);
      annotations["balancer.linkerd.io/failure-accrual-consecutive-min-penalty"] = base.value;
      // Linkerd rejects (and then ignores) a min penalty above the max penalty, whose default is 1m.
      if ((durationMillis(value.baseEjectionTime) ?? 0) > 60_000) annotations["balancer.linkerd.io/failure-accrual-consecutive-max-penalty"] = base.value;
      return [];
    },
  },

  mtls: {
    level: "destination",
    check(value, { flavour }) {
      if (value.tlsMode === "DISABLE") {
        return [
          `mtls.istio.tlsMode DISABLE: Linkerd mTLS cannot be disabled for meshed traffic (${flavour.label}): Linkerd always uses mTLS between meshed workloads; to take a port out of the mesh use the config.linkerd.io/skip-inbound-ports or skip-outbound-ports annotation (the port is then not meshed at all), or remove mtls from the policy`,
        ];
      }
      return [
        `mtls.istio.tlsMode ${value.tlsMode} is an Istio-only setting, not supported by Linkerd (${flavour.label}): the Linkerd equivalent is automatic — mTLS between meshed workloads is always on; remove mtls from the policy for Linkerd destinations`,
      ];
    },
    apply() {
      return ["mtls has no Linkerd rendering"];
    },
  },
};
