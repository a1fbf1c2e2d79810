import { compareStrings, toCanonicalJson } from "../codec/canonical.js";
import { canonicalKey } from "../codec/canonical-key.js";
import { DESTINATION_ACTIONS, ROUTE_ACTIONS, TRAFFIC_FEATURES } from "../features/index.js";
import type { ActionName, DestinationActionName, FeatureContext, ResolvedActionValues, RouteActionName } from "../features/types.js";
import type { MeshService } from "../model/discovery.js";
import type { HttpMatcher, TrafficPolicy } from "../model/networking.js";
import { describeRef, refOf, type PolicyRef } from "./order.js";
import type { ServiceIndex } from "./selectors.js";
import { exactly } from "../util/arrays.js";

/** Every action, route-level first: the order fields are resolved in. */
const ALL_ACTIONS: readonly ActionName[] = [...ROUTE_ACTIONS, ...DESTINATION_ACTIONS];

/** A value together with the policy (and field) that set it: provenance as data. */
export interface Provenanced<T> {
  readonly value: T;
  readonly setBy: PolicyRef;
  /** Field path inside the policy, e.g. `spec.policy.requestTimeout`. */
  readonly field: string;
}

/** Which clients a route applies to; undefined parts are wildcards. */
export interface RouteSource {
  readonly labels?: Readonly<Record<string, string>>;
  readonly namespace?: string;
}

/** One route of one destination, after grouping, merging and conflict resolution. */
export interface ResolvedRoute {
  /** Says which policies shaped it, e.g. `petstore.gloo-mesh+canary.gloo-mesh`. */
  readonly name: string;
  readonly source?: RouteSource;
  /** The single request match of this route; undefined = every request. */
  readonly matcher?: HttpMatcher;
  /** Contributing policies in precedence order. */
  readonly policies: readonly PolicyRef[];
  readonly actions: { readonly [K in RouteActionName]?: Provenanced<ResolvedActionValues[K]> };
}

/** Everything meshhub decided for one destination as seen from one translation cluster. */
export interface ResolvedTraffic {
  readonly routes: readonly ResolvedRoute[];
  readonly destinationActions: { readonly [K in DestinationActionName]?: Provenanced<ResolvedActionValues[K]> };
  /** Policies that contributed, in precedence order. */
  readonly applied: readonly PolicyRef[];
}

/** An outcome the merge reports back for a (policy, destination) pair. */
export interface TrafficReport {
  readonly policy: PolicyRef;
  readonly state: "INVALID" | "CONFLICT";
  readonly message: string;
}

/** A mesh's veto on a resolved policy for a destination: the precise "unsupported" errors, or none. */
export type SupportCheck = (policy: TrafficPolicy, actions: ResolvedPolicyActions) => readonly string[];

/**
 * A mesh's veto on merging a policy into an existing route: combinations the mesh would silently ignore (e.g. Istio
 * drops timeouts and retries on a route with fault injection). `where` describes the route for messages.
 */
export type MergeCheck = (route: ResolvedRoute["actions"], incoming: ResolvedPolicyActions, where: string) => readonly string[];

/** A policy's actions resolved against discovery, before merging. */
export type ResolvedPolicyActions = { -readonly [K in ActionName]?: ResolvedActionValues[K] };

interface Group {
  readonly key: string;
  readonly sources: (RouteSource | undefined)[];
  readonly matchers: (HttpMatcher | undefined)[];
  readonly policies: PolicyRef[];
  readonly actions: { [K in RouteActionName]?: Provenanced<ResolvedActionValues[K]> };
}

/** Source matches of a policy, one per (selector, namespace); excluded when its clusters omit `cluster`. */
function routeSources(policy: TrafficPolicy, cluster: string): (RouteSource | undefined)[] | "excluded" {
  const selectors = policy.spec.sourceSelector ?? [];
  if (selectors.length === 0) return [undefined];
  const out: (RouteSource | undefined)[] = [];
  let anyIncluded = false;
  for (const sel of selectors) {
    const m = sel.kubeWorkloadMatcher;
    if (!m) {
      anyIncluded = true;
      out.push(undefined);
      continue;
    }
    if (m.clusters?.length && !m.clusters.includes(cluster)) continue;
    anyIncluded = true;
    const labels = m.labels && Object.keys(m.labels).length > 0 ? m.labels : undefined;
    if (m.namespaces?.length) for (const ns of [...m.namespaces].sort(compareStrings)) out.push({ ...(labels ? { labels } : {}), namespace: ns });
    else out.push(labels ? { labels } : undefined);
  }
  if (!anyIncluded) return "excluded";
  // A wildcard source makes the others redundant.
  if (out.includes(undefined)) return [undefined];
  return dedupe(out);
}

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = JSON.stringify(i ?? null);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function same(a: unknown, b: unknown): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

/** Where a policy's routes go as seen from one cluster: its route sources and matchers, and their group key. */
interface Placement {
  readonly sources: (RouteSource | undefined)[];
  readonly matchers: (HttpMatcher | undefined)[];
  readonly groupKey: string;
}

