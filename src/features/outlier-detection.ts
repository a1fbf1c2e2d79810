import type { TrafficFeature } from "./types.js";

/** Gloo Mesh's defaults, kept so migrating users get the same ejection behaviour. */
export const OUTLIER_DEFAULTS = { consecutiveErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 100 } as const;

/** `policy.outlierDetection`: eject endpoints that keep failing. Applies to every caller of the destination. */
export const outlierDetection: TrafficFeature<"outlierDetection"> = {
  name: "outlierDetection",
  level: "destination",
  resolve(value, ctx) {
    if (ctx.policy.spec.sourceSelector?.length) return { errors: ["outlier-detection: applies to every caller of the destination, so it requires an empty sourceSelector"] };
    if (ctx.policy.spec.httpRequestMatchers?.length) return { errors: ["outlier-detection: applies to the whole destination, so it cannot be combined with httpRequestMatchers"] };
    return {
      value: {
        consecutiveErrors: value.consecutiveErrors || OUTLIER_DEFAULTS.consecutiveErrors,
        interval: value.interval ?? OUTLIER_DEFAULTS.interval,
        baseEjectionTime: value.baseEjectionTime ?? OUTLIER_DEFAULTS.baseEjectionTime,
        maxEjectionPercent: value.maxEjectionPercent || OUTLIER_DEFAULTS.maxEjectionPercent,
      },
    };
  },
};
