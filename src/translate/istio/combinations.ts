/**
 * Feature combinations Istio silently ignores, found when policies merge into one route.
 *
 * Istio does not enable timeouts or retries on a route that has fault injection (VirtualService reference:
 * "timeouts or retries will not be enabled when faults are enabled on the client side"). Within one policy that is
 * an INVALID policy (see `checkTraffic`). When a later policy would merge fault injection into a route that has a
 * timeout or retries — or the other way round — the later one in precedence order becomes CONFLICT for the
 * destination, naming the winner, and contributes nothing to it (nothing is half-applied), like a field conflict.
 */
import { describeRef } from "../../resolve/order.js";
import type { ResolvedPolicyActions, ResolvedRoute } from "../../resolve/traffic.js";

export function faultCombinationVeto(route: ResolvedRoute["actions"], incoming: ResolvedPolicyActions, where: string): string[] {
  const errors: string[] = [];
  const fault = route.faultInjection;
  if (fault && incoming.faultInjection === undefined) {
    for (const field of ["requestTimeout", "retries"] as const) {
      if (incoming[field] !== undefined && route[field] === undefined) {
        errors.push(`field ${field} of ${where} cannot take effect: ${describeRef(fault.setBy)}, which takes precedence, sets faultInjection there, and Istio does not enable timeouts or retries on a route with fault injection`);
      }
    }
  }
  if (!fault && incoming.faultInjection !== undefined) {
    for (const field of ["requestTimeout", "retries"] as const) {
      const other = route[field];
      if (other) errors.push(`field faultInjection of ${where} would disable ${field}, set there by ${describeRef(other.setBy)}, which takes precedence: Istio does not enable timeouts or retries on a route with fault injection`);
    }
  }
  return errors;
}
