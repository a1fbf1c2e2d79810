/**
 * The federation plan: what VirtualMesh federation and global access control decided, as plain JSON, next to the
 * manifests (`TranslationResult.federation`). It says what the manifests alone cannot: which client reaches which
 * service under which name, which Secrets the cluster adapter must create (they hold credentials of another cluster,
 * which the pure core never sees), and which workloads must be restarted for emitted settings to take effect (as the
 * same restart steps the certificate plan uses, so one executor runs both).
 */
import type { RestartStep } from "../trust/types.js";


/** `apiVersion` of {@link FederationPlan}. */
export const FEDERATION_API_VERSION = "federation.meshhub.io/v1alpha1";

/** How one client mesh reaches a federated service. */
export interface FederatedClient {
  /** `name.namespace` of the client mesh (as in the VirtualMesh status). */
  readonly mesh: string;
  readonly cluster: string;
  /**
   * The name its proxies use: the federated hostname for Istio (`reviews.bookinfo.svc.east.global`), the mirror
   * Service for Linkerd (`bookinfo/reviews-east`).
   */
  readonly reachedAs: string;
  /** Istio only: the virtual IP of the client's ServiceEntry (Gloo Mesh's FNV-1 scheme). */
  readonly virtualIp?: string;
}

/** A service federated to at least one other mesh. */
export interface FederatedService {
  /** `name.namespace.cluster`. */
  readonly service: string;
  /** `name.namespace` of its mesh. */
  readonly mesh: string;
  /** Sorted by (cluster, mesh). */
  readonly clients: readonly FederatedClient[];
}

/**
 * A Secret that manifests reference by name but the pure core cannot produce, because its content comes from another
 * cluster (e.g. a Linkerd Link's `clusterCredentialsSecret`: a kubeconfig for the target cluster's service-mirror
 * service account). The cluster adapter creates it.
 */
export interface RequiredSecret {
  /** Where the Secret must exist. */
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** Secret `type`, e.g. `mirror.linkerd.io/remote-kubeconfig`. */
  readonly type: string;
  /** Data key holding the content, e.g. `kubeconfig`. */
  readonly key: string;
  /** Labels the Secret must carry. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The cluster whose credentials it holds, and the service account whose token the kubeconfig carries. */
  readonly fromCluster: string;
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** The emitted object that references it, e.g. `Link linkerd-multicluster/east`. */
  readonly usedBy: string;
}

/** The federation and global access control of one VirtualMesh. */
export interface VirtualMeshFederationPlan {
  /** `name.namespace` of the VirtualMesh. */
  readonly virtualMesh: string;
  /** Suffix of Istio federated hostnames (`global` unless `federation.hostnameSuffix` says otherwise). */
  readonly hostnameSuffix: string;
  /** Linkerd exports use `remote-discovery` (pod-to-pod) instead of the multicluster gateway. */
  readonly flatNetwork: boolean;
  readonly globalAccessPolicy: "MESH_DEFAULT" | "ENABLED" | "DISABLED";
  /** Sorted by service key. */
  readonly services: readonly FederatedService[];
  /** Sorted by (cluster, namespace, name). */
  readonly secrets: readonly RequiredSecret[];
  /** Pods to restart before emitted settings take effect (Linkerd's default inbound policy), in `order`. */
  readonly restarts: readonly RestartStep[];
}

/** Everything federation and global access control decided, per VirtualMesh (sorted by `name.namespace`). */
export interface FederationPlan {
  readonly apiVersion: typeof FEDERATION_API_VERSION;
  readonly kind: "FederationPlan";
  readonly virtualMeshes: readonly VirtualMeshFederationPlan[];
}
