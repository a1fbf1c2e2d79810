import { destinationNotFound, serviceKey, type ServiceIndex } from "../resolve/selectors.js";
import type { FeatureResult, ResolvedBackend } from "./types.js";

/**
 * Resolves a `{name, namespace, clusterName, subset, port}` target to a discovered service. A port is required
 * when the target has several, and must exist; a subset must use label values that some backing workload has.
 */
export function resolveBackend(
  what: string,
  target: { name: string; namespace: string; clusterName: string; subset?: Record<string, string> | undefined; port?: number | undefined },
  index: ServiceIndex,
): FeatureResult<ResolvedBackend> {
  const key = serviceKey(target);
  const service = index.get(key);
  if (!service) return { errors: [`invalid ${what} destination ${key}: ${destinationNotFound(target, index)}`] };
  const ports = service.spec.kubeService.ports;
  let port = target.port;
  if (port === undefined && ports.length > 1) {
    return { errors: [`must provide port for ${what} destination service ${key} with multiple ports (${ports.length}) defined: one of ${ports.map((p) => p.port).join(", ")}`] };
  }
  if (port !== undefined && !ports.some((p) => p.port === port)) {
    return { errors: [`invalid ${what} destination ${key}: port ${port} is not a port of the service (ports: ${ports.map((p) => p.port).join(", ") || "none"})`] };
  }
  if (port === undefined && ports.length === 1) port = ports[0]!.port;
  if (target.subset && Object.keys(target.subset).length > 0) {
    const subsets = service.spec.kubeService.subsets;
    for (const [k, v] of Object.entries(target.subset)) {
      const known = subsets[k]?.values;
      const selectorValue = service.spec.kubeService.workloadSelectorLabels[k];
      if (!known?.includes(v) && selectorValue !== v) {
        return { errors: [`invalid ${what} destination ${key}: no workload of the service has label ${k}=${v}${known ? ` (known values: ${known.join(", ")})` : ""}`] };
      }
    }
  }
  return { value: { key, service, ...(target.subset && Object.keys(target.subset).length > 0 ? { subset: target.subset } : {}), ...(port !== undefined ? { port } : {}) } };
}
