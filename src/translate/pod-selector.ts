import type { MeshService } from "../model/discovery.js";

/** A label selector of a service's pods, as Linkerd Servers and Istio AuthorizationPolicies write it. */
export type PodSelector = Readonly<{ matchLabels: Readonly<Record<string, string>> }>;

const POD_SELECTORS = new WeakMap<MeshService, PodSelector>();

/**
 * `{ matchLabels }` of the service's workload selector: built once per service and shared (frozen) by every object
 * that selects its pods — a Server per port, the AuthorizationPolicy — instead of a copy in each.
 */
export function podSelectorOf(service: MeshService): PodSelector {
  let selector = POD_SELECTORS.get(service);
  if (selector === undefined) POD_SELECTORS.set(service, (selector = Object.freeze({ matchLabels: Object.freeze({ ...service.spec.kubeService.workloadSelectorLabels }) })));
  return selector;
}

/** True when the service selects pods (without a selector, its endpoints are managed by hand). No keys array made. */
export function hasPodSelector(service: MeshService): boolean {
  for (const _label in service.spec.kubeService.workloadSelectorLabels) return true;
  return false;
}
