/**
 * The DestinationRule of a destination, emitted only when something needs it: subsets that the destination's own
 * routes shift or mirror to, outlier detection, or a TLS mode. Named after the service, in the service's namespace
 * (Istio looks DestinationRules up in the client's namespace, then the service's, then the root namespace).
 */
import { compareStrings } from "../../codec/canonical.js";
import type { ResolvedBackend } from "../../features/types.js";
import { DESTINATION_ACTIONS } from "../../features/index.js";
import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import type { ResolvedTraffic } from "../../resolve/traffic.js";
import { DESTINATION_ANNOTATION, ownedMetadata } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { renderDestinationAction } from "./features.js";
import { destinationFqdn } from "./hosts.js";
import type { SubsetNamer } from "./names.js";
import type { Subset, TrafficPolicy } from "./types.js";
import { networkingApiVersion } from "./version.js";

/** Subsets of the destination's own service referenced by its routes, with the policies that reference them. */
export function ownSubsets(traffic: ResolvedTraffic, ctx: DestinationContext): { labels: Readonly<Record<string, string>>; setBy: PolicyRef }[] {
  const out: { labels: Readonly<Record<string, string>>; setBy: PolicyRef }[] = [];
  const add = (b: ResolvedBackend, setBy: PolicyRef): void => {
    if (b.key === ctx.key && b.subset && Object.keys(b.subset).length > 0) out.push({ labels: b.subset, setBy });
  };
  for (const r of traffic.routes) {
    const shift = r.actions.trafficShift;
    if (shift) for (const t of shift.value) add(t, shift.setBy);
    const mirror = r.actions.mirror;
    if (mirror) add(mirror.value, mirror.setBy);
  }
  return out;
}

/** The DestinationRule, or undefined when there is nothing to put in it. */
export function renderDestinationRule(traffic: ResolvedTraffic, ctx: DestinationContext, namer: SubsetNamer): KubeObject | undefined {
  const sources: PolicyRef[] = [];
  const trafficPolicy: TrafficPolicy = {};
  for (const name of DESTINATION_ACTIONS) {
    const action = traffic.destinationActions[name];
    if (!action) continue;
    renderDestinationAction(name, trafficPolicy, action.value);
    sources.push(action.setBy);
  }
  const byName = new Map<string, Subset>();
  for (const s of ownSubsets(traffic, ctx)) {
    const name = namer.nameOf(s.labels);
    if (!byName.has(name)) byName.set(name, { name, labels: { ...s.labels } });
    sources.push(s.setBy);
  }
  const subsets = [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
  const hasPolicy = Object.keys(trafficPolicy).length > 0;
  if (!hasPolicy && subsets.length === 0) return undefined;
  const ref = ctx.service.spec.kubeService.ref;
  return {
    apiVersion: networkingApiVersion(ctx.mesh),
    kind: "DestinationRule",
    metadata: ownedMetadata(ref.name, ref.namespace, sources, { annotations: { [DESTINATION_ANNOTATION]: ctx.key } }),
    spec: {
      host: destinationFqdn(ctx),
      ...(hasPolicy ? { trafficPolicy } : {}),
      ...(subsets.length > 0 ? { subsets } : {}),
    },
  };
}
