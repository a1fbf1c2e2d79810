import type { TrafficFeature } from "./types.js";

/** `policy.faultInjection`: delay or abort a percentage of requests. */
export const faultInjection: TrafficFeature<"faultInjection"> = {
  name: "faultInjection",
  level: "route",
  resolve(value) {
    if (value.fixedDelay === undefined && value.abort === undefined) return { errors: ["fault-injection: FaultInjection type must be specified (fixedDelay or abort)"] };
    return { value };
  },
};
