/**
 * A seeded generator of realistic estates for the benchmark: C clusters (alternating Istio and Linkerd), S
 * services backed by W workloads, P TrafficPolicies and A AccessPolicies mixing every feature and selector kind,
 * and one VirtualMesh over all meshes. The same seed always gives the same estate.
 */
import type { ClusterSnapshot } from "../src/discovery/types.js";
import type { KubeObject } from "../src/model/common.js";
import type { AccessPolicy, DestinationSelector, IdentitySelector, TrafficPolicy, VirtualMesh } from "../src/model/networking.js";

export interface EstateSize {
  readonly clusters: number;
  readonly services: number;
  /** Workload versions per service (each a Deployment, one with a running pod). */
  readonly versionsPerService: number;
  readonly trafficPolicies: number;
  readonly accessPolicies: number;
}

export interface Estate {
  readonly snapshots: ClusterSnapshot[];
  readonly trafficPolicies: TrafficPolicy[];
  readonly accessPolicies: AccessPolicy[];
  readonly virtualMeshes: VirtualMesh[];
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Services per namespace stay constant as the estate grows, like real teams. */
const SERVICES_PER_NAMESPACE = 50;
const API = "networking.meshhub.io/v1alpha1";

function clusterName(i: number): string {
  return `cluster-${String(i).padStart(2, "0")}`;
}

function isIstio(i: number): boolean {
  return i % 2 === 0;
}

/** A Linkerd trust anchor for every Linkerd cluster (self-signed P-256 root, valid 2026-01-01 to 2036-01-01; made for the bench). */
const LINKERD_TRUST_ANCHOR = [
  "-----BEGIN CERTIFICATE-----",
  "MIIBXDCCAQKgAwIBAgIBATAKBggqhkjOPQQDAjAlMSMwIQYDVQQDExpyb290Lmxp",
  "bmtlcmQuY2x1c3Rlci5sb2NhbDAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAw",
  "MDBaMCUxIzAhBgNVBAMTGnJvb3QubGlua2VyZC5jbHVzdGVyLmxvY2FsMFkwEwYH",
  "KoZIzj0CAQYIKoZIzj0DAQcDQgAExE2nLlYcEuREyqcCduaEcKCEg1h6h7gxBxJ4",
  "1FTLjBQiWcTV9rivPifIwVMDnk2J+ZFiDF+aRazruYSB1QipgaMjMCEwDwYDVR0T",
  "AQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDSAAwRQIgOb+O",
  "Fw9qZSvZ6LrSjUz7MSeFS7J5MIxkpfBg51bIUrsCIQC1mZ+0cLN4MRUcB6jvm0YM",
  "yoN9SlKMAp9w/Ck9DuNRKA==",
  "-----END CERTIFICATE-----",
].join("\n");

function controlPlane(i: number): KubeObject[] {
  const c = clusterName(i);
  if (isIstio(i)) {
    return [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system", labels: { "topology.istio.io/network": `net-${c}` } } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: "istio-system" }, data: { mesh: `trustDomain: ${c}.mesh\n` } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "istiod", namespace: "istio-system", labels: { app: "istiod" } }, spec: { selector: { matchLabels: { app: "istiod" } }, template: { metadata: { labels: { app: "istiod", istio: "pilot" } }, spec: { serviceAccountName: "istiod", containers: [{ name: "discovery", image: "docker.io/istio/pilot:1.29.6" }] } } } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "istio-eastwestgateway", namespace: "istio-system", labels: { istio: "eastwestgateway" } }, spec: { type: "LoadBalancer", selector: { istio: "eastwestgateway" }, ports: [{ name: "tls", port: 15443, targetPort: 15443 }] }, status: { loadBalancer: { ingress: [{ ip: `198.51.100.${i + 1}` }] } } },
    ];
  }
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "linkerd-config", namespace: "linkerd" }, data: { values: `identityTrustDomain: ${c}.mesh\nclusterDomain: cluster.local\n` } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "linkerd-identity-trust-roots", namespace: "linkerd" }, data: { "ca-bundle.crt": `${LINKERD_TRUST_ANCHOR}\n` } },
    ...["linkerd-destination", "linkerd-identity"].map((name): KubeObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "linkerd" }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "cr.l5d.io/linkerd/controller:edge-26.8.3" }] } } } })),
    { apiVersion: "v1", kind: "Service", metadata: { name: "linkerd-gateway", namespace: "linkerd-multicluster" }, spec: { type: "LoadBalancer", selector: { app: "linkerd-gateway" }, ports: [{ name: "mc-gateway", port: 4143 }, { name: "mc-probe", port: 4191 }] }, status: { loadBalancer: { ingress: [{ ip: `198.51.100.${i + 101}` }] } } },
  ];
}