/** What {@link resolveTraffic} knows of one policy before looking at any destination. */
class PolicyFacts {
  readonly ref: PolicyRef;
  /** Its actions resolved against discovery; features do not depend on the destination. */
  readonly actions: ResolvedPolicyActions = {};
  readonly errors: string[] = [];
  private readonly placements = new Map<string, Placement | "excluded">();

  constructor(
    private readonly policy: TrafficPolicy,
    index: ServiceIndex,
  ) {
    this.ref = refOf(policy);
    const actions = policy.spec.policy ?? {};
    for (const name of ALL_ACTIONS) {
      const value = actions[name];
      if (value === undefined) continue;
      const feature = TRAFFIC_FEATURES[name] as unknown as { resolve(v: unknown, ctx: FeatureContext): { value: unknown } | { errors: readonly string[] } };
      const r = feature.resolve(value, { index, policy });
      if ("errors" in r) this.errors.push(...r.errors);
      else (this.actions as Record<string, unknown>)[name] = r.value;
    }
  }

  placementIn(cluster: string): Placement | "excluded" {
    let placed = this.placements.get(cluster);
    if (placed === undefined) {
      const sources = routeSources(this.policy, cluster);
      const matchers = this.policy.spec.httpRequestMatchers?.length ? this.policy.spec.httpRequestMatchers : [undefined];
      placed = sources === "excluded" ? sources : { sources, matchers, groupKey: canonicalKey({ sources, matchers }) };
      this.placements.set(cluster, placed);
    }
    return placed;
  }
}

/**
 * The per-policy part of {@link resolveTraffic}, kept across the destinations of one translation: a policy's actions
 * are resolved once, not once per destination it selects. Valid for one service index (one discovery); policies
 * are keyed by object, so an edited policy (a new object) is resolved afresh.
 */
export class TrafficMemo {
  private readonly facts = new WeakMap<TrafficPolicy, PolicyFacts>();

  constructor(private readonly index: ServiceIndex) {}

  factsOf(policy: TrafficPolicy): PolicyFacts {
    let facts = this.facts.get(policy);
    if (!facts) this.facts.set(policy, (facts = new PolicyFacts(policy, this.index)));
    return facts;
  }
}

/**
 * Resolves the TrafficPolicies that select one destination, as seen from `translationCluster` (the cluster whose
 * proxies will get the config). Policies are taken in precedence order; each is resolved against discovery, then
 * checked by the mesh (`check`), then merged field by field into its route group. A policy with any error, or
 * that would set a field already set to a different value, contributes nothing to this destination: nothing is
 * half-applied.
 */
export function resolveTraffic(
  destination: MeshService,
  orderedPolicies: readonly TrafficPolicy[],
  index: ServiceIndex,
  translationCluster: string,
  check?: SupportCheck,
  checkMerge?: MergeCheck,
  memo: TrafficMemo = new TrafficMemo(index),
): { resolved: ResolvedTraffic; reports: TrafficReport[] } {
  const reports: TrafficReport[] = [];
  const groups = new Map<string, Group>();
  const destinationActions: { [K in DestinationActionName]?: Provenanced<ResolvedActionValues[K]> } = {};
  const applied: PolicyRef[] = [];

  for (const policy of orderedPolicies) {
    const facts = memo.factsOf(policy);
    const placed = facts.placementIn(translationCluster);
    if (placed === "excluded") continue;
    const { ref, actions: resolvedActions } = facts;
    const errors = facts.errors.length > 0 ? facts.errors : check ? check(policy, resolvedActions) : [];
    if (errors.length > 0) {
      for (const message of errors) reports.push({ policy: ref, state: "INVALID", message });
      continue;
    }

    // Conflicts are checked for the whole policy before anything is merged.
    const { sources, matchers, groupKey } = placed;
    const group = groups.get(groupKey);
    const conflicts: string[] = [];
    for (const name of ROUTE_ACTIONS) {
      const value = resolvedActions[name];
      const owner = group?.actions[name];
      if (value !== undefined && owner && !same(owner.value, value)) {
        conflicts.push(conflictMessage(name, owner.setBy, describeRoute(group!)));
      }
    }
    for (const name of DESTINATION_ACTIONS) {
      const value = resolvedActions[name];
      const owner = destinationActions[name];
      if (value !== undefined && owner && !same(owner.value, value)) conflicts.push(conflictMessage(name, owner.setBy, "the destination"));
    }
    if (conflicts.length === 0 && group && checkMerge) conflicts.push(...checkMerge(group.actions, resolvedActions, describeRoute(group)));
    if (conflicts.length > 0) {
      for (const message of conflicts) reports.push({ policy: ref, state: "CONFLICT", message });
      continue;
    }

    const hasRouteAction = ROUTE_ACTIONS.some((n) => resolvedActions[n] !== undefined);
    if (hasRouteAction) {
      const g: Group = group ?? { key: groupKey, sources, matchers, policies: [], actions: {} };
      if (!group) groups.set(groupKey, g);
      g.policies.push(ref);
      for (const name of ROUTE_ACTIONS) {
        const value = resolvedActions[name];
        if (value !== undefined && !g.actions[name]) (g.actions as Record<string, unknown>)[name] = { value, setBy: ref, field: `spec.policy.${name}` };
      }
    }
    for (const name of DESTINATION_ACTIONS) {
      const value = resolvedActions[name];
      if (value !== undefined && !destinationActions[name]) (destinationActions as Record<string, unknown>)[name] = { value, setBy: ref, field: `spec.policy.${name}` };
    }
    if (hasRouteAction || DESTINATION_ACTIONS.some((n) => resolvedActions[n] !== undefined)) applied.push(ref);
  }

  const routes: ResolvedRoute[] = [];
  for (const g of groups.values()) {
    const name = g.policies.map((p) => `${p.name}.${p.namespace}`).join("+");
    for (const source of g.sources)
      for (const matcher of g.matchers) routes.push({ name, ...(source ? { source } : {}), ...(matcher ? { matcher } : {}), policies: exactly(g.policies), actions: g.actions });
  }
  routes.sort(compareRouteSpecificity);
  return { resolved: { routes: exactly(uniqueNames(routes)), destinationActions, applied: exactly(applied) }, reports };
}

