/**
 * The bundled example estate: two clusters as a discovery step would read them. `east` runs Istio 1.29 with a
 * bookinfo-like shop, `west` runs Linkerd (edge-26.8.3) with an emojivoto-like voting app. Written for meshhub;
 * addresses come from the documentation ranges (198.51.100.0/24, 10.x pod IPs).
 */
import type { KubeObject } from "../../model/common.js";

const ISTIO_VERSION = "1.29.6";
const LINKERD_VERSION = "edge-26.8.3";

/** A public test trust anchor (ECDSA P-256, CN root.linkerd.west.mesh), generated for this example. */
export const WEST_TRUST_ANCHOR = `-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIULkwlCFKlQNQxWeabSj4ywDlLkbgwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWcm9vdC5saW5rZXJkLndlc3QubWVzaDAeFw0yNjExMjYxMzI0
NTNaFw0zNjExMjMxMzI0NTNaMCExHzAdBgNVBAMMFnJvb3QubGlua2VyZC53ZXN0
Lm1lc2gwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASpyinXVcPgJv8reBIn3fXZ
ogdyQN2Mx6drf9WMqpfPDpxXAnKNcA+oR0fe+KxRJiYpk3sxmhZyA/F8f6Lq3OP/
o2MwYTAdBgNVHQ4EFgQUbKE/bosmZlIJhTjCmasjvYrNJG4wHwYDVR0jBBgwFoAU
bKE/bosmZlIJhTjCmasjvYrNJG4wDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAQYwCgYIKoZIzj0EAwIDSAAwRQIgYznLqH5hvq6sz4OsUHsWxNlfK9Ia6M88
zpOA7neOh9gCIQClRg8R10Ap4xBEP15J+2g/2zuDb7DQ5MyX4Tzddj3s5g==
-----END CERTIFICATE-----
`;

function ns(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels }, ...(Object.keys(annotations).length ? { annotations } : {}) } };
}

function sa(name: string, namespace: string): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } };
}

interface PortSpec {
  name: string;
  port: number;
  targetPort?: number;
  appProtocol?: string;
  nodePort?: number;
}

function svc(name: string, namespace: string, selector: Record<string, string>, ports: PortSpec[], opts: { labels?: Record<string, string>; type?: string; lbIp?: string } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: opts.labels ?? { app: selector.app ?? name, service: name } },
    spec: {
      type: opts.type ?? "ClusterIP",
      selector,
      ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: "TCP", targetPort: p.targetPort ?? p.port, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}), ...(p.nodePort ? { nodePort: p.nodePort } : {}) })),
    },
    ...(opts.lbIp ? { status: { loadBalancer: { ingress: [{ ip: opts.lbIp }] } } } : {}),
  };
}

interface AppSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  image: string;
  ports: number[];
  replicas?: number;
  templateAnnotations?: Record<string, string>;
}

function deployment(app: AppSpec): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app.name, namespace: app.namespace, labels: app.labels, generation: 1 },
    spec: {
      replicas: app.replicas ?? 1,
      selector: { matchLabels: app.labels },
      template: {
        metadata: { labels: app.labels, ...(app.templateAnnotations ? { annotations: app.templateAnnotations } : {}) },
        spec: { serviceAccountName: app.serviceAccount, containers: [{ name: app.name.replace(/-v\d+$/, ""), image: app.image, ports: app.ports.map((p) => ({ containerPort: p, protocol: "TCP" })) }] },
      },
    },
    status: { replicas: app.replicas ?? 1, readyReplicas: app.replicas ?? 1 },
  };
}

/** Stable pseudo hash for ReplicaSet/Pod names, derived from the name (no randomness). */
function hashOf(text: string, length: number): string {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (let i = 0; i < length; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length) + (i + 1) * 7919;
  }
  return out;
}

