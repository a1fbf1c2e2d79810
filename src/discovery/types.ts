import type { InputError } from "../errors.js";
import type { KubeObject } from "../model/common.js";
import type { KubernetesCluster, Mesh, MeshService, MeshWorkload } from "../model/discovery.js";

/** The raw objects read from one cluster (by `kubectl get -A -o yaml`, the files adapter or the Kubernetes adapter). */
export interface ClusterSnapshot {
  /** Registered cluster name. */
  readonly cluster: string;
  readonly objects: readonly KubeObject[];
  /** Optional provenance per object (same index as `objects`), used in diagnostics. */
  readonly sources?: readonly ({ file?: string; document?: number; item?: number } | undefined)[];
}

/** A problem found while reading inputs; warnings do not stop anything. */
export interface Diagnostic extends InputError {
  readonly severity: "error" | "warning";
}

/**
 * Mesh configuration found on a cluster that meshhub did not write (no `app.kubernetes.io/managed-by: meshhub`
 * label). Translators use it to report clashes instead of silently fighting a user's config.
 */
export interface ForeignConfig {
  readonly cluster: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Fully qualified hosts this object configures (VirtualService hosts, DestinationRule host, ServiceProfile name), lower-case. */
  readonly hosts: readonly string[];
  /** Services this object attaches to (HTTPRoute parentRefs / TrafficSplit apex service). */
  readonly services: readonly { readonly name: string; readonly namespace: string }[];
}

/** The management plane's view of every registered cluster. All lists are sorted by (cluster, namespace, name). */
export interface Discovery {
  readonly managementNamespace: string;
  readonly clusters: readonly KubernetesCluster[];
  readonly meshes: readonly Mesh[];
  readonly workloads: readonly MeshWorkload[];
  readonly services: readonly MeshService[];
  readonly foreignConfig: readonly ForeignConfig[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Options for {@link discover}. */
export interface DiscoverOptions {
  /** Namespace on the management plane for discovered objects (default `meshhub`). */
  readonly managementNamespace?: string;
  /** Declared clusters; a snapshot without a declared cluster gets a default one. */
  readonly clusters?: readonly KubernetesCluster[];
  /**
   * Labels that mark Istio gateway workloads; a Service in the istiod namespace whose selector contains them is a
   * gateway. Defaults: ingress `{istio: ingressgateway}`, east-west `{istio: eastwestgateway}` (Gloo Mesh's setting).
   */
  readonly gatewayWorkloadLabels?: {
    readonly ingress?: Readonly<Record<string, string>>;
    readonly eastWest?: Readonly<Record<string, string>>;
  };
}
