/**
 * Small builders for discovered objects, so translator tests can describe an estate in a few lines.
 * They produce the same shapes discover() produces.
 */
import type { Discovery, ForeignConfig } from "../../src/discovery/types.js";
import { DISCOVERY_API_VERSION, type KubernetesCluster, type Mesh, type MeshService, type MeshWorkload } from "../../src/model/discovery.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../../src/model/networking.js";
import { AccessPolicy as AccessPolicySchema, TrafficPolicy as TrafficPolicySchema, VirtualMesh as VirtualMeshSchema } from "../../src/model/networking.js";

const MGMT = "meshhub";

export function cluster(name: string, clusterDomain = "cluster.local"): KubernetesCluster {
  return { apiVersion: DISCOVERY_API_VERSION, kind: "KubernetesCluster", metadata: { name, namespace: MGMT }, spec: { clusterDomain } };
}

export function istioMesh(clusterName: string, opts: { version?: string; trustDomain?: string; namespace?: string; name?: string; eastWestAddress?: string; ingressAddress?: string; smartDnsProxyingEnabled?: boolean } = {}): Mesh {
  const ns = opts.namespace ?? "istio-system";
  return {
    apiVersion: DISCOVERY_API_VERSION,
    kind: "Mesh",
    metadata: { name: opts.name ?? `istiod-${ns}-${clusterName}`, namespace: MGMT, labels: { "discovery.meshhub.io/cluster": clusterName } },
    spec: {
      istio: {
        installation: { namespace: ns, cluster: clusterName, version: opts.version ?? "1.29.6", podLabels: { app: "istiod", istio: "pilot" } },
        trustDomain: opts.trustDomain ?? "cluster.local",
        istiodServiceAccount: "istiod",
        ingressGateways: opts.ingressAddress
          ? [{ name: "istio-ingressgateway", namespace: ns, workloadLabels: { istio: "ingressgateway" }, externalAddress: opts.ingressAddress, externalTlsPort: 443, tlsContainerPort: 8443, serviceType: "LoadBalancer", ports: [] }]
          : [],
        eastWestGateways: opts.eastWestAddress
          ? [{ name: "istio-eastwestgateway", namespace: ns, workloadLabels: { istio: "eastwestgateway" }, externalAddress: opts.eastWestAddress, externalTlsPort: 15443, tlsContainerPort: 15443, serviceType: "LoadBalancer", ports: [] }]
          : [],
        ...(opts.smartDnsProxyingEnabled !== undefined ? { smartDnsProxyingEnabled: opts.smartDnsProxyingEnabled } : {}),
      },
    },
  };
}

export function linkerdMesh(clusterName: string, opts: { version?: string; trustDomain?: string; namespace?: string; clusterDomain?: string; gatewayAddress?: string } = {}): Mesh {
  const ns = opts.namespace ?? "linkerd";
  const version = opts.version ?? "edge-26.8.3";
  return {
    apiVersion: DISCOVERY_API_VERSION,
    kind: "Mesh",
    metadata: { name: `linkerd-destination-${ns}-${clusterName}`, namespace: MGMT, labels: { "discovery.meshhub.io/cluster": clusterName } },
    spec: {
      linkerd: {
        installation: { namespace: ns, cluster: clusterName, version, podLabels: { "linkerd.io/control-plane-component": "destination" } },
        clusterDomain: opts.clusterDomain ?? "cluster.local",
        trustDomain: opts.trustDomain ?? "cluster.local",
        version,
        trustAnchors: [],
        ...(opts.gatewayAddress
          ? { multiclusterGateway: { name: "linkerd-gateway", namespace: "linkerd-multicluster", workloadLabels: { app: "linkerd-gateway" }, externalAddress: opts.gatewayAddress, externalTlsPort: 4143, tlsContainerPort: 4143, serviceType: "LoadBalancer", ports: [] } }
          : {}),
      },
    },
  };
}

export function meshRef(mesh: Mesh): { name: string; namespace: string } {
  return { name: mesh.metadata.name, namespace: mesh.metadata.namespace ?? MGMT };
}

