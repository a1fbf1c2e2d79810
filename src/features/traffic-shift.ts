import { resolveBackend } from "./backend.js";
import type { ResolvedShiftDestination, TrafficFeature } from "./types.js";

/** `policy.trafficShift`: weighted destinations, optionally subsets, ports or services on other clusters. */
export const trafficShift: TrafficFeature<"trafficShift"> = {
  name: "trafficShift",
  level: "route",
  resolve(value, ctx) {
    const errors: string[] = [];
    const out: ResolvedShiftDestination[] = [];
    const weighted = value.destinations.filter((d) => d.weight !== undefined).length;
    if (value.destinations.length > 1 && weighted !== value.destinations.length) {
      errors.push("traffic-shift: every destination needs a weight when shifting to several destinations");
    }
    value.destinations.forEach((d, i) => {
      if (d.virtualDestination) {
        errors.push(
          `traffic-shift: destinations[${i}] targets VirtualDestination ${d.virtualDestination.namespace}/${d.virtualDestination.name}, a Gloo Mesh Enterprise resource meshhub does not support; shift to kubeService targets (services on other clusters are reached through the VirtualMesh federation)`,
        );
        return;
      }
      const r = resolveBackend("traffic shift", d.kubeService!, ctx.index);
      if ("errors" in r) errors.push(...r.errors.map((e) => `traffic-shift: ${e}`));
      else out.push({ ...r.value, weight: d.weight ?? 1 });
    });
    if (errors.length === 0 && out.reduce((s, d) => s + d.weight, 0) === 0) errors.push("traffic-shift: the weights sum to 0, so no request could be routed");
    return errors.length > 0 ? { errors } : { value: out };
  },
};
