/**
 * The Linkerd translator (issue #5). Conflicts, grouping, merging and route order are decided mesh-independently in
 * resolve/traffic.ts; this module only says what Linkerd (at the discovered version) can express — precisely, as
 * errors that make a policy INVALID for the destination — and renders the rest:
 *
 * - Linkerd ≥2.18: `gateway.networking.k8s.io/v1` HTTPRoutes with the Service as parent, retry/timeout annotations;
 * - Linkerd 2.16–2.17: `policy.linkerd.io/v1beta3` HTTPRoutes;
 * - Linkerd 2.10–2.15: a ServiceProfile (timeouts, budget retries) and an SMI TrafficSplit;
 * - failure accrual as a server-side-apply patch of the user's Service (annotations only);
 * - AccessPolicies as Servers + AuthorizationPolicies + MeshTLSAuthentications (+ Server HTTPRoutes for paths),
 *   failing closed.
 *
 * Pure: reads only its arguments.
 */
import { DESTINATION_ACTIONS, ROUTE_ACTIONS } from "../../features/index.js";
import type { ActionName, DestinationActionName, ResolvedActionValues, RouteActionName } from "../../features/types.js";
import type { KubeObject } from "../../model/common.js";
import type { HttpMatcher, TrafficPolicy } from "../../model/networking.js";
import type { PolicyRef } from "../../resolve/order.js";
import type { ResolvedPolicyActions } from "../../resolve/traffic.js";
import { PATCH_ANNOTATION } from "../metadata.js";
import type { DestinationContext, MeshTranslator, PolicyReport, ResolvedDestination } from "../types.js";
import { checkAccessRule, renderAccess } from "./authorization-policy.js";
import { clashMessage, findClashes } from "./clash.js";
import { LINKERD_FEATURES, type FeatureApplyContext, type FeatureCheckContext } from "./features.js";
import { renderOutboundRoutes, tcpPorts } from "./http-route.js";
import type { RuleIR } from "./ir.js";
import { checkGatewayMatcher, checkPathRegex } from "./matches.js";
import { renderServicePatch } from "./service-patch.js";
import { renderServiceProfile } from "./service-profile.js";
import { renderTrafficSplit } from "./traffic-split.js";
import { flavourOf, type LinkerdFlavour } from "./version.js";

export { flavourForVersion, flavourOf, type LinkerdFlavour } from "./version.js";
export { toGatewayDuration, toLinkerdDuration } from "./durations.js";

type Checker<K extends ActionName> = { check(value: ResolvedActionValues[K], c: FeatureCheckContext): readonly string[] };
type RouteApplier<K extends RouteActionName> = { apply(value: ResolvedActionValues[K], rule: RuleIR, c: FeatureApplyContext): readonly string[] };
type DestinationApplier<K extends DestinationActionName> = { apply(value: ResolvedActionValues[K], annotations: Record<string, string>, c: FeatureApplyContext): readonly string[] };

function checkFeature<K extends ActionName>(name: K, value: ResolvedActionValues[K], c: FeatureCheckContext): readonly string[] {
  return (LINKERD_FEATURES[name] as unknown as Checker<K>).check(value, c);
}

function applyRouteFeature<K extends RouteActionName>(name: K, value: ResolvedActionValues[K], rule: RuleIR, c: FeatureApplyContext): readonly string[] {
  return (LINKERD_FEATURES[name] as unknown as RouteApplier<K>).apply(value, rule, c);
}

function applyDestinationFeature<K extends DestinationActionName>(name: K, value: ResolvedActionValues[K], annotations: Record<string, string>, c: FeatureApplyContext): readonly string[] {
  return (LINKERD_FEATURES[name] as unknown as DestinationApplier<K>).apply(value, annotations, c);
}

function versionProblem(flavour: LinkerdFlavour): string | undefined {
  if (!flavour.parsed) {
    return `cannot tell which Linkerd configuration ${flavour.label} accepts: the version is not a stable-2.x.y, edge-YY.M.N or version-2.x tag, and meshhub picks HTTPRoute or ServiceProfile output by version; fix the version discovery reports (Mesh spec.linkerd.version)`;
  }
  if (!flavour.routes) return `TrafficPolicies require Linkerd ≥2.10 (found ${flavour.label}); upgrade Linkerd`;
  return undefined;
}

