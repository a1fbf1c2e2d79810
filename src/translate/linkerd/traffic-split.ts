/**
 * Linkerd 2.10–2.15: a traffic shift as an SMI TrafficSplit (`split.smi-spec.io/v1alpha2`, integer weights), which
 * the linkerd-smi extension (required since 2.10, when SMI left the core) turns into ServiceProfile `dstOverrides`.
 * A TrafficSplit splits every request to its apex Service, so only a shift on the catch-all route can be expressed
 * (checked in features.ts), and backends are Services in the apex's namespace, keeping the request's port.
 *
 * meshhub always emits a ServiceProfile alongside (service-profile.ts), so linkerd-smi writes `dstOverrides` into
 * meshhub's profile rather than creating an unowned one; meshhub's profile never sets that field, so with
 * server-side apply both owners' fields coexist.
 */
import type { KubeObject } from "../../model/common.js";
import { destinationMetadata } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import type { RuleIR } from "./ir.js";
import { TRAFFIC_SPLIT_API } from "./version.js";

export function renderTrafficSplit(rules: readonly RuleIR[], ctx: DestinationContext): KubeObject | undefined {
  const rule = rules.find((r) => r.route.matcher === undefined && r.route.source === undefined && r.backends !== undefined);
  if (!rule?.backends) return undefined;
  const ref = ctx.service.spec.kubeService.ref;
  const weights = new Map<string, number>();
  for (const b of rule.backends) weights.set(b.name, (weights.get(b.name) ?? 0) + b.weight);
  return {
    apiVersion: TRAFFIC_SPLIT_API,
    kind: "TrafficSplit",
    metadata: destinationMetadata(ref.name, ref.namespace, rule.route.policies, ctx.key),
    spec: {
      service: ref.name,
      backends: [...weights].map(([service, weight]) => ({ service, weight })),
    },
  };
}
