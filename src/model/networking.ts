import { z } from "zod";
import {
  ClusterName,
  ClusterObjectRef,
  Dns1123Label,
  Dns1123Subdomain,
  Duration,
  HttpMethod,
  LabelMap,
  ObjectMeta,
  ObjectRef,
  Percentage,
  Port,
} from "./common.js";
import { PolicyStatus, VirtualMeshStatus } from "./status.js";

/** The API group meshhub owns for networking resources. */
export const NETWORKING_API_VERSION = "networking.meshhub.io/v1alpha1";
/** Gloo Mesh OSS v1: accepted as an alias so existing manifests load unchanged. */
export const GLOO_MESH_NETWORKING_API_VERSION = "networking.mesh.gloo.solo.io/v1";
export const NETWORKING_API_VERSIONS = [NETWORKING_API_VERSION, GLOO_MESH_NETWORKING_API_VERSION] as const;

const NameList = z.array(Dns1123Label);
const ClusterList = z.array(ClusterName);

// ---- selectors -------------------------------------------------------------------------------

export const KubeServiceMatcher = z.strictObject({
  labels: LabelMap.optional(),
  namespaces: NameList.optional(),
  clusters: ClusterList.optional(),
});

export const KubeServiceRefs = z.strictObject({ services: z.array(ClusterObjectRef) });

/** One entry of `destinationSelector`: entries are OR-ed, an empty list selects every service. */
export const DestinationSelector = z.strictObject({
  kubeServiceMatcher: KubeServiceMatcher.optional(),
  kubeServiceRefs: KubeServiceRefs.optional(),
});
export type DestinationSelector = z.infer<typeof DestinationSelector>;

export const KubeWorkloadMatcher = z.strictObject({
  labels: LabelMap.optional(),
  namespaces: NameList.optional(),
  clusters: ClusterList.optional(),
});

/** One entry of a TrafficPolicy `sourceSelector`: the client workloads a route applies to. */
export const WorkloadSelector = z.strictObject({ kubeWorkloadMatcher: KubeWorkloadMatcher.optional() });
export type WorkloadSelector = z.infer<typeof WorkloadSelector>;

/** Service account reference; omitted parts are wildcards. */
export const ServiceAccountRef = z.strictObject({
  name: Dns1123Subdomain.optional(),
  namespace: Dns1123Label.optional(),
  clusterName: ClusterName.optional(),
});

/** One entry of an AccessPolicy `sourceSelector`: the client identities allowed. */
export const IdentitySelector = z.strictObject({
  kubeIdentityMatcher: z.strictObject({ namespaces: NameList.optional(), clusters: ClusterList.optional() }).optional(),
  kubeServiceAccountRefs: z.strictObject({ serviceAccounts: z.array(ServiceAccountRef) }).optional(),
});
export type IdentitySelector = z.infer<typeof IdentitySelector>;

// ---- request matching ------------------------------------------------------------------------

export const HeaderMatcher = z.strictObject({
  name: z.string().min(1),
  value: z.string().optional(),
  regex: z.boolean().optional(),
  invertMatch: z.boolean().optional(),
});
export type HeaderMatcher = z.infer<typeof HeaderMatcher>;

export const QueryParameterMatcher = z.strictObject({
  name: z.string().min(1),
  value: z.string().optional(),
  regex: z.boolean().optional(),
});
export type QueryParameterMatcher = z.infer<typeof QueryParameterMatcher>;

/** One request matcher: path (prefix | exact | regex), headers, query parameters and method, AND-ed. */
export const HttpMatcher = z
  .strictObject({
    prefix: z.string().optional(),
    exact: z.string().optional(),
    regex: z.string().optional(),
    headers: z.array(HeaderMatcher).optional(),
    queryParameters: z.array(QueryParameterMatcher).optional(),
    method: HttpMethod.optional(),
  })
  .superRefine((m, ctx) => {
    const set = (["prefix", "exact", "regex"] as const).filter((k) => m[k] !== undefined);
    if (set.length > 1) ctx.addIssue({ code: "custom", path: [set[1] as string], message: `only one of prefix, exact, regex may be set (found ${set.join(" and ")})` });
    for (const k of set) {
      const v = m[k] as string;
      if (k !== "regex" && !v.startsWith("/")) ctx.addIssue({ code: "custom", path: [k], message: `path ${k} must start with "/"` });
      if (k === "regex") {
        try {
          new RegExp(v);
        } catch {
          ctx.addIssue({ code: "custom", path: [k], message: `not a valid regular expression: ${JSON.stringify(v)}` });
        }
      }
    }
  });
