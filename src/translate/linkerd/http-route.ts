/**
 * Outbound HTTPRoutes (Linkerd ≥2.16): producer routes in the Service's namespace whose parent is the Service
 * (`group: core, kind: Service, port`), one set per TCP service port, rules in meshhub's resolved order, one rule
 * per resolved route. The Gateway API precedence Linkerd applies (longest path match, then method, headers, query)
 * makes the more specific match win across rules anyway, as in Istio's ordered list (see matches.ts).
 *
 * Retries — and, on `gateway.networking.k8s.io` routes, the request timeout — are route-wide annotations in
 * Linkerd (`retry.linkerd.io/*`, `timeout.linkerd.io/request`). Linkerd's policy controller reads
 * `rules[].timeouts.request` only on its own `policy.linkerd.io` HTTPRoute, not on Gateway-API ones (linkerd2
 * `outbound/index/http.rs`), so on 2.18+ the timeout goes in the annotation too (and in `timeouts.request`, which
 * the annotation overrides, for other GAMMA implementations). Rules that need different route-wide annotations
 * therefore go to different HTTPRoutes for the same parent: the first set is `<svc>-<port>`, others get a hash
 * of their annotations. Precedence across those routes is still the Gateway API's; only exact ties fall back to
 * route age. An HTTPRoute holds at most 16 rules; longer lists continue in `<name>-2`, `-3`, …
 *
 * On `policy.linkerd.io/v1beta3` the rule-level filters are RequestHeaderModifier and RequestRedirect only, so a
 * ResponseHeaderModifier goes on each backendRef (Linkerd applies backend filters to that backend's responses).
 */
import { toCanonicalJson } from "../../codec/canonical.js";
import type { KubeObject } from "../../model/common.js";
import type { ServicePort } from "../../model/discovery.js";
import type { PolicyRef } from "../../resolve/order.js";
import { destinationMetadata } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { toGatewayDuration, toLinkerdDuration } from "./durations.js";
import type { HeaderModifier, RuleIR } from "./ir.js";
import { gatewayMatches } from "./matches.js";
import { objectName, shortHash } from "./names.js";
import { GATEWAY_HTTPROUTE_API, LINKERD_HTTPROUTE_API, type LinkerdFlavour } from "./version.js";
import { deepFreeze } from "../../util/freeze.js";

const MAX_RULES = 16;

function modifierSpec(m: HeaderModifier): Record<string, unknown> {
  return { ...(m.add.length > 0 ? { add: m.add.map((h) => ({ ...h })) } : {}), ...(m.remove.length > 0 ? { remove: [...m.remove] } : {}) };
}

/** Route-wide annotations a rule needs (the grouping key). */
function routeAnnotations(rule: RuleIR, flavour: LinkerdFlavour): Record<string, string> {
  const out: Record<string, string> = {};
  if (rule.retry && !rule.retry.budget) {
    out["retry.linkerd.io/limit"] = String(rule.retry.limit);
    if (rule.retry.timeout !== undefined) out["retry.linkerd.io/timeout"] = rule.retry.timeout;
    if (rule.retry.http !== undefined) out["retry.linkerd.io/http"] = rule.retry.http;
  }
  if (flavour.routes === "gateway-api" && rule.timeout !== undefined) {
    const t = toLinkerdDuration(rule.timeout);
    if ("value" in t) out["timeout.linkerd.io/request"] = t.value;
  }
  return out;
}

function renderRule(rule: RuleIR, port: number, ctx: DestinationContext, flavour: LinkerdFlavour): Record<string, unknown> {
  const ref = ctx.service.spec.kubeService.ref;
  const matches = gatewayMatches(rule.route.matcher);
  const filters: Record<string, unknown>[] = [];
  if (rule.requestHeaders) filters.push({ type: "RequestHeaderModifier", requestHeaderModifier: modifierSpec(rule.requestHeaders) });
  const responseFilter = rule.responseHeaders ? { type: "ResponseHeaderModifier", responseHeaderModifier: modifierSpec(rule.responseHeaders) } : undefined;
  const onBackends = flavour.routes === "linkerd-policy" && responseFilter !== undefined;
  if (responseFilter && !onBackends) filters.push(responseFilter);
  const backendFilters = onBackends ? { filters: [responseFilter] } : {};
  const backendRefs = rule.backends
    ? rule.backends.map((b) => ({ name: b.name, ...(b.namespace !== ref.namespace ? { namespace: b.namespace } : {}), port: b.port, weight: b.weight, ...backendFilters }))
    : [{ name: ref.name, port, ...backendFilters }];
  let timeouts: Record<string, string> | undefined;
  if (rule.timeout !== undefined) {
    const t = toGatewayDuration(rule.timeout);
    if ("value" in t) timeouts = { request: t.value };
  }
  return {
    ...(matches.length > 0 ? { matches } : {}),
    ...(filters.length > 0 ? { filters } : {}),
    backendRefs,
    ...(timeouts ? { timeouts } : {}),
  };
}

