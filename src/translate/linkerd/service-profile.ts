/**
 * Linkerd 2.10–2.15: outbound route settings as a ServiceProfile (`linkerd.io/v1alpha2`), named after the Service's
 * FQDN as Linkerd requires — `<svc>.<ns>.svc.<cluster-domain>` (Service Mesh Hub 0.6 dropped the `svc` label, so
 * Linkerd never matched its profiles; not repeated here) — in the Service's namespace, so it applies to every client.
 *
 * ServiceProfile routes only match path (regex) and method, and only carry a `timeout` and budget-based
 * `isRetryable`; routing to other backends is the TrafficSplit's job (traffic-split.ts). Routes are matched in
 * order, first match wins, which is meshhub's resolved (most specific first) order.
 */
import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { destinationMetadata, serviceFqdn } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { toLinkerdDuration } from "./durations.js";
import type { RuleIR } from "./ir.js";
import { profileCondition } from "./matches.js";
import { SERVICE_PROFILE_API } from "./version.js";

/** Linkerd's documented defaults for budget-based retries. */
export const RETRY_BUDGET = { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: "10s" } as const;

export function serviceProfileName(ctx: DestinationContext): string {
  const ref = ctx.service.spec.kubeService.ref;
  const domain = "linkerd" in ctx.mesh.spec ? ctx.mesh.spec.linkerd.clusterDomain : ctx.cluster.spec.clusterDomain;
  return serviceFqdn(ref.name, ref.namespace, domain);
}

/**
 * The ServiceProfile, or undefined when no rule has a ServiceProfile setting (timeout or budget retries) and
 * `forSplit` is false. With `forSplit` (meshhub also emits a TrafficSplit) a profile is emitted even without routes:
 * linkerd-smi then writes the split's `dstOverrides` into meshhub's profile instead of creating one of its own,
 * which discovery would see as a hand-written ServiceProfile and report as a clash on the next run.
 */
export function renderServiceProfile(rules: readonly RuleIR[], ctx: DestinationContext, forSplit = false): KubeObject | undefined {
  const ref = ctx.service.spec.kubeService.ref;
  const used = new Map<string, number>();
  const routes: Record<string, unknown>[] = [];
  const sources: PolicyRef[] = [];
  let retryable = false;
  for (const rule of rules) {
    const timeout = rule.timeout !== undefined ? toLinkerdDuration(rule.timeout) : undefined;
    const isRetryable = rule.retry?.budget === true && rule.retry.limit > 0;
    if ((timeout === undefined || "error" in timeout) && !isRetryable) continue;
    const n = (used.get(rule.route.name) ?? 0) + 1;
    used.set(rule.route.name, n);
    routes.push({
      name: n === 1 ? rule.route.name : `${rule.route.name}-${n}`,
      condition: profileCondition(rule.route.matcher),
      ...(timeout !== undefined && "value" in timeout ? { timeout: timeout.value } : {}),
      ...(isRetryable ? { isRetryable: true } : {}),
    });
    retryable ||= isRetryable;
    sources.push(...rule.route.policies);
  }
  if (routes.length === 0 && !forSplit) return undefined;
  if (forSplit) for (const r of rules) if (r.backends && r.route.matcher === undefined) sources.push(...r.route.policies);
  return {
    apiVersion: SERVICE_PROFILE_API,
    kind: "ServiceProfile",
    metadata: destinationMetadata(serviceProfileName(ctx), ref.namespace, sources, ctx.key),
    spec: { routes, ...(retryable ? { retryBudget: { ...RETRY_BUDGET } } : {}) },
  };
}