/** Suffixes `-1`, `-2`… where one group produced several routes, so every route name is unique. */
function uniqueNames(routes: ResolvedRoute[]): ResolvedRoute[] {
  if (routes.length < 2) return routes;
  const total = new Map<string, number>();
  for (const r of routes) total.set(r.name, (total.get(r.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return routes.map((r) => {
    if ((total.get(r.name) ?? 0) < 2) return r;
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    return { ...r, name: `${r.name}-${n}` };
  });
}

function describeRoute(g: Group): string {
  const m = g.matchers[0];
  const s = g.sources[0];
  const parts: string[] = [];
  if (m?.exact) parts.push(`path = ${m.exact}`);
  if (m?.prefix) parts.push(`path prefix ${m.prefix}`);
  if (m?.regex) parts.push(`path ~ ${m.regex}`);
  if (m?.method) parts.push(`method ${m.method}`);
  if (m?.headers?.length) parts.push(`headers ${m.headers.map((h) => h.name).join(",")}`);
  if (s) parts.push(`from ${s.namespace ? `namespace ${s.namespace}` : ""}${s.labels ? ` labels ${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(",")}` : ""}`.trim());
  return parts.length > 0 ? `the route for ${parts.join(", ")}` : "the default route";
}

function conflictMessage(field: string, winner: PolicyRef, where: string): string {
  return `field ${field} of ${where} is already set to a different value by ${describeRef(winner)}, which takes precedence (older creationTimestamp, then namespace/name); equal values would not conflict`;
}

const PATH_RANK = { exact: 0, regex: 1, prefix: 2, none: 3 } as const;

function pathOf(m: HttpMatcher | undefined): { type: keyof typeof PATH_RANK; value: string } {
  if (m?.exact !== undefined) return { type: "exact", value: m.exact };
  if (m?.regex !== undefined) return { type: "regex", value: m.regex };
  if (m?.prefix !== undefined) return { type: "prefix", value: m.prefix };
  return { type: "none", value: "" };
}

/**
 * Most specific first, Gloo Mesh's order: path type (exact > regex > prefix), longer path first, then more
 * headers, more query parameters, more source labels, a source namespace, a method; catch-all last.
 */
export function compareRouteSpecificity(a: Pick<ResolvedRoute, "matcher" | "source" | "name">, b: Pick<ResolvedRoute, "matcher" | "source" | "name">): number {
  const catchAllA = !a.matcher && !a.source;
  const catchAllB = !b.matcher && !b.source;
  if (catchAllA !== catchAllB) return catchAllA ? 1 : -1;
  const pa = pathOf(a.matcher);
  const pb = pathOf(b.matcher);
  return (
    PATH_RANK[pa.type] - PATH_RANK[pb.type] ||
    pb.value.length - pa.value.length ||
    compareStrings(pa.value, pb.value) ||
    (b.matcher?.headers?.length ?? 0) - (a.matcher?.headers?.length ?? 0) ||
    (b.matcher?.queryParameters?.length ?? 0) - (a.matcher?.queryParameters?.length ?? 0) ||
    Object.keys(b.source?.labels ?? {}).length - Object.keys(a.source?.labels ?? {}).length ||
    (b.source?.namespace ? 1 : 0) - (a.source?.namespace ? 1 : 0) ||
    (b.matcher?.method ? 1 : 0) - (a.matcher?.method ? 1 : 0) ||
    compareStrings(toCanonicalJson(a.matcher ?? null), toCanonicalJson(b.matcher ?? null)) ||
    compareStrings(toCanonicalJson(a.source ?? null), toCanonicalJson(b.source ?? null)) ||
    compareStrings(a.name, b.name)
  );
}