function injectedPod(app: AppSpec, index: number, proxy: "istio" | "linkerd"): KubeObject[] {
  const rsHash = hashOf(`${app.namespace}/${app.name}`, 10);
  const rsName = `${app.name}-${rsHash}`;
  const podName = `${rsName}-${hashOf(`${rsName}/${index}`, 5)}`;
  const podLabels: Record<string, string> =
    proxy === "istio"
      ? { ...app.labels, "pod-template-hash": rsHash, "security.istio.io/tlsMode": "istio", "service.istio.io/canonical-name": app.labels.app ?? app.name, "service.istio.io/canonical-revision": app.labels.version ?? "latest" }
      : { ...app.labels, "pod-template-hash": rsHash, "linkerd.io/control-plane-ns": "linkerd", "linkerd.io/proxy-deployment": app.name, "linkerd.io/workload-ns": app.namespace };
  const sidecar =
    proxy === "istio"
      ? { name: "istio-proxy", image: `docker.io/istio/proxyv2:${ISTIO_VERSION}`, restartPolicy: "Always", args: ["proxy", "sidecar"], ports: [{ containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" }] }
      : { name: "linkerd-proxy", image: `cr.l5d.io/linkerd/proxy:${LINKERD_VERSION}`, restartPolicy: "Always", ports: [{ containerPort: 4143, name: "linkerd-proxy", protocol: "TCP" }] };
  const init =
    proxy === "istio"
      ? { name: "istio-init", image: `docker.io/istio/proxyv2:${ISTIO_VERSION}`, args: ["istio-iptables"] }
      : { name: "linkerd-init", image: `cr.l5d.io/linkerd/proxy:${LINKERD_VERSION}`, args: ["--incoming-proxy-port", "4143"] };
  const annotations: Record<string, string> =
    proxy === "istio" ? { "sidecar.istio.io/status": '{"initContainers":["istio-init"],"containers":null}', "istio.io/rev": "default" } : { "linkerd.io/inject": "enabled", "linkerd.io/proxy-version": LINKERD_VERSION };
  const replicaSet: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: rsName, namespace: app.namespace, labels: { ...app.labels, "pod-template-hash": rsHash }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: app.name, controller: true, uid: `uid-${hashOf(app.name, 8)}` }] },
    spec: { replicas: app.replicas ?? 1, selector: { matchLabels: { ...app.labels, "pod-template-hash": rsHash } } },
  };
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName, namespace: app.namespace, labels: podLabels, annotations, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rsName, controller: true, uid: `uid-${hashOf(rsName, 8)}` }] },
    spec: {
      serviceAccountName: app.serviceAccount,
      initContainers: [init, sidecar],
      containers: [{ name: app.name.replace(/-v\d+$/, ""), image: app.image, ports: app.ports.map((p) => ({ containerPort: p, protocol: "TCP" })) }],
      nodeName: `${proxy === "istio" ? "east" : "west"}-node-${(index % 2) + 1}`,
    },
    status: { phase: "Running", podIP: `10.${proxy === "istio" ? 244 : 245}.${index + 1}.${(hashOf(podName, 2).charCodeAt(0) % 200) + 10}` },
  };
  return [replicaSet, pod];
}

function app(spec: AppSpec, proxy: "istio" | "linkerd", pods = 1): KubeObject[] {
  const out = [deployment(spec)];
  for (let i = 0; i < pods; i++) {
    const [replicaSet, pod] = injectedPod(spec, i, proxy);
    out.push(...(i === 0 ? [replicaSet!, pod!] : [pod!]));
  }
  return out;
}