function sourceSelectorProblems(policy: TrafficPolicy, flavour: LinkerdFlavour): string[] {
  const errors: string[] = [];
  (policy.spec.sourceSelector ?? []).forEach((sel, i) => {
    const m = sel.kubeWorkloadMatcher;
    if (!m) return;
    const at = `sourceSelector[${i}].kubeWorkloadMatcher`;
    if (m.labels && Object.keys(m.labels).length > 0) {
      errors.push(
        `${at}.labels: Linkerd routes cannot target client workloads (${flavour.label}): a Linkerd route applies to every client of the Service, it has no source-label match; drop the labels (the policy then applies to all clients) or give those clients their own Service to call`,
      );
    }
    if (m.clusters?.length) {
      errors.push(
        `${at}.clusters: Linkerd cannot route by client cluster (${flavour.label}): Linkerd routes have no client-cluster match; drop clusters from the sourceSelector, or select destinations per cluster with destinationSelector instead`,
      );
    }
    if (m.namespaces?.length) {
      errors.push(
        `${at}.namespaces: routing by client namespace is not supported by meshhub on ${flavour.label}: Linkerd only scopes routes to a namespace through consumer HTTPRoutes, which Linkerd merges with the Service's own routes by Gateway API precedence, so the policy's order could not be kept; drop namespaces from the sourceSelector`,
      );
    }
  });
  return errors;
}

function matcherProblems(matchers: readonly HttpMatcher[], flavour: LinkerdFlavour): string[] {
  const errors: string[] = [];
  matchers.forEach((m, i) => {
    const at = `httpRequestMatchers[${i}]`;
    for (const h of m.headers ?? []) {
      if (h.invertMatch) {
        errors.push(`${at}: negative header match not supported by Linkerd (${flavour.label}): header ${h.name} has invertMatch, but HTTPRoute header matches are Exact or RegularExpression only; rewrite it as a positive match (e.g. a regular expression for the allowed values)`);
      }
    }
    if (flavour.routes === "service-profile") {
      if (m.headers?.length || m.queryParameters?.length) {
        errors.push(
          `${at}: header and query-parameter matching requires Linkerd ≥2.16 (found ${flavour.label}): before 2.16 meshhub configures routes with a ServiceProfile, whose route conditions match only the path and method; match on path/method, or upgrade to Linkerd ≥2.16 (HTTPRoute header/query matches)`,
        );
      }
      errors.push(...checkPathRegex(m, at, flavour.label));
    } else {
      errors.push(...checkGatewayMatcher(m, at, flavour.label));
    }
  });
  return errors;
}

function hasRouteAction(actions: ResolvedPolicyActions): boolean {
  return ROUTE_ACTIONS.some((k) => actions[k] !== undefined);
}

