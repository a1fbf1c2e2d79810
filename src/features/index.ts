import { corsPolicy } from "./cors-policy.js";
import { faultInjection } from "./fault-injection.js";
import { headerManipulation } from "./header-manipulation.js";
import { mirror } from "./mirror.js";
import { mtls } from "./mtls.js";
import { outlierDetection } from "./outlier-detection.js";
import { requestTimeout } from "./request-timeout.js";
import { retries } from "./retries.js";
import { trafficShift } from "./traffic-shift.js";
import type { ActionName, DestinationActionName, RouteActionName, TrafficFeature } from "./types.js";

/** Every TrafficPolicy feature, keyed by its field name under `spec.policy`. */
export const TRAFFIC_FEATURES: { readonly [K in ActionName]: TrafficFeature<K> } = {
  trafficShift,
  faultInjection,
  requestTimeout,
  retries,
  corsPolicy,
  mirror,
  headerManipulation,
  outlierDetection,
  mtls,
};

/** Route-level features in the order they are applied (and reported). */
export const ROUTE_ACTIONS: readonly RouteActionName[] = ["trafficShift", "faultInjection", "requestTimeout", "retries", "corsPolicy", "mirror", "headerManipulation"];
/** Destination-level features. */
export const DESTINATION_ACTIONS: readonly DestinationActionName[] = ["outlierDetection", "mtls"];

export * from "./types.js";
export { OUTLIER_DEFAULTS } from "./outlier-detection.js";
