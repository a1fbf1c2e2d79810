import type { Diagnostic, Discovery } from "../discovery/types.js";
import type { KubeObject } from "../model/common.js";
import type { KubernetesCluster, Mesh, MeshService } from "../model/discovery.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../model/networking.js";
import type { ApprovalState } from "../model/status.js";
import type { ResolvedAccessRule } from "../resolve/access.js";
import type { PolicyRef } from "../resolve/order.js";
import type { ServiceIndex } from "../resolve/selectors.js";
import type { CertificatePlanInput } from "../trust/plan.js";
import type { ResolvedPolicyActions, ResolvedRoute, ResolvedTraffic } from "../resolve/traffic.js";

/** Options that change what translation emits. */
export interface TranslateOptions {
  /**
   * Emit meshhub config for a host even when hand-written mesh config for it exists on the cluster (default
   * false: such a host is a clash, nothing is emitted for it and the affected policies are INVALID).
   */
  readonly allowCoexisting?: boolean;
  /**
   * Linkerd 2.10–2.15 only: accept `retries` as ServiceProfile budget-based retries (`isRetryable` + a 20%
   * `retryBudget`), which have no attempt count; perTryTimeout and retryOn other than 5xx stay errors.
   * Default false: such policies are INVALID ("retry attempts/per-try timeout require Linkerd ≥2.16").
   */
  readonly linkerdRetryBudget?: boolean;
  /**
   * The instant certificate dates are computed from (the core never reads the clock). Without it, VirtualMeshes
   * with shared trust get no certificate plan and a warning says why.
   */
  readonly now?: Date;
  /** Certificate planning options: where keys are generated, intermediate TTLs, expiry grace, roots in place. */
  readonly certificates?: Pick<CertificatePlanInput, "keyGeneration" | "graceDays" | "intermediateTtlDays" | "existingRoots">;
}

/** Everything a mesh translator may read while translating one destination. */
export interface DestinationContext {
  /** `name.namespace.cluster` of the destination service. */
  readonly key: string;
  readonly service: MeshService;
  readonly mesh: Mesh;
  readonly cluster: KubernetesCluster;
  readonly discovery: Discovery;
  readonly index: ServiceIndex;
  readonly options: TranslateOptions;
  /** The accepted VirtualMesh this destination's mesh belongs to, if any. */
  readonly virtualMesh?: VirtualMesh;
  /**
   * Meshes that share trust with the destination's mesh: the members of its VirtualMesh, or just the mesh itself.
   * Only identities from these meshes can be verified by the destination.
   */
  readonly trustPeers: readonly Mesh[];
  /** Subsets of a service (`name.namespace.cluster`) that routes on its cluster shift or mirror to. */
  readonly referencedSubsetsOf: (serviceKey: string) => readonly ReferencedSubset[];
  /** What VirtualMesh federation decided: which services on other clusters the destination's proxies can reach. */
  readonly federation?: FederationLookup;
  /**
   * Set when the destination's config is rendered again for clients on another cluster (Istio federation): the
   * "translation cluster" is then the client's, and the config addresses the federated hostname.
   */
  readonly federatedCopy?: FederatedCopy;
}

/** Federation decisions as translators need them (see src/federation). */
export interface FederationLookup {
  /**
   * Why proxies of `clientMesh` cannot reach the service `serviceKey` (`name.namespace.cluster`, on another cluster)
   * through federation — not exported to that mesh, no gateway, meshes of different types… — or undefined when the
   * service is federated to that mesh.
   */
  unreachable(serviceKey: string, clientMesh: Mesh): string | undefined;
}

/** Where and under which host a destination's config is copied for the clients of a federated service. */
export interface FederatedCopy {
  /** The client mesh and its cluster: the proxies that get the copy. */
  readonly clientMesh: Mesh;
  readonly clientCluster: KubernetesCluster;
  /** The federated hostname `<svc>.<ns>.svc.<cluster>.<suffix>` the copy configures. */
  readonly host: string;
  /** Name and namespace of the copies (`<svc>-<ns>-<cluster>` in the client's Istio namespace). */
  readonly name: string;
  readonly namespace: string;
  /** The VirtualMesh that federates the service: named in the copies' sources. */
  readonly virtualMesh: PolicyRef;
}

/** The decisions for one destination that a mesh translator renders. */
export interface ResolvedDestination {
  readonly key: string;
  readonly service: MeshService;
  readonly mesh: Mesh;
  readonly traffic: ResolvedTraffic;
  /** Allow rules of the accepted AccessPolicies, in precedence order. */
  readonly access: readonly ResolvedAccessRule[];
  /**
   * AccessPolicies that select this destination, whether or not their rule could be expressed. When non-empty the
   * destination must become allow-list only, even with no expressible rule: access control fails closed.
   */
  readonly accessPolicies: readonly PolicyRef[];
  /**
   * Subsets of this service that routes of any destination on the same cluster shift or mirror to (including its
   * own), de-duplicated and sorted: the DestinationRule must define them even when no policy selects this service.
   */
  readonly referencedSubsets: readonly ReferencedSubset[];
}

/** A subset of a service referenced by a traffic shift or mirror, with where the reference comes from. */
export interface ReferencedSubset {
  readonly labels: Readonly<Record<string, string>>;
  readonly setBy: PolicyRef;
  /** `name.namespace.cluster` of the destination whose route references the subset. */
  readonly from: string;
}

/** An outcome a translator reports for a (policy, destination) pair. */
export interface PolicyReport {
  readonly policy: PolicyRef;
  readonly state: ApprovalState;
  readonly message: string;
}

/** A translator for one mesh type. Adding a mesh means implementing this once. */
export interface MeshTranslator {
  readonly meshType: "istio" | "linkerd";
  /** The precise "unsupported" errors for a policy on this destination (mesh and version aware), or none. */
  checkTraffic(policy: TrafficPolicy, actions: ResolvedPolicyActions, ctx: DestinationContext): readonly string[];
  /**
   * Vetoes merging a policy into a route that already has actions from policies that take precedence, when the
   * mesh would silently ignore the combination. The message makes the later policy CONFLICT for the destination.
   */
  checkMerge?(route: ResolvedRoute["actions"], incoming: ResolvedPolicyActions, where: string, ctx: DestinationContext): readonly string[];
  /** The precise errors for an access rule this mesh cannot express for this destination, or none. */
  checkAccess(policy: AccessPolicy, rule: ResolvedAccessRule, ctx: DestinationContext): readonly string[];
  /** Renders the objects for one destination; clashes with foreign config come back as INVALID reports. */
  translateDestination(dest: ResolvedDestination, ctx: DestinationContext): { objects: KubeObject[]; reports: PolicyReport[] };
  /**
   * Renders the routing config of a destination again for clients on another cluster (`ctx.federatedCopy` is set;
   * `dest` was resolved as seen from the client's cluster). Meshes whose clients reach remote services under another
   * name they do not configure (Linkerd mirrors) leave it out.
   */
  translateFederatedCopy?(dest: ResolvedDestination, ctx: DestinationContext): { objects: KubeObject[]; reports: PolicyReport[] };
}

export type { Diagnostic };
