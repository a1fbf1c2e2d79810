/**
 * The Istio translator (issue #4): renders one destination's resolved decisions as a VirtualService, a
 * DestinationRule and an AuthorizationPolicy, and says precisely what Istio cannot do.
 *
 * Decisions where the issue was silent are documented next to the code that makes them: durations (duration.ts),
 * API versions (version.ts), subset names (names.ts), the default route and per-port copies (virtual-service.ts),
 * fault + timeout/retries (combinations.ts), identities (identities.ts), ports (authorization-policy.ts),
 * clashes (clash.ts).
 */
import { DESTINATION_ACTIONS, ROUTE_ACTIONS } from "../../features/index.js";
import type { KubeObject } from "../../model/common.js";
import type { AccessPolicy, TrafficPolicy } from "../../model/networking.js";
import type { ResolvedAccessRule } from "../../resolve/access.js";
import type { ResolvedPolicyActions } from "../../resolve/traffic.js";
import type { DestinationContext, MeshTranslator, PolicyReport, ResolvedDestination } from "../types.js";
import { checkAccessRule, renderAuthorizationPolicy } from "./authorization-policy.js";
import { clashMessage, findClashes } from "./clash.js";
import { faultCombinationVeto } from "./combinations.js";
import { renderDestinationRule } from "./destination-rule.js";
import { checkAction } from "./features.js";
import { checkMatchers } from "./matchers.js";
import { SubsetNames } from "./names.js";
import { renderVirtualService } from "./virtual-service.js";
import { describeIstioVersion, istioSupports } from "./version.js";

function checkTraffic(policy: TrafficPolicy, actions: ResolvedPolicyActions, ctx: DestinationContext): string[] {
  const errors: string[] = [];
  if (!istioSupports(ctx.mesh, 1, 5)) {
    errors.push(`meshhub emits networking.istio.io/v1beta1 for Istio before 1.22, which is served from Istio 1.5; the mesh runs ${describeIstioVersion(ctx.mesh)}`);
  }
  errors.push(...checkMatchers(policy, ctx));
  for (const name of [...ROUTE_ACTIONS, ...DESTINATION_ACTIONS]) {
    const value = actions[name];
    if (value !== undefined) errors.push(...checkAction(name, value, ctx));
  }
  if (actions.faultInjection !== undefined) {
    const ignored = (["requestTimeout", "retries"] as const).filter((f) => actions[f] !== undefined);
    if (ignored.length > 0) {
      errors.push(
        `fault-injection: Istio does not enable timeouts or retries on a route with fault injection, so ${ignored.join(" and ")} would be silently ignored; inject faults on a route of their own (e.g. a policy with a header matcher) or drop ${ignored.join(" and ")} while testing`,
      );
    }
  }
  return errors;
}

/** The VirtualService and DestinationRule of a destination (or of its federated copy), unless hand-written config clashes. */
function translateRouting(dest: ResolvedDestination, ctx: DestinationContext): { objects: KubeObject[]; reports: PolicyReport[] } {
  const objects: KubeObject[] = [];
  const reports: PolicyReport[] = [];
  const clashes = ctx.options.allowCoexisting ? [] : findClashes(ctx);
  if (clashes.length > 0) {
    const message = clashMessage(clashes, ctx);
    for (const policy of dest.traffic.applied) reports.push({ policy, state: "INVALID", message });
  } else {
    const names = new SubsetNames(ctx.referencedSubsetsOf);
    const vs = renderVirtualService(dest.traffic.routes, ctx, names);
    if (vs) objects.push(vs);
    const dr = renderDestinationRule(dest, ctx, names);
    if (dr) objects.push(dr);
  }
  return { objects, reports };
}

function translateDestination(dest: ResolvedDestination, ctx: DestinationContext): { objects: KubeObject[]; reports: PolicyReport[] } {
  const { objects, reports } = translateRouting(dest, ctx);
  const ap = renderAuthorizationPolicy(dest, ctx);
  if (ap) objects.push(ap);
  return { objects, reports };
}

export const istioTranslator: MeshTranslator = {
  meshType: "istio",
  checkTraffic,
  checkMerge: (route, incoming, where) => faultCombinationVeto(route, incoming, where),
  checkAccess: (policy: AccessPolicy, rule: ResolvedAccessRule, ctx: DestinationContext) => checkAccessRule(policy, rule, ctx),
  translateDestination,
  // Authorization stays with the destination's own sidecars: a copy only carries the routing config.
  translateFederatedCopy: translateRouting,
};
