import { z } from "zod";
import { ClusterName, Dns1123Label, Dns1123Subdomain, LabelMap, ObjectMeta, ObjectRef } from "./common.js";

/** API group of discovered resources and registered clusters. */
export const DISCOVERY_API_VERSION = "discovery.meshhub.io/v1alpha1";
/** Gloo Mesh's cluster registration group, accepted as an alias for KubernetesCluster. */
export const GLOO_MESH_CLUSTER_API_VERSION = "multicluster.solo.io/v1alpha1";
/** Default namespace on the management plane where discovered objects live. */
export const DEFAULT_MANAGEMENT_NAMESPACE = "meshhub";

// ---- KubernetesCluster -----------------------------------------------------------------------------

export const KubernetesClusterSpec = z.strictObject({
  clusterDomain: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "must be a DNS domain like cluster.local" }).default("cluster.local"),
  /** Secret holding the kubeconfig on the management plane (as Gloo Mesh registered clusters). */
  kubeconfigSecretRef: ObjectRef.optional(),
  /** Path of a kubeconfig file, for the CLI's Kubernetes adapter. */
  kubeconfig: z.string().optional(),
  /** Context inside the kubeconfig. */
  context: z.string().optional(),
  region: z.string().optional(),
});

/** A registered cluster. One is implied for each `clusters/<name>/` folder of a workspace. */
export const KubernetesCluster = z.strictObject({
  apiVersion: z.enum([DISCOVERY_API_VERSION, GLOO_MESH_CLUSTER_API_VERSION]),
  kind: z.literal("KubernetesCluster"),
  metadata: ObjectMeta,
  spec: KubernetesClusterSpec.default({ clusterDomain: "cluster.local" }),
  status: z.unknown().optional(),
});
export type KubernetesCluster = z.infer<typeof KubernetesCluster>;

// ---- Mesh ----------------------------------------------------------------------------------------

export const MeshInstallation = z.strictObject({
  namespace: Dns1123Label,
  cluster: ClusterName,
  version: z.string(),
  /** Istio revision (`istio.io/rev`), empty for the default revision. */
  revision: z.string().optional(),
  podLabels: LabelMap.default({}),
  /** Full image reference of the control plane (keeps a digest pin even when `version` is the tag). */
  image: z.string().optional(),
});
export type MeshInstallation = z.infer<typeof MeshInstallation>;

/** A gateway the mesh exposes (Istio ingress or east-west gateway, Linkerd multicluster gateway). */
export const MeshGateway = z.strictObject({
  /** Service name and namespace of the gateway. */
  name: Dns1123Label,
  namespace: Dns1123Label,
  /** Labels selecting the gateway pods (the Service selector). */
  workloadLabels: LabelMap.default({}),
  /** Address reachable from other clusters (LoadBalancer IP/hostname, external IP, or node address for NodePort). */
  externalAddress: z.string().optional(),
  /** Port reachable from other clusters for mTLS passthrough (service port, or nodePort for NodePort services). */
  externalTlsPort: z.number().int().optional(),
  /** Container (target) port of the TLS listener, used in the Gateway server definition. */
  tlsContainerPort: z.number().int().optional(),
  serviceType: z.string().optional(),
  ports: z.array(z.strictObject({ name: z.string().optional(), port: z.number().int(), targetPort: z.union([z.number().int(), z.string()]).optional(), nodePort: z.number().int().optional(), protocol: z.string().optional() })).default([]),
});
export type MeshGateway = z.infer<typeof MeshGateway>;

/** A trust anchor found on a cluster, recorded without trusting the PEM blindly. */
export const TrustAnchorInfo = z.strictObject({
  /** SHA-256 over the DER certificate, lower-case hex. */
  fingerprintSha256: z.string(),
  subject: z.string().optional(),
  notBefore: z.string().optional(),
  notAfter: z.string().optional(),
  pem: z.string().optional(),
  /** SHA-256 over the PEM block plus a trailing newline (what Linkerd's `linkerd.io/trust-root-sha256` pod annotation holds). */
  pemSha256: z.string().optional(),
  /** Where the certificate was read, e.g. `ConfigMap linkerd/linkerd-identity-trust-roots ca-bundle.crt`, `Secret istio-system/cacerts root-cert.pem`. */
  source: z.string().optional(),
});
export type TrustAnchorInfo = z.infer<typeof TrustAnchorInfo>;

