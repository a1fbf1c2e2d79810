import type { TrafficFeature } from "./types.js";

/** `policy.corsPolicy`: browser cross-origin rules answered by the proxy. */
export const corsPolicy: TrafficFeature<"corsPolicy"> = {
  name: "corsPolicy",
  level: "route",
  resolve(value) {
    return { value };
  },
};
