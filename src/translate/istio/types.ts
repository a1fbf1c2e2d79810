/**
 * The slices of Istio's VirtualService, DestinationRule and AuthorizationPolicy specs that meshhub emits, in their
 * YAML (camelCase) form. Field names follow `networking.istio.io/v1` / `security.istio.io/v1` (identical to v1beta1).
 */

/** `StringMatch`: exactly one of the three, or none (`{}` = presence, where Istio documents it). */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface PortSelector {
  number: number;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: PortSelector;
}

export interface HttpRouteDestination {
  destination: Destination;
  weight?: number;
}

export interface HttpMatchRequest {
  uri?: StringMatch;
  method?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
}

export interface Percent {
  value: number;
}

export interface HttpFaultInjection {
  delay?: { fixedDelay: string; percentage: Percent };
  abort?: { httpStatus: number; percentage: Percent };
}

export interface HttpRetry {
  attempts: number;
  perTryTimeout?: string;
  retryOn?: string;
}

export interface CorsPolicy {
  allowOrigins?: StringMatch[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: string;
  allowCredentials?: boolean;
}

export interface HeaderOperations {
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

export interface HttpRoute {
  name: string;
  match?: HttpMatchRequest[];
  route: HttpRouteDestination[];
  fault?: HttpFaultInjection;
  timeout?: string;
  retries?: HttpRetry;
  corsPolicy?: CorsPolicy;
  mirror?: Destination;
  mirrorPercentage?: Percent;
  headers?: Headers;
}

export interface VirtualServiceSpec {
  hosts: string[];
  http: HttpRoute[];
}

export interface OutlierDetection {
  consecutive5xxErrors: number;
  interval: string;
  baseEjectionTime: string;
  maxEjectionPercent: number;
}

export interface TrafficPolicy {
  outlierDetection?: OutlierDetection;
  tls?: { mode: "DISABLE" | "SIMPLE" | "ISTIO_MUTUAL" };
}

export interface Subset {
  name: string;
  labels: Record<string, string>;
}

export interface DestinationRuleSpec {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
}

export interface AuthorizationSource {
  principals?: string[];
  namespaces?: string[];
}

export interface AuthorizationOperation {
  paths?: string[];
  methods?: string[];
  ports?: string[];
}

export interface AuthorizationRule {
  from: { source: AuthorizationSource }[];
  to?: { operation: AuthorizationOperation }[];
}

export interface AuthorizationPolicySpec {
  action: "ALLOW";
  selector: { matchLabels: Record<string, string> };
  rules?: AuthorizationRule[];
}
