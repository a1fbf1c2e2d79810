/**
 * Discover a tiny two-cluster estate from raw objects built in code, then translate one TrafficPolicy and one
 * AccessPolicy for both Istio and Linkerd. Run: npx tsx examples/translate-in-code.ts
 */
import * as E from "fp-ts/lib/Either.js";
import { discover, formatInputError, loadResources, parseDocuments, toCanonicalYamlStream, translate, type ClusterSnapshot, type KubeObject } from "meshhub";

// A meshed app: Deployment + ReplicaSet + Pod (with the proxy as a native sidecar) + Service.
function meshedApp(name: string, namespace: string, proxy: "istio" | "linkerd", port: number): KubeObject[] {
  const labels = { app: name, version: "v1" };
  const sidecar =
    proxy === "istio"
      ? { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.29.6", restartPolicy: "Always" }
      : { name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:edge-26.8.3", restartPolicy: "Always" };
  return [
    { apiVersion: "v1", kind: "Service", metadata: { name, namespace, labels: { app: name } }, spec: { selector: { app: name }, ports: [{ name: "http", port, targetPort: port, protocol: "TCP" }] } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `${name}-v1`, namespace }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [{ name, image: `example/${name}:1` }] } } } },
    { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: `${name}-v1-abc`, namespace, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: `${name}-v1`, controller: true, uid: "1" }] }, spec: { selector: { matchLabels: labels } } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: `${name}-v1-abc-x1`, namespace, labels, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-v1-abc`, controller: true, uid: "2" }] }, spec: { serviceAccountName: name, initContainers: [sidecar], containers: [{ name, image: `example/${name}:1` }] } },
  ];
}

const istioControlPlane: KubeObject[] = [
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: "istio-system" }, data: { mesh: "trustDomain: payments.example\n" } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "istiod", namespace: "istio-system", labels: { app: "istiod" } }, spec: { selector: { matchLabels: { app: "istiod" } }, template: { metadata: { labels: { app: "istiod" } }, spec: { serviceAccountName: "istiod", containers: [{ name: "discovery", image: "docker.io/istio/pilot:1.29.6" }] } } } },
];
const linkerdControlPlane: KubeObject[] = [
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "linkerd-config", namespace: "linkerd" }, data: { values: "identityTrustDomain: web.example\nclusterDomain: cluster.local\n" } },
  ...["linkerd-destination", "linkerd-identity"].map((name): KubeObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "linkerd" }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "controller", image: "cr.l5d.io/linkerd/controller:edge-26.8.3" }] } } } })),
];

const snapshots: ClusterSnapshot[] = [
  { cluster: "payments", objects: [...istioControlPlane, ...meshedApp("ledger", "pay", "istio", 8080), ...meshedApp("checkout", "pay", "istio", 8080)] },
  { cluster: "web", objects: [...linkerdControlPlane, ...meshedApp("storefront", "shop", "linkerd", 8080), ...meshedApp("cart", "shop", "linkerd", 8080)] },
];

const policies = `
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata: {name: resilient, namespace: meshhub}
spec:
  policy:
    requestTimeout: 2s
    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: 5xx}
---
apiVersion: networking.meshhub.io/v1alpha1
kind: AccessPolicy
metadata: {name: checkout-to-ledger, namespace: meshhub}
spec:
  sourceSelector:
  - kubeServiceAccountRefs:
      serviceAccounts: [{name: checkout, namespace: pay, clusterName: payments}]
  destinationSelector:
  - kubeServiceRefs:
      services: [{name: ledger, namespace: pay, clusterName: payments}]
  allowedMethods: [POST]
`;

const parsed = parseDocuments(policies, "policies.yaml");
const loaded = loadResources(parsed.documents);
const errors = [...parsed.errors, ...loaded.errors];
if (errors.length > 0) {
  for (const e of errors) console.error(formatInputError(e));
  process.exit(1);
}

const discovery = discover(snapshots);
const result = translate({ discovery, trafficPolicies: loaded.resources.trafficPolicies, accessPolicies: loaded.resources.accessPolicies });
for (const [cluster, manifests] of Object.entries(result.clusters) as [string, KubeObject[]][]) {
  console.log(`# ===== cluster ${cluster} (${manifests.length} objects)`);
  console.log(toCanonicalYamlStream(manifests));
}
console.log("# statuses");
console.log(JSON.stringify(result.statuses, null, 2));
// Keep E referenced for readers who copy this: errors are values everywhere in meshhub.
void E;