/** The `east` cluster: Istio 1.29 (trust domain east.mesh) with the shop in namespace `shop`. */
export function eastCluster(): { controlPlane: KubeObject[]; apps: KubeObject[] } {
  const istioNs = "istio-system";
  const meshConfig = ["trustDomain: east.mesh", "rootNamespace: istio-system", "defaultConfig:", "  meshId: demo-mesh", "  proxyMetadata:", '    ISTIO_META_DNS_CAPTURE: "true"', ""].join("\n");
  const controlPlane: KubeObject[] = [
    ns(istioNs, { "topology.istio.io/network": "east-network" }),
    sa("istiod", istioNs),
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: istioNs, labels: { "istio.io/rev": "default" } }, data: { mesh: meshConfig, meshNetworks: "networks: {}" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "istiod", namespace: istioNs, labels: { app: "istiod", istio: "pilot", "istio.io/rev": "default" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { istio: "pilot" } },
        template: {
          metadata: { labels: { app: "istiod", istio: "pilot", "istio.io/rev": "default" } },
          spec: {
            serviceAccountName: "istiod",
            containers: [{ name: "discovery", image: `docker.io/istio/pilot:${ISTIO_VERSION}`, env: [{ name: "CLUSTER_ID", value: "east" }, { name: "REVISION", value: "default" }] }],
          },
        },
      },
      status: { replicas: 1, readyReplicas: 1 },
    },
    svc("istiod", istioNs, { app: "istiod", istio: "pilot" }, [{ name: "grpc-xds", port: 15010 }, { name: "https-dns", port: 15012 }, { name: "https-webhook", port: 443, targetPort: 15017 }], { labels: { app: "istiod", istio: "pilot" } }),
    sa("istio-ingressgateway", istioNs),
    ...gatewayDeployment("istio-ingressgateway", istioNs, { app: "istio-ingressgateway", istio: "ingressgateway" }),
    svc("istio-ingressgateway", istioNs, { app: "istio-ingressgateway", istio: "ingressgateway" }, [{ name: "http2", port: 80, targetPort: 8080 }, { name: "https", port: 443, targetPort: 8443 }, { name: "tls", port: 15443, targetPort: 15443 }], {
      labels: { app: "istio-ingressgateway", istio: "ingressgateway" },
      type: "LoadBalancer",
      lbIp: "198.51.100.10",
    }),
    sa("istio-eastwestgateway", istioNs),
    ...gatewayDeployment("istio-eastwestgateway", istioNs, { app: "istio-eastwestgateway", istio: "eastwestgateway", "topology.istio.io/network": "east-network" }),
    svc("istio-eastwestgateway", istioNs, { app: "istio-eastwestgateway", istio: "eastwestgateway", "topology.istio.io/network": "east-network" }, [{ name: "status-port", port: 15021 }, { name: "tls", port: 15443 }, { name: "tls-istiod", port: 15012 }, { name: "tls-webhook", port: 15017 }], {
      labels: { app: "istio-eastwestgateway", istio: "eastwestgateway", "topology.istio.io/network": "east-network" },
      type: "LoadBalancer",
      lbIp: "198.51.100.20",
    }),
  ];
  const shop = "shop";
  const image = (n: string): string => `registry.example.com/shop/${n}:1.4.0`;
  const apps: KubeObject[] = [
    ns(shop, { "istio-injection": "enabled" }),
    ...["frontend", "catalog", "reviews", "ratings"].map((n) => sa(`shop-${n}`, shop)),
    svc("frontend", shop, { app: "frontend" }, [{ name: "http", port: 9080 }]),
    svc("catalog", shop, { app: "catalog" }, [{ name: "http", port: 9080 }, { name: "grpc", port: 9090, appProtocol: "grpc" }]),
    svc("reviews", shop, { app: "reviews" }, [{ name: "http", port: 9080 }]),
    svc("ratings", shop, { app: "ratings" }, [{ name: "http", port: 9080 }]),
    ...app({ name: "frontend-v1", namespace: shop, labels: { app: "frontend", version: "v1" }, serviceAccount: "shop-frontend", image: image("frontend"), ports: [9080] }, "istio", 2),
    ...app({ name: "catalog-v1", namespace: shop, labels: { app: "catalog", version: "v1" }, serviceAccount: "shop-catalog", image: image("catalog"), ports: [9080, 9090] }, "istio"),
    ...app({ name: "reviews-v1", namespace: shop, labels: { app: "reviews", version: "v1" }, serviceAccount: "shop-reviews", image: image("reviews"), ports: [9080] }, "istio"),
    ...app({ name: "reviews-v2", namespace: shop, labels: { app: "reviews", version: "v2" }, serviceAccount: "shop-reviews", image: image("reviews"), ports: [9080] }, "istio"),
    // Scaled to zero for the night: discovery must still see it (and its subset).
    deployment({ name: "reviews-v3", namespace: shop, labels: { app: "reviews", version: "v3" }, serviceAccount: "shop-reviews", image: image("reviews"), ports: [9080], replicas: 0 }),
    ...app({ name: "ratings-v1", namespace: shop, labels: { app: "ratings", version: "v1" }, serviceAccount: "shop-ratings", image: image("ratings"), ports: [9080] }, "istio"),
  ];
  return { controlPlane, apps };
}

function gatewayDeployment(name: string, namespace: string, labels: Record<string, string>): KubeObject[] {
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, "sidecar.istio.io/inject": "true" }, annotations: { "inject.istio.io/templates": "gateway" } },
          spec: { serviceAccountName: name, containers: [{ name: "istio-proxy", image: "auto" }] },
        },
      },
      status: { replicas: 1, readyReplicas: 1 },
    },
  ];
}

