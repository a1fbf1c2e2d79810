import type { TrafficFeature } from "./types.js";

/** `policy.mtls.istio.tlsMode`: the client-side TLS mode towards the destination. */
export const mtls: TrafficFeature<"mtls"> = {
  name: "mtls",
  level: "destination",
  resolve(value, ctx) {
    if (!value.istio) return { errors: ["tls: mtls needs istio.tlsMode"] };
    if (ctx.policy.spec.sourceSelector?.length) return { errors: ["tls: the TLS mode applies to every caller of the destination, so it requires an empty sourceSelector"] };
    if (ctx.policy.spec.httpRequestMatchers?.length) return { errors: ["tls: the TLS mode applies to the whole destination, so it cannot be combined with httpRequestMatchers"] };
    return { value: { tlsMode: value.istio.tlsMode } };
  },
};
