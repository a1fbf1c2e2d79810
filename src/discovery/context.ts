import type { DiagnosticSink } from "./diagnostics.js";
import type { MeshType } from "./pods.js";
import type { Mesh } from "../model/discovery.js";
import type { SharedParts } from "./shared-parts.js";

/** Settings shared by the discovery steps of one run. */
export interface DiscoveryContext {
  readonly managementNamespace: string;
  readonly sink: DiagnosticSink;
  readonly ingressGatewayLabels: Readonly<Record<string, string>>;
  readonly eastWestGatewayLabels: Readonly<Record<string, string>>;
  /** Parts discovered objects share (see {@link SharedParts}). */
  readonly shared: SharedParts;
}

/** A control plane found on a cluster, with what workload and service discovery need to attach to it. */
export interface DetectedMesh {
  readonly type: MeshType;
  readonly cluster: string;
  /** Install namespace of the control plane. */
  readonly namespace: string;
  /** Discovered name (`istiod-istio-system-cluster1`). */
  readonly name: string;
  /** Istio revision; undefined for the default revision (and for Linkerd). */
  readonly revision?: string;
  readonly mesh: Mesh;
  /** Names of the control-plane Deployments (in `namespace`): infrastructure, not app workloads. */
  readonly controlPlaneDeployments: readonly string[];
  /** Selectors of the gateway Services attached to this mesh: their pods are gateways, not app workloads. */
  readonly gatewaySelectors: readonly Readonly<Record<string, string>>[];
}