export const IstioMeshSpec = z.strictObject({
  installation: MeshInstallation,
  trustDomain: z.string().default("cluster.local"),
  istiodServiceAccount: z.string().default("istiod"),
  meshId: z.string().optional(),
  network: z.string().optional(),
  /** Istio cluster ID (`CLUSTER_ID` on istiod), defaults to the registered cluster name. */
  clusterId: z.string().optional(),
  ingressGateways: z.array(MeshGateway).default([]),
  eastWestGateways: z.array(MeshGateway).default([]),
  /** Plugged-in CA (`cacerts`) found on the cluster, if any. */
  caCertificates: z.array(TrustAnchorInfo).optional(),
  smartDnsProxyingEnabled: z.boolean().optional(),
});
export type IstioMeshSpec = z.infer<typeof IstioMeshSpec>;

export const LinkerdMeshSpec = z.strictObject({
  installation: MeshInstallation,
  clusterDomain: z.string().default("cluster.local"),
  trustDomain: z.string().default("cluster.local"),
  version: z.string(),
  trustAnchors: z.array(TrustAnchorInfo).default([]),
  multiclusterGateway: MeshGateway.optional(),
});
export type LinkerdMeshSpec = z.infer<typeof LinkerdMeshSpec>;

/** A discovered control plane: an Istio revision or a Linkerd installation on one cluster. */
export const Mesh = z.strictObject({
  apiVersion: z.literal(DISCOVERY_API_VERSION),
  kind: z.literal("Mesh"),
  metadata: ObjectMeta,
  spec: z.union([z.strictObject({ istio: IstioMeshSpec }), z.strictObject({ linkerd: LinkerdMeshSpec })]),
});
export type Mesh = z.infer<typeof Mesh>;

// ---- MeshWorkload ----------------------------------------------------------------------------------

export const WorkloadControllerRef = z.strictObject({
  kind: z.enum(["Deployment", "StatefulSet", "DaemonSet"]),
  name: Dns1123Subdomain,
  namespace: Dns1123Label,
  clusterName: ClusterName,
});

/** A discovered workload (Deployment, StatefulSet or DaemonSet) whose pods run a mesh proxy. */
export const MeshWorkload = z.strictObject({
  apiVersion: z.literal(DISCOVERY_API_VERSION),
  kind: z.literal("MeshWorkload"),
  metadata: ObjectMeta,
  spec: z.strictObject({
    kubernetes: z.strictObject({
      controller: WorkloadControllerRef,
      podLabels: LabelMap.default({}),
      serviceAccountName: z.string().default("default"),
    }),
    mesh: ObjectRef,
  }),
});
export type MeshWorkload = z.infer<typeof MeshWorkload>;

// ---- MeshService -----------------------------------------------------------------------------------

export const ServicePort = z.strictObject({
  port: z.number().int(),
  name: z.string().optional(),
  protocol: z.string().default("TCP"),
  appProtocol: z.string().optional(),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
});
export type ServicePort = z.infer<typeof ServicePort>;

/** A discovered Kubernetes Service whose selector picks at least one mesh workload: a policy destination. */
export const MeshService = z.strictObject({
  apiVersion: z.literal(DISCOVERY_API_VERSION),
  kind: z.literal("MeshService"),
  metadata: ObjectMeta,
  spec: z.strictObject({
    kubeService: z.strictObject({
      ref: z.strictObject({ name: Dns1123Label, namespace: Dns1123Label, clusterName: ClusterName }),
      workloadSelectorLabels: LabelMap.default({}),
      labels: LabelMap.default({}),
      ports: z.array(ServicePort).default([]),
      subsets: z.record(z.string(), z.strictObject({ values: z.array(z.string()) })).default({}),
      /** Headless (`clusterIP: None`) services cannot carry Linkerd outbound policy. */
      headless: z.boolean().optional(),
      /** Service annotations, needed to patch rather than overwrite a user's Service. */
      annotations: z.record(z.string(), z.string()).optional(),
    }),
    mesh: ObjectRef,
  }),
});
export type MeshService = z.infer<typeof MeshService>;
