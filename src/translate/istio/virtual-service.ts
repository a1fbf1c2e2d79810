/**
 * One VirtualService per destination host. Istio does not merge VirtualServices for sidecars, so every policy on a
 * service becomes a route of one ordered VirtualService. The routes arrive grouped, merged and sorted (most
 * specific first) by the resolver; this module only renders them:
 *
 * - a multi-port service gets each route once per service port (`match.port`, and the port on destinations that
 *   are the service itself), ordered by specificity with the port as the last tie-breaker;
 * - when no route is a catch-all, a `default` route to the service itself is appended, because a sidecar answers
 *   404 to a request that matches no route of a host's VirtualService — a policy for `/api` must not cut off `/`;
 * - route names come from the policies that shaped them (`-<port>` per port copy, `-<n>` when still repeated).
 */
import type { KubeObject } from "../../model/common.js";
import { ROUTE_ACTIONS } from "../../features/index.js";
import type { PolicyRef } from "../../resolve/order.js";
import { compareRouteSpecificity, type ResolvedRoute } from "../../resolve/traffic.js";
import { DESTINATION_ANNOTATION } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { renderRouteAction, type RouteRenderContext } from "./features.js";
import { configMetadata, destinationFqdn, translationMesh } from "./hosts.js";
import { renderMatch } from "./matchers.js";
import type { SubsetNames } from "./names.js";
import type { HttpRoute } from "./types.js";
import { networkingApiVersion } from "./version.js";

/** The route added when no policy route catches everything. */
const DEFAULT_ROUTE: ResolvedRoute = { name: "default", policies: [], actions: {} };

function isCatchAll(r: ResolvedRoute): boolean {
  return r.matcher === undefined && r.source === undefined;
}

/** Service ports, ascending and unique; routes are duplicated per port only when there are several. */
export function routePorts(ctx: DestinationContext): (number | undefined)[] {
  const ports = [...new Set(ctx.service.spec.kubeService.ports.map((p) => p.port))].sort((a, b) => a - b);
  return ports.length > 1 ? ports : [undefined];
}

function renderRoute(route: ResolvedRoute, port: number | undefined, ctx: DestinationContext, subsets: SubsetNames): HttpRoute {
  const match = renderMatch(route, port);
  const out: HttpRoute = {
    name: port === undefined ? route.name : `${route.name}-${port}`,
    ...(match ? { match: [match] } : {}),
    route: [{ destination: { host: destinationFqdn(ctx), ...(port !== undefined ? { port: { number: port } } : {}) } }],
  };
  const r: RouteRenderContext = { ctx, subsets, ...(port !== undefined ? { port } : {}) };
  for (const name of ROUTE_ACTIONS) {
    const action = route.actions[name];
    if (action) renderRouteAction(name, out, action.value, r);
  }
  return out;
}

/** Makes route names unique in route order: repeated names get `-1`, `-2`, … */
function uniqueNames(routes: HttpRoute[]): void {
  const counts = new Map<string, number>();
  for (const r of routes) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const r of routes) {
    if ((counts.get(r.name) ?? 0) < 2) continue;
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    r.name = `${r.name}-${n}`;
  }
}

/** The VirtualService for the destination, or undefined when no route was resolved. */
export function renderVirtualService(routes: readonly ResolvedRoute[], ctx: DestinationContext, subsets: SubsetNames): KubeObject | undefined {
  if (routes.length === 0) return undefined;
  const all = routes.some(isCatchAll) ? [...routes] : [...routes, DEFAULT_ROUTE];
  const copies = all.flatMap((route) => routePorts(ctx).map((port) => ({ route, port })));
  copies.sort((a, b) => compareRouteSpecificity(a.route, b.route) || (a.port ?? 0) - (b.port ?? 0));
  const http = copies.map(({ route, port }) => renderRoute(route, port, ctx, subsets));
  uniqueNames(http);
  const sources: PolicyRef[] = routes.flatMap((r) => r.policies);
  return {
    apiVersion: networkingApiVersion(translationMesh(ctx)),
    kind: "VirtualService",
    metadata: configMetadata(ctx, sources, { [DESTINATION_ANNOTATION]: ctx.key }),
    spec: { hosts: [destinationFqdn(ctx)], http },
  };
}