/**
 * The option whose share of [0, 1) holds `draw` (shares in order, adding up to 1). Options are functions, so only the
 * chosen one draws further random numbers and the sequence of draws stays what it was.
 */
function choose<T>(draw: number, options: readonly (readonly [number, () => T])[]): T {
  let upTo = 0;
  for (const [share, option] of options) {
    upTo += share;
    if (draw < upTo) return option();
  }
  return options[options.length - 1]![1]();
}

/** A mirror of 5% of the requests to another service (its first port when it has two). */
function mirrorOf(s: { name: string; namespace: string; cluster: string; ports: number[] }): Record<string, unknown> {
  return { kubeService: { name: s.name, namespace: s.namespace, clusterName: s.cluster }, percentage: 5, ...(s.ports.length > 1 ? { port: s.ports[0] } : {}) };
}

/** Builds the estate. Services are spread evenly over clusters and namespaces. */
export function generateEstate(size: EstateSize, seed = 42): Estate {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const snapshots: ClusterSnapshot[] = [];
  const services: { name: string; namespace: string; cluster: string; istio: boolean; ports: number[] }[] = [];
  const perCluster = Math.ceil(size.services / size.clusters);
  const namespaces = Math.max(1, Math.ceil(perCluster / SERVICES_PER_NAMESPACE));
  for (let ci = 0; ci < size.clusters; ci++) {
    const cluster = clusterName(ci);
    const proxy = isIstio(ci) ? { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.29.6", restartPolicy: "Always" } : { name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:edge-26.8.3", restartPolicy: "Always" };
    const objects: KubeObject[] = [...controlPlane(ci)];
    for (let n = 0; n < namespaces; n++) {
      objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: `team-${n}`, ...(isIstio(ci) ? { labels: { "istio-injection": "enabled" } } : { annotations: { "linkerd.io/inject": "enabled" } }) } });
    }
    for (let s = 0; s < perCluster && services.length < size.services; s++) {
      const namespace = `team-${s % namespaces}`;
      const name = `svc-${s}`;
      const twoPorts = random() < 0.2;
      const ports = twoPorts ? [8080, 9090] : [8080];
      services.push({ name, namespace, cluster, istio: isIstio(ci), ports });
      objects.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, labels: { app: name, tier: pick(["web", "api", "data"]) } },
        spec: { selector: { app: name }, ports: ports.map((p) => ({ name: p === 8080 ? "http" : "grpc", port: p, targetPort: p, protocol: "TCP" })) },
      });
      for (let v = 1; v <= size.versionsPerService; v++) {
        const labels = { app: name, version: `v${v}` };
        const deployment = `${name}-v${v}`;
        objects.push({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: deployment, namespace },
          spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [{ name: "app", image: "example/app:1" }] } } },
        });
        if (v === 1) {
          // One running pod per service, injected the way the mesh does it; the other versions rely on injection labels.
          objects.push({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: `${deployment}-7d9f`, namespace, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: deployment, controller: true, uid: `${cluster}-${deployment}` }] }, spec: { selector: { matchLabels: labels } } });
          objects.push({ apiVersion: "v1", kind: "Pod", metadata: { name: `${deployment}-7d9f-x`, namespace, labels: { ...labels, "pod-template-hash": "7d9f" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${deployment}-7d9f`, controller: true, uid: `${cluster}-${deployment}-rs` }] }, spec: { serviceAccountName: name, initContainers: [proxy], containers: [{ name: "app", image: "example/app:1" }] } });
        }
      }
    }
    snapshots.push({ cluster, objects });
  }

  const ref = (s: (typeof services)[number]) => ({ name: s.name, namespace: s.namespace, clusterName: s.cluster });
  // Clients and mirror targets come from the first services of the target's cluster (a bounded set, like shared
  // platform services).
  const byCluster = new Map<string, (typeof services)[number][]>();
  for (const s of services) {
    const list = byCluster.get(s.cluster) ?? [];
    if (list.length < 200) list.push(s);
    byCluster.set(s.cluster, list);
  }
  const trafficPolicies: TrafficPolicy[] = [];
  for (let p = 0; p < size.trafficPolicies; p++) {
    const target = pick(services);
    const destinationSelector = choose<DestinationSelector[]>(random(), [
      [0.65, () => [{ kubeServiceRefs: { services: [ref(target)] } }]],
      [0.2, () => [{ kubeServiceMatcher: { labels: { app: target.name }, clusters: [target.cluster] } }]],
      [0.12, () => [{ kubeServiceMatcher: { namespaces: [target.namespace], clusters: [target.cluster], labels: { tier: "web" } } }]],
      // the same app in every cluster: one policy over Istio and Linkerd destinations
      [0.03, () => [{ kubeServiceMatcher: { labels: { app: target.name }, namespaces: [target.namespace] } }]],
    ]);
    const port = target.ports.length > 1 ? { port: target.ports[0] } : {};
    // Mirroring and TLS modes are Istio features: users write them for Istio services (Linkerd rejects them).
    const policy = choose<Record<string, unknown>>(random(), [
      [0.25, () => ({ requestTimeout: pick(["1s", "2s", "500ms"]), retries: { attempts: 2, perTryTimeout: "250ms", retryOn: "5xx" } })],
      [0.2, () => ({ trafficShift: { destinations: [{ kubeService: { ...ref(target), ...port, subset: { version: "v1" } }, weight: 90 }, { kubeService: { ...ref(target), ...port, subset: { version: "v2" } }, weight: 10 }] } })],
      [0.12, () => ({ headerManipulation: { appendRequestHeaders: { "x-team": target.namespace }, removeResponseHeaders: ["server"] } })],
      [0.08, () => ({ outlierDetection: { consecutiveErrors: 5 } })],
      [0.08, () => ({ faultInjection: random() < 0.5 ? { abort: { httpStatus: 503 }, percentage: 1 } : { fixedDelay: "100ms", percentage: 5 } })],
      [0.08, () => ({ corsPolicy: { allowOrigins: [{ exact: "https://app.example.com" }] }, requestTimeout: "3s" })],
      [0.09, () => (target.istio ? { mirror: mirrorOf(pick(byCluster.get(target.cluster)!)), requestTimeout: "2s" } : { requestTimeout: "2s", retries: { attempts: 3 } })],
      [0.1, () => (target.istio ? { mtls: { istio: { tlsMode: "ISTIO_MUTUAL" } } } : { outlierDetection: { consecutiveErrors: 3, interval: "10s" } })],
    ]);
    const matchers = choose<Record<string, unknown>>(random(), [
      [0.3, () => ({ httpRequestMatchers: [{ prefix: pick(["/api", "/v1", "/admin"]) }, ...(random() < 0.3 ? [{ exact: "/healthz", method: "GET" }] : [])] })],
      [0.08, () => ({ httpRequestMatchers: [{ prefix: "/", headers: [{ name: "x-canary", value: "true" }] }] })],
      [0.04, () => ({ httpRequestMatchers: [{ prefix: "/search", queryParameters: [{ name: "debug", value: "1" }] }] })],
      [0.03, () => ({ httpRequestMatchers: [{ regex: "/items/[0-9]+", method: "PUT" }] })],
      [0.55, () => ({})],
    ]);
    const destinationLevel = "outlierDetection" in policy || "mtls" in policy;
    const sourceKind = random();
    const client = pick(byCluster.get(target.cluster)!);
    // Routing by client is for Istio destinations (Linkerd cannot), and not for destination-wide settings.
    const sourceSelector = destinationLevel || !target.istio ? {} : choose<Record<string, unknown>>(sourceKind, [
      [0.17, () => ({ sourceSelector: [{ kubeWorkloadMatcher: { namespaces: [target.namespace] } }] })],
      [0.08, () => ({ sourceSelector: [{ kubeWorkloadMatcher: { labels: { app: client.name }, namespaces: [client.namespace], clusters: [client.cluster] } }] })],
      [0.75, () => ({})],
    ]);
    trafficPolicies.push({
      apiVersion: API,
      kind: "TrafficPolicy",
      metadata: { name: `tp-${p}`, namespace: "meshhub", creationTimestamp: new Date(Date.UTC(2026, 0, 1) + p * 60_000).toISOString() },
      spec: { destinationSelector, ...(destinationLevel ? {} : matchers), ...sourceSelector, policy },
    } as TrafficPolicy);
  }

  const accessPolicies: AccessPolicy[] = [];
  for (let a = 0; a < size.accessPolicies; a++) {
    if (a === 0) {
      // The baseline users write first: every workload may call every service of its own mesh (empty selectors).
      accessPolicies.push({ apiVersion: API, kind: "AccessPolicy", metadata: { name: "ap-0", namespace: "meshhub" }, spec: {} } as AccessPolicy);
      continue;
    }
    const target = pick(services);
    const client = pick(byCluster.get(target.cluster)!);
    const kind = random();
    const destinationKind = random();
    const paths = random();
    accessPolicies.push({
      apiVersion: API,
      kind: "AccessPolicy",
      metadata: { name: `ap-${a}`, namespace: "meshhub" },
      spec: {
        sourceSelector: choose<IdentitySelector[]>(kind, [
          [0.6, () => [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: client.name, namespace: client.namespace, clusterName: client.cluster }] } }]],
          [0.1, () => [{ kubeServiceAccountRefs: { serviceAccounts: [{ namespace: client.namespace, clusterName: client.cluster }] } }]],
          [0.3, () => [{ kubeIdentityMatcher: { namespaces: [client.namespace], clusters: [client.cluster] } }]],
        ]),
        destinationSelector: choose<DestinationSelector[]>(destinationKind, [
          [0.7, () => [{ kubeServiceRefs: { services: [ref(target)] } }]],
          [0.1, () => [{ kubeServiceMatcher: { labels: { app: target.name }, clusters: [target.cluster] } }]],
          [0.2, () => [{ kubeServiceMatcher: { namespaces: [target.namespace], clusters: [target.cluster] } }]],
        ]),
        ...(random() < 0.5 ? { allowedMethods: ["GET", "POST"] } : {}),
        ...(paths < 0.2 ? { allowedPaths: ["/api*"] } : paths < 0.25 ? { allowedPaths: ["/healthz", "*/status"] } : {}),
        ...(random() < 0.15 ? { allowedPorts: [8080] } : {}),
      },
    } as AccessPolicy);
  }

  const meshNames = snapshots.map((_, i) => (isIstio(i) ? `istiod-istio-system-${clusterName(i)}` : `linkerd-destination-linkerd-${clusterName(i)}`));
  const virtualMeshes: VirtualMesh[] = [
    { apiVersion: API, kind: "VirtualMesh", metadata: { name: "everything", namespace: "meshhub" }, spec: { meshes: meshNames.map((name) => ({ name, namespace: "meshhub" })), mtlsConfig: { shared: { rootCertificateAuthority: { generated: {} } } } } } as VirtualMesh,
  ];
  return { snapshots, trafficPolicies, accessPolicies, virtualMeshes };
}
