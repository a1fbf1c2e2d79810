import { durationToMillis } from "../model/common.js";
import type { TrafficFeature } from "./types.js";

/** `policy.requestTimeout`: the whole request, retries included. */
export const requestTimeout: TrafficFeature<"requestTimeout"> = {
  name: "requestTimeout",
  level: "route",
  resolve(value) {
    if (durationToMillis(value) < 1) return { errors: [`timeout: requestTimeout ${value} is below the 1ms minimum`] };
    return { value };
  },
};