export function service(
  mesh: Mesh,
  name: string,
  namespace: string,
  opts: { ports?: { port: number; name?: string; targetPort?: number | string; appProtocol?: string; protocol?: string }[]; selector?: Record<string, string>; labels?: Record<string, string>; subsets?: Record<string, string[]>; annotations?: Record<string, string>; headless?: boolean } = {},
): MeshService {
  const clusterName = ("istio" in mesh.spec ? mesh.spec.istio : mesh.spec.linkerd).installation.cluster;
  return {
    apiVersion: DISCOVERY_API_VERSION,
    kind: "MeshService",
    metadata: { name: `${name}-${namespace}-${clusterName}`, namespace: MGMT, labels: { "discovery.meshhub.io/cluster": clusterName } },
    spec: {
      kubeService: {
        ref: { name, namespace, clusterName },
        workloadSelectorLabels: opts.selector ?? { app: name },
        labels: opts.labels ?? { app: name, service: name },
        ports: (opts.ports ?? [{ port: 9080, name: "http", targetPort: 9080 }]).map((p) => ({ protocol: "TCP", ...p })),
        subsets: Object.fromEntries(Object.entries(opts.subsets ?? {}).map(([k, v]) => [k, { values: v }])),
        ...(opts.headless ? { headless: true } : {}),
        ...(opts.annotations ? { annotations: opts.annotations } : {}),
      },
      mesh: meshRef(mesh),
    },
  };
}

export function workload(mesh: Mesh, name: string, namespace: string, opts: { labels?: Record<string, string>; serviceAccount?: string; kind?: "Deployment" | "StatefulSet" | "DaemonSet" } = {}): MeshWorkload {
  const clusterName = ("istio" in mesh.spec ? mesh.spec.istio : mesh.spec.linkerd).installation.cluster;
  const kind = opts.kind ?? "Deployment";
  return {
    apiVersion: DISCOVERY_API_VERSION,
    kind: "MeshWorkload",
    metadata: { name: `${name}-${namespace}-${clusterName}-${kind.toLowerCase()}`, namespace: MGMT, labels: { "discovery.meshhub.io/cluster": clusterName } },
    spec: {
      kubernetes: { controller: { kind, name, namespace, clusterName }, podLabels: opts.labels ?? { app: name }, serviceAccountName: opts.serviceAccount ?? name },
      mesh: meshRef(mesh),
    },
  };
}

export function discovery(parts: { clusters?: KubernetesCluster[]; meshes: Mesh[]; services?: MeshService[]; workloads?: MeshWorkload[]; foreignConfig?: ForeignConfig[] }): Discovery {
  const clusterNames = new Set(parts.meshes.map((m) => ("istio" in m.spec ? m.spec.istio : m.spec.linkerd).installation.cluster));
  const declared = parts.clusters ?? [];
  const clusters = [...declared, ...[...clusterNames].filter((c) => !declared.some((d) => d.metadata.name === c)).map((c) => cluster(c))];
  return {
    managementNamespace: MGMT,
    clusters,
    meshes: parts.meshes,
    workloads: parts.workloads ?? [],
    services: parts.services ?? [],
    foreignConfig: parts.foreignConfig ?? [],
    diagnostics: [],
  };
}

/** Parses a TrafficPolicy written as a plain object (validates it like the loader does). */
export function trafficPolicy(name: string, spec: unknown, meta: { namespace?: string; creationTimestamp?: string } = {}): TrafficPolicy {
  return TrafficPolicySchema.parse({ apiVersion: "networking.meshhub.io/v1alpha1", kind: "TrafficPolicy", metadata: { name, namespace: meta.namespace ?? "meshhub", ...(meta.creationTimestamp ? { creationTimestamp: meta.creationTimestamp } : {}) }, spec });
}

export function accessPolicy(name: string, spec: unknown, meta: { namespace?: string } = {}): AccessPolicy {
  return AccessPolicySchema.parse({ apiVersion: "networking.meshhub.io/v1alpha1", kind: "AccessPolicy", metadata: { name, namespace: meta.namespace ?? "meshhub" }, spec });
}

export function virtualMesh(name: string, spec: unknown, meta: { namespace?: string } = {}): VirtualMesh {
  return VirtualMeshSchema.parse({ apiVersion: "networking.meshhub.io/v1alpha1", kind: "VirtualMesh", metadata: { name, namespace: meta.namespace ?? "meshhub" }, spec });
}
