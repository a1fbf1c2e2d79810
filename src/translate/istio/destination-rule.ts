/**
 * The DestinationRule of a destination, emitted only when something needs it: subsets that any route on the cluster
 * shifts or mirrors to, outlier detection, or a TLS mode. Named after the service, in the service's namespace
 * (Istio looks DestinationRules up in the client's namespace, then the service's, then the root namespace).
 */
import { compareStrings } from "../../codec/canonical.js";
import { DESTINATION_ACTIONS } from "../../features/index.js";
import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { DESTINATION_ANNOTATION } from "../metadata.js";
import type { DestinationContext, ResolvedDestination } from "../types.js";
import { renderDestinationAction } from "./features.js";
import { configMetadata, destinationFqdn, translationMesh } from "./hosts.js";
import type { SubsetNames } from "./names.js";
import type { Subset, TrafficPolicy } from "./types.js";
import { networkingApiVersion } from "./version.js";

/** The DestinationRule, or undefined when there is nothing to put in it. */
export function renderDestinationRule(dest: ResolvedDestination, ctx: DestinationContext, names: SubsetNames): KubeObject | undefined {
  const traffic = dest.traffic;
  const sources: PolicyRef[] = [];
  const trafficPolicy: TrafficPolicy = {};
  for (const name of DESTINATION_ACTIONS) {
    const action = traffic.destinationActions[name];
    if (!action) continue;
    renderDestinationAction(name, trafficPolicy, action.value);
    sources.push(action.setBy);
  }
  const byName = new Map<string, Subset>();
  for (const s of dest.referencedSubsets) {
    const name = names.nameOf(dest.key, s.labels);
    if (!byName.has(name)) byName.set(name, { name, labels: { ...s.labels } });
    sources.push(s.setBy);
  }
  const subsets = [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
  const hasPolicy = Object.keys(trafficPolicy).length > 0;
  if (!hasPolicy && subsets.length === 0) return undefined;
  return {
    apiVersion: networkingApiVersion(translationMesh(ctx)),
    kind: "DestinationRule",
    metadata: configMetadata(ctx, sources, { [DESTINATION_ANNOTATION]: ctx.key }),
    spec: {
      host: destinationFqdn(ctx),
      ...(hasPolicy ? { trafficPolicy } : {}),
      ...(subsets.length > 0 ? { subsets } : {}),
    },
  };
}
