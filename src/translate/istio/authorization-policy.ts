/**
 * The AuthorizationPolicy of a destination: `action: ALLOW`, selecting the service's pods, one rule per accepted
 * AccessPolicy (in precedence order). Applying any ALLOW policy makes the workload allow-list only, which is the
 * meaning of an AccessPolicy; so when AccessPolicies select the destination but none of their rules could be
 * expressed, the policy is still emitted with no rules — it allows nothing. Emitting nothing would allow everyone.
 */
import type { KubeObject } from "../../model/common.js";
import type { AccessPolicy } from "../../model/networking.js";
import type { ResolvedAccessRule } from "../../resolve/access.js";
import { destinationMetadata } from "../metadata.js";
import type { DestinationContext, ResolvedDestination } from "../types.js";
import { checkIdentity, renderSources } from "./identities.js";
import type { AuthorizationOperation, AuthorizationRule } from "./types.js";
import { describeIstioVersion, istioSupports, securityApiVersion } from "./version.js";
import { exactly } from "../../util/arrays.js";
import { deepFreeze } from "../../util/freeze.js";
import { hasPodSelector, podSelectorOf } from "../pod-selector.js";

/**
 * Istio authorizes at the server's sidecar, where the port is the *workload* port: an allowed service port is
 * rendered as its numeric `targetPort`. A port that is not a service port is taken as a workload port as written.
 * A service port whose target is a named container port cannot be resolved from discovery: error (fail closed).
 */
function workloadPorts(ports: readonly number[], ctx: DestinationContext): { ports: string[]; errors: string[] } {
  const out: string[] = [];
  const errors: string[] = [];
  for (const p of ports) {
    const sp = ctx.service.spec.kubeService.ports.find((x) => x.port === p);
    if (sp === undefined || sp.targetPort === undefined) out.push(String(p));
    else if (typeof sp.targetPort === "number") out.push(String(sp.targetPort));
    else if (/^\d+$/.test(sp.targetPort)) out.push(sp.targetPort);
    else
      errors.push(
        `allowedPorts: service port ${p} of ${ctx.key} targets the named container port ${JSON.stringify(sp.targetPort)}; Istio matches the workload's port number, which discovery does not know, so the rule is left out (access is not widened): allow the container port number instead`,
      );
  }
  return { ports: [...new Set(out)].sort((a, b) => Number(a) - Number(b)), errors };
}

/** The errors for an access rule Istio cannot express exactly for this destination. */
export function checkAccessRule(_policy: AccessPolicy, rule: ResolvedAccessRule, ctx: DestinationContext): string[] {
  const errors: string[] = [];
  if (!istioSupports(ctx.mesh, 1, 4)) errors.push(`meshhub emits security.istio.io/v1beta1 AuthorizationPolicies, served from Istio 1.4 (found ${describeIstioVersion(ctx.mesh)})`);
  if (!hasPodSelector(ctx.service)) {
    errors.push(
      `service ${ctx.key} has no pod selector, so an AuthorizationPolicy cannot select its workloads (one without a selector would lock down every workload of namespace ${ctx.service.spec.kubeService.ref.namespace}); nothing is emitted for it`,
    );
  }
  for (const id of rule.sources) errors.push(...checkIdentity(id, ctx));
  if (rule.ports?.length) errors.push(...workloadPorts(rule.ports, ctx).errors);
  return errors;
}

/**
 * Rendered rules without ports, per rule and trust group: the same for every destination the rule is rendered for
 * (shared and frozen; ports depend on each destination's target ports and are rendered per destination).
 */
const PORTLESS_RULES = new WeakMap<ResolvedAccessRule, WeakMap<readonly unknown[], AuthorizationRule | null>>();

function ruleFor(rule: ResolvedAccessRule, ctx: DestinationContext): AuthorizationRule | undefined {
  if (rule.ports?.length) return renderRule(rule, ctx);
  let byPeers = PORTLESS_RULES.get(rule);
  if (!byPeers) PORTLESS_RULES.set(rule, (byPeers = new WeakMap()));
  let rendered = byPeers.get(ctx.trustPeers);
  if (rendered === undefined) byPeers.set(ctx.trustPeers, (rendered = deepFreeze(renderRule(rule, ctx)) ?? null));
  return rendered ?? undefined;
}

function renderRule(rule: ResolvedAccessRule, ctx: DestinationContext): AuthorizationRule | undefined {
  const from = renderSources(rule.sources, ctx);
  // A rule without `from` would admit any caller, even without mTLS: never emit one (narrow instead).
  if (from.length === 0) return undefined;
  const operation: AuthorizationOperation = {};
  if (rule.paths?.length) operation.paths = [...rule.paths];
  if (rule.methods?.length) operation.methods = [...rule.methods];
  if (rule.ports?.length) operation.ports = workloadPorts(rule.ports, ctx).ports;
  return { from, ...(Object.keys(operation).length > 0 ? { to: [{ operation }] } : {}) };
}

/** The AuthorizationPolicy, or undefined when no AccessPolicy selects the destination (or it has no pod selector). */
export function renderAuthorizationPolicy(dest: ResolvedDestination, ctx: DestinationContext): KubeObject | undefined {
  if (dest.accessPolicies.length === 0 || !hasPodSelector(ctx.service)) return undefined;
  const rules = exactly(dest.access.flatMap((r) => ruleFor(r, ctx) ?? []));
  const ref = ctx.service.spec.kubeService.ref;
  return {
    apiVersion: securityApiVersion(ctx.mesh),
    kind: "AuthorizationPolicy",
    metadata: destinationMetadata(ref.name, ref.namespace, dest.accessPolicies, ctx.key),
    spec: {
      action: "ALLOW",
      selector: podSelectorOf(ctx.service),
      ...(rules.length > 0 ? { rules } : {}),
    },
  };
}