/** The `west` cluster: Linkerd edge-26.8.3 (trust domain west.mesh) with the voting app in `emojivoto`. */
export function westCluster(): { controlPlane: KubeObject[]; apps: KubeObject[] } {
  const l5d = "linkerd";
  const values = ["clusterDomain: cluster.local", "clusterNetworks: 10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16", "identityTrustDomain: west.mesh", "linkerdVersion: " + LINKERD_VERSION, "proxy:", "  defaultInboundPolicy: all-unauthenticated", ""].join("\n");
  const controller = `cr.l5d.io/linkerd/controller:${LINKERD_VERSION}`;
  const cp = (name: string, component: string, containers: { name: string; image: string }[]): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: l5d, labels: { "linkerd.io/control-plane-component": component, "linkerd.io/control-plane-ns": l5d } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { "linkerd.io/control-plane-component": component, "linkerd.io/control-plane-ns": l5d } },
      template: {
        metadata: { labels: { "linkerd.io/control-plane-component": component, "linkerd.io/control-plane-ns": l5d } },
        spec: { serviceAccountName: name, containers, initContainers: [{ name: "linkerd-proxy", image: `cr.l5d.io/linkerd/proxy:${LINKERD_VERSION}`, restartPolicy: "Always" }] },
      },
    },
    status: { replicas: 1, readyReplicas: 1 },
  });
  const controlPlane: KubeObject[] = [
    ns(l5d, { "linkerd.io/is-control-plane": "true", "config.linkerd.io/admission-webhooks": "disabled" }),
    sa("linkerd-identity", l5d),
    sa("linkerd-destination", l5d),
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "linkerd-config", namespace: l5d, labels: { "linkerd.io/control-plane-component": "controller" } }, data: { values } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "linkerd-identity-trust-roots", namespace: l5d }, data: { "ca-bundle.crt": WEST_TRUST_ANCHOR } },
    cp("linkerd-identity", "identity", [{ name: "identity", image: controller }]),
    cp("linkerd-destination", "destination", [{ name: "destination", image: controller }, { name: "policy", image: `cr.l5d.io/linkerd/policy-controller:${LINKERD_VERSION}` }]),
    svc("linkerd-dst", l5d, { "linkerd.io/control-plane-component": "destination" }, [{ name: "grpc", port: 8086 }], { labels: { "linkerd.io/control-plane-component": "destination" } }),
    ns("linkerd-multicluster", { "linkerd.io/extension": "multicluster" }),
    sa("linkerd-gateway", "linkerd-multicluster"),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "linkerd-gateway", namespace: "linkerd-multicluster", labels: { app: "linkerd-gateway" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "linkerd-gateway" } },
        template: { metadata: { labels: { app: "linkerd-gateway" }, annotations: { "linkerd.io/inject": "enabled" } }, spec: { serviceAccountName: "linkerd-gateway", containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10" }] } },
      },
    },
    svc("linkerd-gateway", "linkerd-multicluster", { app: "linkerd-gateway" }, [{ name: "mc-gateway", port: 4143 }, { name: "mc-probe", port: 4191 }], { labels: { app: "linkerd-gateway" }, type: "LoadBalancer", lbIp: "198.51.100.30" }),
  ];
  const ev = "emojivoto";
  const image = (n: string): string => `registry.example.com/emojivoto/${n}:v11`;
  const inject = { "linkerd.io/inject": "enabled" };
  const apps: KubeObject[] = [
    ns(ev, {}, inject),
    ...["emoji", "voting", "web", "vote-bot"].map((n) => sa(n, ev)),
    svc("emoji-svc", ev, { app: "emoji-svc" }, [{ name: "grpc", port: 8080, appProtocol: "grpc" }, { name: "prom", port: 8801 }]),
    svc("voting-svc", ev, { app: "voting-svc" }, [{ name: "grpc", port: 8080, appProtocol: "grpc" }, { name: "prom", port: 8801 }]),
    svc("web-svc", ev, { app: "web-svc" }, [{ name: "http", port: 80, targetPort: 8080 }]),
    svc("web-svc-canary", ev, { app: "web-svc", version: "v2" }, [{ name: "http", port: 80, targetPort: 8080 }]),
    ...app({ name: "emoji", namespace: ev, labels: { app: "emoji-svc", version: "v11" }, serviceAccount: "emoji", image: image("emoji-svc"), ports: [8080, 8801], templateAnnotations: inject }, "linkerd"),
    ...app({ name: "voting", namespace: ev, labels: { app: "voting-svc", version: "v11" }, serviceAccount: "voting", image: image("voting-svc"), ports: [8080, 8801], templateAnnotations: inject }, "linkerd"),
    ...app({ name: "web", namespace: ev, labels: { app: "web-svc", version: "v1" }, serviceAccount: "web", image: image("web"), ports: [8080], templateAnnotations: inject }, "linkerd", 2),
    ...app({ name: "web-v2", namespace: ev, labels: { app: "web-svc", version: "v2" }, serviceAccount: "web", image: image("web"), ports: [8080], templateAnnotations: inject }, "linkerd"),
    ...app({ name: "vote-bot", namespace: ev, labels: { app: "vote-bot", version: "v11" }, serviceAccount: "vote-bot", image: image("web"), ports: [], templateAnnotations: inject }, "linkerd"),
  ];
  return { controlPlane, apps };
}