/** TCP ports of the destination Service (HTTPRoutes attach per Service port). */
export function tcpPorts(ports: readonly ServicePort[]): ServicePort[] {
  return ports.filter((p) => (p.protocol ?? "TCP").toUpperCase() === "TCP");
}

/** The outbound HTTPRoutes for a destination's rules (resolved order). */
export function renderOutboundRoutes(rules: readonly RuleIR[], ctx: DestinationContext, flavour: LinkerdFlavour): KubeObject[] {
  if (rules.length === 0) return [];
  const ref = ctx.service.spec.kubeService.ref;
  const apiVersion = flavour.routes === "gateway-api" ? GATEWAY_HTTPROUTE_API : LINKERD_HTTPROUTE_API;
  const groups: { key: string; annotations: Record<string, string>; rules: RuleIR[] }[] = [];
  for (const rule of rules) {
    const annotations = routeAnnotations(rule, flavour);
    const key = toCanonicalJson(annotations);
    const g = groups.find((x) => x.key === key);
    if (g) g.rules.push(rule);
    else groups.push({ key, annotations, rules: [rule] });
  }
  const out: KubeObject[] = [];
  for (const sp of tcpPorts(ctx.service.spec.kubeService.ports)) {
    groups.forEach((g, gi) => {
      for (let start = 0, chunk = 0; start < g.rules.length; start += MAX_RULES, chunk++) {
        const slice = g.rules.slice(start, start + MAX_RULES);
        const name = objectName([ref.name, sp.port, gi > 0 ? shortHash(g.key) : "", chunk > 0 ? chunk + 1 : ""]);
        const sources: PolicyRef[] = slice.flatMap((r) => [...r.route.policies]);
        out.push({
          apiVersion,
          kind: "HTTPRoute",
          metadata: destinationMetadata(name, ref.namespace, sources, ctx.key, g.annotations),
          spec: {
            parentRefs: [{ group: "core", kind: "Service", name: ref.name, port: sp.port }],
            rules: slice.map((r) => renderRule(r, sp.port, ctx, flavour)),
          },
        });
      }
    });
  }
  return out;
}

/** The rule of a route that matches every request (an unrestricted policies' catch-all route). */
const CATCH_ALL_RULES: readonly Record<string, unknown>[] = deepFreeze([{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }]);

/** Route rules per list of matches: matches are rendered once per AccessPolicy rule, so are their route rules. */
const RULES_OF_MATCHES = new WeakMap<readonly Record<string, unknown>[], readonly Record<string, unknown>[]>();

/** Route rules of at most 8 matches each (shared and frozen). */
function serverRouteRules(matches: readonly Record<string, unknown>[]): readonly Record<string, unknown>[] {
  if (matches.length === 0) return CATCH_ALL_RULES;
  let rules = RULES_OF_MATCHES.get(matches);
  if (rules === undefined) {
    const built: Record<string, unknown>[] = [];
    for (let i = 0; i < matches.length; i += 8) built.push({ matches: matches.slice(i, i + 8).map((m) => ({ ...m })) });
    RULES_OF_MATCHES.set(matches, (rules = deepFreeze(built)));
  }
  return rules;
}

/** The `parentRefs` of the routes attached to a Server (built once per Server, shared by its routes). */
export function serverParentRefs(serverName: string): readonly Record<string, string>[] {
  return deepFreeze([{ group: "policy.linkerd.io", kind: "Server", name: serverName }]);
}

/**
 * An inbound (authorization) HTTPRoute: parent a Server, rules of at most 8 matches (policy.linkerd.io/v1beta3).
 * No matches: the catch-all route.
 */
export function renderServerRoute(
  name: string,
  parentRefs: readonly Record<string, string>[],
  matches: readonly Record<string, unknown>[],
  ctx: DestinationContext,
  sources: readonly PolicyRef[],
  annotations: Record<string, string>,
): KubeObject {
  return {
    apiVersion: LINKERD_HTTPROUTE_API,
    kind: "HTTPRoute",
    metadata: destinationMetadata(name, ctx.service.spec.kubeService.ref.namespace, sources, ctx.key, annotations),
    spec: { parentRefs, rules: serverRouteRules(matches) },
  };
}