export type HttpMatcher = z.infer<typeof HttpMatcher>;

// ---- TrafficPolicy actions ---------------------------------------------------------------------

export const TrafficShiftKubeService = z.strictObject({
  name: Dns1123Label,
  namespace: Dns1123Label,
  clusterName: ClusterName,
  subset: LabelMap.optional(),
  port: Port.optional(),
});

export const TrafficShiftDestination = z
  .strictObject({
    kubeService: TrafficShiftKubeService.optional(),
    virtualDestination: z.strictObject({ name: Dns1123Subdomain, namespace: Dns1123Label, subset: LabelMap.optional() }).optional(),
    weight: z.number().int({ error: "must be a whole number" }).min(0, { error: "weight must be ≥ 0" }).optional(),
  })
  .superRefine((d, ctx) => {
    const n = (d.kubeService ? 1 : 0) + (d.virtualDestination ? 1 : 0);
    if (n !== 1) ctx.addIssue({ code: "custom", path: [], message: "exactly one of kubeService or virtualDestination must be set" });
  });
export type TrafficShiftDestination = z.infer<typeof TrafficShiftDestination>;

export const TrafficShift = z.strictObject({ destinations: z.array(TrafficShiftDestination).min(1, { error: "at least one destination is required" }) });

export const FaultInjection = z.strictObject({
  fixedDelay: Duration.optional(),
  abort: z.strictObject({ httpStatus: z.number().int().min(200, { error: "must be an HTTP status from 200 to 599" }).max(599, { error: "must be an HTTP status from 200 to 599" }) }).optional(),
  percentage: Percentage.optional(),
});
export type FaultInjection = z.infer<typeof FaultInjection>;

export const RetryPolicy = z.strictObject({
  attempts: z.number().int().min(0, { error: "attempts must be ≥ 0" }).optional(),
  perTryTimeout: Duration.optional(),
  retryOn: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, { error: "must be a comma-separated list of retry conditions like 5xx,gateway-error,connect-failure or status codes" }).optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

const StringMatch = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() })
  .refine((m) => [m.exact, m.prefix, m.regex].filter((x) => x !== undefined).length === 1, { error: "exactly one of exact, prefix, regex must be set" });

export const CorsPolicy = z.strictObject({
  allowOrigins: z.array(StringMatch).optional(),
  allowMethods: z.array(HttpMethod).optional(),
  allowHeaders: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: Duration.optional(),
  allowCredentials: z.boolean().optional(),
});
export type CorsPolicy = z.infer<typeof CorsPolicy>;

export const Mirror = z.strictObject({
  kubeService: ClusterObjectRef,
  percentage: Percentage.optional(),
  port: Port.optional(),
});
export type Mirror = z.infer<typeof Mirror>;

export const HeaderManipulation = z.strictObject({
  appendRequestHeaders: z.record(z.string(), z.string()).optional(),
  removeRequestHeaders: z.array(z.string()).optional(),
  appendResponseHeaders: z.record(z.string(), z.string()).optional(),
  removeResponseHeaders: z.array(z.string()).optional(),
});
export type HeaderManipulation = z.infer<typeof HeaderManipulation>;

export const OutlierDetection = z.strictObject({
  consecutiveErrors: z.number().int().min(0).optional(),
  interval: Duration.optional(),
  baseEjectionTime: Duration.optional(),
  maxEjectionPercent: z.number().int().min(0).max(100, { error: "must be a percentage from 0 to 100" }).optional(),
});
export type OutlierDetection = z.infer<typeof OutlierDetection>;

export const TLS_MODES = ["DISABLE", "SIMPLE", "ISTIO_MUTUAL"] as const;
export const MtlsPolicy = z.strictObject({
  istio: z.strictObject({ tlsMode: z.enum(TLS_MODES, { error: `must be one of ${TLS_MODES.join(", ")}` }) }).optional(),
});
export type MtlsPolicy = z.infer<typeof MtlsPolicy>;

/** The actions of a TrafficPolicy (`spec.policy`), one optional field per feature. */
export const TrafficPolicyActions = z.strictObject({
  trafficShift: TrafficShift.optional(),
  faultInjection: FaultInjection.optional(),
  requestTimeout: Duration.optional(),
  retries: RetryPolicy.optional(),
  corsPolicy: CorsPolicy.optional(),
  mirror: Mirror.optional(),
  headerManipulation: HeaderManipulation.optional(),
  outlierDetection: OutlierDetection.optional(),
  mtls: MtlsPolicy.optional(),
});
export type TrafficPolicyActions = z.infer<typeof TrafficPolicyActions>;

