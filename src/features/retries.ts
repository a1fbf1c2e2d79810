import { durationToMillis } from "../model/common.js";
import type { TrafficFeature } from "./types.js";

/** `policy.retries`: attempts after the first try, per-try timeout, and the conditions to retry on. */
export const retries: TrafficFeature<"retries"> = {
  name: "retries",
  level: "route",
  resolve(value) {
    if (value.perTryTimeout !== undefined && durationToMillis(value.perTryTimeout) < 1) return { errors: [`retries: perTryTimeout ${value.perTryTimeout} is below the 1ms minimum`] };
    return {
      value: {
        attempts: value.attempts ?? 0,
        ...(value.perTryTimeout !== undefined ? { perTryTimeout: value.perTryTimeout } : {}),
        ...(value.retryOn !== undefined ? { retryOn: value.retryOn } : {}),
      },
    };
  },
};
