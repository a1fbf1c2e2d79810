/**
 * Feature combinations Istio silently ignores, found across policies after merging.
 *
 * Istio does not enable timeouts or retries on a route that has fault injection (VirtualService reference:
 * "timeouts or retries will not be enabled when faults are enabled on the client side"). Within one policy that is
 * an INVALID policy (see `checkTraffic`). When two policies merge into one route — one sets `faultInjection`, the
 * other `requestTimeout` or `retries` — the later one in precedence order is the loser: it becomes CONFLICT for the
 * destination, naming the winner, and contributes nothing to the destination (nothing is half-applied), exactly
 * like a field conflict.
 */
import { compareStrings } from "../../codec/canonical.js";
import type { DestinationActionName, RouteActionName } from "../../features/types.js";
import { describeRef, type PolicyRef } from "../../resolve/order.js";
import { compareRouteSpecificity, type ResolvedRoute, type ResolvedTraffic } from "../../resolve/traffic.js";

export interface Veto {
  readonly policy: PolicyRef;
  readonly message: string;
}

const refKey = (r: PolicyRef): string => `${r.kind}/${r.namespace}/${r.name}`;

function describeRoute(r: ResolvedRoute): string {
  const m = r.matcher;
  const parts: string[] = [];
  if (m?.exact !== undefined) parts.push(`path = ${m.exact}`);
  if (m?.prefix !== undefined) parts.push(`path prefix ${m.prefix}`);
  if (m?.regex !== undefined) parts.push(`path ~ ${m.regex}`);
  if (m?.method !== undefined) parts.push(`method ${m.method}`);
  if (m?.headers?.length) parts.push(`headers ${m.headers.map((h) => h.name).join(",")}`);
  if (m?.queryParameters?.length) parts.push(`query ${m.queryParameters.map((q) => q.name).join(",")}`);
  if (r.source?.namespace !== undefined) parts.push(`from namespace ${r.source.namespace}`);
  if (r.source?.labels) parts.push(`from labels ${Object.entries(r.source.labels).map(([k, v]) => `${k}=${v}`).join(",")}`);
  return parts.length > 0 ? `the route for ${parts.join(", ")}` : "the default route";
}

/** Removes every contribution of the vetoed policies from the resolved traffic. */
function without(traffic: ResolvedTraffic, vetoed: ReadonlySet<string>): ResolvedTraffic {
  if (vetoed.size === 0) return traffic;
  const live = (ref: PolicyRef): boolean => !vetoed.has(refKey(ref));
  const routes: ResolvedRoute[] = [];
  for (const r of traffic.routes) {
    const actions: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(r.actions) as [RouteActionName, { setBy: PolicyRef }][]) if (live(a.setBy)) actions[name] = a;
    if (Object.keys(actions).length === 0) continue;
    const policies = r.policies.filter(live);
    routes.push({ ...r, name: policies.map((p) => `${p.name}.${p.namespace}`).join("+"), policies, actions: actions as ResolvedRoute["actions"] });
  }
  routes.sort(compareRouteSpecificity);
  const destinationActions: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(traffic.destinationActions) as [DestinationActionName, { setBy: PolicyRef }][]) if (live(a.setBy)) destinationActions[name] = a;
  return { routes, destinationActions: destinationActions as ResolvedTraffic["destinationActions"], applied: traffic.applied.filter(live) };
}

/** Finds the policies whose merge would put fault injection and timeout/retries on one route, and drops them. */
export function vetoFaultCombinations(traffic: ResolvedTraffic): { traffic: ResolvedTraffic; vetoes: Veto[] } {
  const vetoed = new Map<string, Veto>();
  for (;;) {
    const current = without(traffic, new Set(vetoed.keys()));
    let found: Veto | undefined;
    for (const route of current.routes) {
      const fault = route.actions.faultInjection;
      if (!fault) continue;
      for (const field of ["requestTimeout", "retries"] as const) {
        const other = route.actions[field];
        if (!other || refKey(other.setBy) === refKey(fault.setBy)) continue;
        const rank = (p: PolicyRef): number => route.policies.findIndex((x) => refKey(x) === refKey(p));
        const faultFirst = rank(fault.setBy) < rank(other.setBy);
        const where = describeRoute(route);
        found = faultFirst
          ? {
              policy: other.setBy,
              message: `field ${field} of ${where} cannot take effect: ${describeRef(fault.setBy)}, which takes precedence, sets faultInjection there, and Istio does not enable timeouts or retries on a route with fault injection`,
            }
          : {
              policy: fault.setBy,
              message: `field faultInjection of ${where} would disable ${field}, set there by ${describeRef(other.setBy)}, which takes precedence: Istio does not enable timeouts or retries on a route with fault injection`,
            };
        break;
      }
      if (found) break;
    }
    if (!found) return { traffic: current, vetoes: [...vetoed.values()].sort((a, b) => compareStrings(refKey(a.policy), refKey(b.policy))) };
    vetoed.set(refKey(found.policy), found);
  }
}
