/**
 * meshhub: discover Istio and Linkerd meshes across Kubernetes clusters and turn mesh-agnostic TrafficPolicy,
 * AccessPolicy and VirtualMesh resources into real mesh configuration. Everything exported here is pure: no
 * file system, network, clock or randomness; errors come back as values.
 *
 * @packageDocumentation
 */

// ---- errors ---------------------------------------------------------------------------------------
/** Located input errors and their one-line rendering. */
export { formatInputError, formatLocation, type ErrorLocation, type InputError } from "./errors.js";

// ---- model ------------------------------------------------------------------------------------------
/** Zod schemas (and inferred types) of meshhub's resources: validate your own objects with `.safeParse`. */
export {
  AccessPolicy,
  DestinationSelector,
  GLOO_MESH_NETWORKING_API_VERSION,
  HttpMatcher,
  IdentitySelector,
  NETWORKING_API_VERSION,
  TrafficPolicy,
  TrafficPolicyActions,
  VirtualMesh,
  WorkloadSelector,
} from "./model/networking.js";
/** Discovered resources and registered clusters. */
export {
  DEFAULT_MANAGEMENT_NAMESPACE,
  DISCOVERY_API_VERSION,
  KubernetesCluster,
  Mesh,
  MeshService,
  MeshWorkload,
} from "./model/discovery.js";
/** Computed statuses. */
export { ApprovalState, ApprovalStatus, PolicyStatus, STATUS_WORKLOADS_LIMIT, VirtualMeshStatus } from "./model/status.js";
/** A generic Kubernetes object, and duration parsing shared by the translators. */
export { durationToMillis, type KubeObject } from "./model/common.js";

// ---- reading and writing -----------------------------------------------------------------------------
/** Parse multi-document YAML/JSON (including `kind: List`) into located documents. */
export { parseDocuments, type ParsedDocument, type ParseLimits } from "./codec/parse.js";
/** Validate parsed documents as meshhub resources. */
export { loadResources, type MeshhubResources } from "./codec/load.js";
/** Load a whole workspace (`clusters/<name>/**` raw objects + resource files). */
export { clusterOfPath, loadWorkspace, type Workspace, type WorkspaceFile } from "./codec/workspace.js";
/** Deterministic serialization: canonical key order, byte-identical for the same input. */
export { canonicalize, toCanonicalJson, toCanonicalYaml, toCanonicalYamlStream } from "./codec/canonical.js";

// ---- discovery ----------------------------------------------------------------------------------------
/** Discover meshes, workloads and services from cluster snapshots. */
export { discover } from "./discovery/index.js";
export type { ClusterSnapshot, Diagnostic, Discovery, DiscoverOptions, ForeignConfig } from "./discovery/types.js";
/** Istio and Linkerd version parsing and ordering. */
export { compareLinkerdVersions, parseIstioVersion, parseLinkerdVersion } from "./discovery/versions.js";

// ---- resolution and translation ----------------------------------------------------------------------------
/** Translate discovery plus policies into manifests, statuses and a certificate plan. */
export { translate, type TranslateInput, type TranslationResult, type TranslationStatuses } from "./translate/index.js";
/** Incremental re-translation for controllers: apply changes, get only what changed. */
export { TranslationSession, type ObjectId, type TranslationChange, type TranslationDelta } from "./translate/index.js";
/** What VirtualMesh federation and global access control decided beyond the manifests. */
export type { FederationPlan, FederatedService, RequiredSecret, VirtualMeshFederationPlan } from "./federation/types.js";
export type { DestinationContext, MeshTranslator, PolicyReport, ResolvedDestination, TranslateOptions } from "./translate/types.js";
/** Load, discover and translate a workspace in one call. */
export { translateWorkspace, type WorkspaceTranslateOptions } from "./pipeline.js";
/** Selector resolution and meshhub's history-free precedence order. */
export { ServiceIndex, selectDestinations, serviceKey, policyKey } from "./resolve/selectors.js";
export { comparePrecedence, describeRef, type PolicyRef } from "./resolve/order.js";
export type { Provenanced, ResolvedRoute, ResolvedTraffic } from "./resolve/traffic.js";
export type { ResolvedAccessRule, ResolvedIdentity } from "./resolve/access.js";
/** Owner label and sources annotation carried by every emitted object. */
export { DESTINATION_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PATCH_ANNOTATION, SOURCES_ANNOTATION, isOwnedByMeshhub } from "./translate/metadata.js";

// ---- shared trust -----------------------------------------------------------------------------------------
/**
 * Certificate planning and root rotation (pure, plain-JSON plans without keys). Signing lives in `meshhub/trust`,
 * which loads the X.509 library.
 */
export { planCertificates, type CertificatePlanInput } from "./trust/plan.js";
export { observedTrustOf, planRotation, type ObservedTrust, type RotationInput } from "./trust/rotation.js";
export type { CertificatePlan, RotationPlan, VirtualMeshCertificatePlan } from "./trust/types.js";

// ---- conformance ---------------------------------------------------------------------------------------------
/** Validate Kubernetes objects against CRDs (e.g. the ones installed in your clusters). */
export { compiledCount, formatConformanceError, hasSchemaFor, loadCrds, validateObject, validateObjects, type ConformanceError, type CrdRegistry } from "./conformance/index.js";
