import type { MeshService } from "../model/discovery.js";
import type {
  CorsPolicy,
  FaultInjection,
  HeaderManipulation,
  TrafficPolicy,
  TrafficPolicyActions,
} from "../model/networking.js";
import type { ServiceIndex } from "../resolve/selectors.js";

/** The names of the actions a TrafficPolicy can set under `spec.policy`. */
export type ActionName = keyof TrafficPolicyActions;

/** Actions rendered on a route (VirtualService http route, HTTPRoute rule). */
export type RouteActionName = "trafficShift" | "faultInjection" | "requestTimeout" | "retries" | "corsPolicy" | "mirror" | "headerManipulation";
/** Actions rendered once per destination (DestinationRule, Service annotations). */
export type DestinationActionName = "outlierDetection" | "mtls";

/** A resolved traffic-shift or mirror target: a discovered service, optionally a subset and port. */
export interface ResolvedBackend {
  /** `name.namespace.cluster` */
  readonly key: string;
  readonly service: MeshService;
  /** Labels of the subset, when one was asked for. */
  readonly subset?: Readonly<Record<string, string>>;
  /** Service port; set when given or when the target has exactly one port. */
  readonly port?: number;
}

export interface ResolvedShiftDestination extends ResolvedBackend {
  readonly weight: number;
}

export interface ResolvedMirror extends ResolvedBackend {
  /** 0–100; 100 when omitted. */
  readonly percentage: number;
}

export interface ResolvedRetries {
  readonly attempts: number;
  readonly perTryTimeout?: string;
  readonly retryOn?: string;
}

export interface ResolvedOutlierDetection {
  readonly consecutiveErrors: number;
  readonly interval: string;
  readonly baseEjectionTime: string;
  readonly maxEjectionPercent: number;
}

/** The value each action resolves to, mesh-independent. Translators render these. */
export interface ResolvedActionValues {
  trafficShift: readonly ResolvedShiftDestination[];
  faultInjection: FaultInjection;
  requestTimeout: string;
  retries: ResolvedRetries;
  corsPolicy: CorsPolicy;
  mirror: ResolvedMirror;
  headerManipulation: HeaderManipulation;
  outlierDetection: ResolvedOutlierDetection;
  mtls: { readonly tlsMode: "DISABLE" | "SIMPLE" | "ISTIO_MUTUAL" };
}

/**
 * What a feature may look at while resolving a value. Not the destination: a policy's values resolve the same for
 * every destination it selects, so they are resolved once per policy (mesh-specific checks see the destination).
 */
export interface FeatureContext {
  readonly index: ServiceIndex;
  readonly policy: TrafficPolicy;
}

export type FeatureResult<T> = { readonly value: T } | { readonly errors: readonly string[] };

/**
 * One TrafficPolicy field as a unit: where it applies and how it resolves against discovery. Each mesh
 * translator has a table with one renderer per feature (checked for completeness by the type system).
 */
export interface TrafficFeature<K extends ActionName> {
  readonly name: K;
  readonly level: K extends RouteActionName ? "route" : "destination";
  /** Validates the value against discovery and resolves references; errors make the policy INVALID for the destination. */
  resolve(value: NonNullable<TrafficPolicyActions[K]>, ctx: FeatureContext): FeatureResult<ResolvedActionValues[K]>;
}