function uniqueRefs(refs: readonly PolicyRef[]): PolicyRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.kind}/${r.namespace}/${r.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function checkTraffic(policy: TrafficPolicy, actions: ResolvedPolicyActions, ctx: DestinationContext): string[] {
  const present = [...ROUTE_ACTIONS, ...DESTINATION_ACTIONS].filter((k) => actions[k] !== undefined);
  if (present.length === 0) return [];
  const flavour = flavourOf(ctx.mesh);
  const version = versionProblem(flavour);
  if (version) return [version];
  const ref = ctx.service.spec.kubeService.ref;
  if (ctx.service.spec.kubeService.headless) {
    return [
      `${present.join(", ")} on headless Service ${ref.namespace}/${ref.name} is not supported by ${flavour.label}: Linkerd cannot apply outbound policy (routes, timeouts, retries, failure accrual) to headless Services, whose clients connect to pod IPs that Linkerd cannot map back to the Service; give the Service a cluster IP, or target a non-headless Service in front of the pods`,
    ];
  }
  const errors: string[] = [...sourceSelectorProblems(policy, flavour), ...matcherProblems(policy.spec.httpRequestMatchers ?? [], flavour)];
  if (hasRouteAction(actions) && flavour.routes !== "service-profile" && tcpPorts(ctx.service.spec.kubeService.ports).length === 0) {
    errors.push(`Service ${ref.namespace}/${ref.name} has no TCP port, and Linkerd HTTPRoutes attach to a Service port; nothing could carry ${present.join(", ")}`);
  }
  const c: FeatureCheckContext = { flavour, ctx, policy, actions };
  for (const k of present) {
    const value = actions[k];
    if (value !== undefined) errors.push(...checkFeature(k, value, c));
  }
  return errors;
}

/**
 * Failure-accrual annotations already on the user's Service, not written by meshhub (a Service meshhub has patched
 * carries the patch marker), whose value differs from what the policy needs: hand-written config, so a clash.
 */
function foreignAnnotations(wanted: Readonly<Record<string, string>>, ctx: DestinationContext): string[] {
  const existing = ctx.service.spec.kubeService.annotations ?? {};
  if (existing[PATCH_ANNOTATION] !== undefined) return [];
  return Object.keys(existing)
    .filter((k) => k.startsWith("balancer.linkerd.io/failure-accrual") && existing[k] !== wanted[k])
    .sort()
    .map((k) => `${k}: ${JSON.stringify(existing[k])}`);
}

function translateTraffic(dest: ResolvedDestination, ctx: DestinationContext, flavour: LinkerdFlavour): { objects: KubeObject[]; reports: PolicyReport[] } {
  const objects: KubeObject[] = [];
  const reports: PolicyReport[] = [];
  const t = dest.traffic;
  if ((t.routes.length === 0 && Object.keys(t.destinationActions).length === 0) || !flavour.routes) return { objects, reports };

  const clashes = ctx.options.allowCoexisting ? [] : findClashes(ctx);
  if (clashes.length > 0) {
    for (const p of t.applied) for (const f of clashes) reports.push({ policy: p, state: "INVALID", message: clashMessage(f, ctx) });
    return { objects, reports };
  }

  const ac: FeatureApplyContext = { flavour, ctx };
  const rules: RuleIR[] = [];
  for (const route of t.routes) {
    const rule: RuleIR = { route };
    const errors: string[] = [];
    for (const k of ROUTE_ACTIONS) {
      const pv = route.actions[k];
      if (pv !== undefined) errors.push(...applyRouteFeature(k, pv.value, rule, ac));
    }
    if (errors.length > 0) {
      // Only reachable if a check was bypassed: the route is dropped whole, its policies reported.
      for (const p of route.policies) for (const message of errors) reports.push({ policy: p, state: "INVALID", message });
      continue;
    }
    rules.push(rule);
  }

  let annotations: Record<string, string> = {};
  const annotationSources: PolicyRef[] = [];
  for (const k of DESTINATION_ACTIONS) {
    const pv = t.destinationActions[k];
    if (pv === undefined) continue;
    const errors = applyDestinationFeature(k, pv.value, annotations, ac);
    if (errors.length > 0) for (const message of errors) reports.push({ policy: pv.setBy, state: "INVALID", message });
    else annotationSources.push(pv.setBy);
  }
  const ref = ctx.service.spec.kubeService.ref;
  const split = flavour.routes === "service-profile" ? renderTrafficSplit(rules, ctx) : undefined;
  const profile = flavour.routes === "service-profile" ? renderServiceProfile(rules, ctx, split !== undefined) : undefined;
  if (Object.keys(annotations).length > 0 && (profile || split)) {
    // A ServiceProfile (ours, or linkerd-smi's for the TrafficSplit) makes Linkerd ignore failure accrual.
    const routePolicies = uniqueRefs(rules.flatMap((r) => [...r.route.policies]));
    for (const p of uniqueRefs(annotationSources)) {
      reports.push({
        policy: p,
        state: "INVALID",
        message: `outlierDetection is not supported by ${flavour.label} on a Service that also gets route settings (from ${routePolicies.map((r) => `${r.namespace}/${r.name}`).join(", ")}): before 2.16 those are rendered as a ServiceProfile/TrafficSplit, and Linkerd ignores failure-accrual annotations on a Service with a ServiceProfile; upgrade to Linkerd ≥2.16, or drop the route settings for this Service`,
      });
    }
    annotations = {};
  }

  if (Object.keys(annotations).length > 0 && !ctx.options.allowCoexisting) {
    const foreign = foreignAnnotations(annotations, ctx);
    if (foreign.length > 0) {
      for (const p of uniqueRefs(annotationSources)) {
        reports.push({
          policy: p,
          state: "INVALID",
          message: `Service ${ref.namespace}/${ref.name} on cluster ${ref.clusterName} already carries hand-written failure-accrual annotations (${foreign.join(", ")}) that differ from the policy's; meshhub does not overwrite a user's Service settings — remove them from the Service, or set the translate option allowCoexisting to patch them anyway`,
        });
      }
      annotations = {};
    }
  }
  if (profile) objects.push(profile);
  if (split) objects.push(split);
  if (flavour.routes !== "service-profile") objects.push(...renderOutboundRoutes(rules, ctx, flavour));
  if (Object.keys(annotations).length > 0) objects.push(renderServicePatch(ref.name, ref.namespace, annotations, uniqueRefs(annotationSources)));
  return { objects, reports };
}

export const linkerdTranslator: MeshTranslator = {
  meshType: "linkerd",
  checkTraffic,
  checkAccess(policy, rule, ctx) {
    return checkAccessRule(policy, rule, ctx, flavourOf(ctx.mesh));
  },
  translateDestination(dest, ctx) {
    const flavour = flavourOf(ctx.mesh);
    const traffic = translateTraffic(dest, ctx, flavour);
    const access = renderAccess(dest, ctx, flavour);
    // Joined only when both have items: the engine keeps an exact-length copy anyway.
    return {
      objects: access.objects.length === 0 ? traffic.objects : traffic.objects.length === 0 ? access.objects : traffic.objects.concat(access.objects),
      reports: access.reports.length === 0 ? traffic.reports : traffic.reports.concat(access.reports),
    };
  },
};