// ---- the resources -----------------------------------------------------------------------------

const ApiVersion = z.enum(NETWORKING_API_VERSIONS, { error: `must be ${NETWORKING_API_VERSIONS.join(" or ")}` });
/** Statuses on input are ignored (meshhub computes them); any shape is tolerated. */
const InputStatus = z.unknown().optional();

export const TrafficPolicySpec = z.strictObject({
  sourceSelector: z.array(WorkloadSelector).optional(),
  destinationSelector: z.array(DestinationSelector).optional(),
  httpRequestMatchers: z.array(HttpMatcher).optional(),
  policy: TrafficPolicyActions.optional(),
});
export type TrafficPolicySpec = z.infer<typeof TrafficPolicySpec>;

/** Mesh-agnostic traffic rules for the selected destinations, as Gloo Mesh OSS v1 defined them. */
export const TrafficPolicy = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal("TrafficPolicy"),
  metadata: ObjectMeta,
  spec: TrafficPolicySpec,
  status: InputStatus,
});
export type TrafficPolicy = z.infer<typeof TrafficPolicy>;

export const AccessPolicySpec = z.strictObject({
  sourceSelector: z.array(IdentitySelector).optional(),
  destinationSelector: z.array(DestinationSelector).optional(),
  allowedPaths: z.array(z.string().regex(/^(\*|\*?\/[^*]*|\/[^*]*\*)$/, { error: "must be an exact path (/books), a prefix (/books*), a suffix (*books/) or *" })).optional(),
  allowedMethods: z.array(HttpMethod).optional(),
  allowedPorts: z.array(Port).optional(),
});
export type AccessPolicySpec = z.infer<typeof AccessPolicySpec>;

/** An allow rule: which identities may call the selected destinations, on which paths, methods and ports. */
export const AccessPolicy = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal("AccessPolicy"),
  metadata: ObjectMeta,
  spec: AccessPolicySpec,
  status: InputStatus,
});
export type AccessPolicy = z.infer<typeof AccessPolicy>;

export const KEY_ALGORITHMS = ["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256", "ECDSA-P384"] as const;

export const RootCertificateAuthority = z.strictObject({
  generated: z
    .strictObject({
      ttlDays: z.number().int().min(1).optional(),
      rsaKeySizeBytes: z.number().int().refine((n) => [2048, 3072, 4096].includes(n), { error: "must be 2048, 3072 or 4096 (bits, despite the name)" }).optional(),
      keyAlgorithm: z.enum(KEY_ALGORITHMS, { error: `must be one of ${KEY_ALGORITHMS.join(", ")}` }).optional(),
      orgName: z.string().optional(),
    })
    .optional(),
  secret: ObjectRef.optional(),
});

export const VirtualMeshSpec = z.strictObject({
  meshes: z.array(ObjectRef).min(1, { error: "at least one mesh is required" }),
  mtlsConfig: z
    .strictObject({
      shared: z
        .strictObject({
          rootCertificateAuthority: RootCertificateAuthority.optional(),
          // Gloo Mesh 1.1 (enterprise) intermediate CA from Vault: kept so manifests load; reported unsupported.
          intermediateCertificateAuthority: z.looseObject({}).optional(),
        })
        .optional(),
      limited: z.strictObject({}).optional(),
      autoRestartPods: z.boolean().optional(),
    })
    .optional(),
  federation: z
    .strictObject({
      permissive: z.strictObject({}).optional(),
      flatNetwork: z.boolean().optional(),
      hostnameSuffix: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "must be a DNS suffix like global" }).optional(),
      selectors: z
        .array(z.strictObject({ destinationSelectors: z.array(DestinationSelector).optional(), meshes: z.array(ObjectRef).optional() }))
        .optional(),
    })
    .optional(),
  globalAccessPolicy: z.enum(["MESH_DEFAULT", "ENABLED", "DISABLED"], { error: "must be MESH_DEFAULT, ENABLED or DISABLED" }).optional(),
});
export type VirtualMeshSpec = z.infer<typeof VirtualMeshSpec>;

/** A group of meshes sharing a root of trust, federating services and (optionally) denying by default. */
export const VirtualMesh = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal("VirtualMesh"),
  metadata: ObjectMeta,
  spec: VirtualMeshSpec,
  status: InputStatus,
});
export type VirtualMesh = z.infer<typeof VirtualMesh>;

/** Computed status types, re-exported for convenience. */
export { PolicyStatus, VirtualMeshStatus };
