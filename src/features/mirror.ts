import { resolveBackend } from "./backend.js";
import type { TrafficFeature } from "./types.js";

/** `policy.mirror`: copy a percentage of requests to another service, fire-and-forget. */
export const mirror: TrafficFeature<"mirror"> = {
  name: "mirror",
  level: "route",
  resolve(value, ctx) {
    const r = resolveBackend("mirror", { ...value.kubeService, port: value.port }, ctx.index);
    if ("errors" in r) return { errors: r.errors.map((e) => `mirror: ${e}`) };
    return { value: { ...r.value, percentage: value.percentage ?? 100 } };
  },
};
