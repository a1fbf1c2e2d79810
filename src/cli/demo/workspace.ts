import { toCanonicalYaml, toCanonicalYamlStream } from "../../codec/canonical.js";
import type { WorkspaceFile } from "../../codec/workspace.js";
import { eastCluster, westCluster } from "./estate.js";

const CLUSTERS = `# Registered clusters. clusterDomain drives the fully qualified hosts meshhub writes.
apiVersion: discovery.meshhub.io/v1alpha1
kind: KubernetesCluster
metadata:
  name: east
  namespace: meshhub
spec:
  clusterDomain: cluster.local
  context: kind-east
  region: eu-west-1
---
apiVersion: discovery.meshhub.io/v1alpha1
kind: KubernetesCluster
metadata:
  name: west
  namespace: meshhub
spec:
  clusterDomain: cluster.local
  context: kind-west
  region: us-west-2
`;

const VIRTUAL_MESH = `# One VirtualMesh over both clusters: a shared root, federation, and deny-by-default access.
apiVersion: networking.meshhub.io/v1alpha1
kind: VirtualMesh
metadata:
  name: demo
  namespace: meshhub
spec:
  meshes:
  - name: istiod-istio-system-east
    namespace: meshhub
  - name: linkerd-destination-linkerd-west
    namespace: meshhub
  mtlsConfig:
    autoRestartPods: true
    shared:
      rootCertificateAuthority:
        generated:
          ttlDays: 730
          keyAlgorithm: ECDSA-P256
          orgName: meshhub-demo
  federation:
    permissive: {}
  globalAccessPolicy: ENABLED
`;

const SHOP_TRAFFIC = `# Traffic policies for the shop on the Istio cluster (east).
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: reviews-split
  namespace: meshhub
  creationTimestamp: "2026-01-10T09:00:00Z"
spec:
  destinationSelector:
  - kubeServiceRefs:
      services:
      - name: reviews
        namespace: shop
        clusterName: east
  policy:
    trafficShift:
      destinations:
      - kubeService: {name: reviews, namespace: shop, clusterName: east, subset: {version: v1}}
        weight: 80
      - kubeService: {name: reviews, namespace: shop, clusterName: east, subset: {version: v2}}
        weight: 20
---
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: reviews-canary-testers
  namespace: meshhub
  creationTimestamp: "2026-01-12T09:00:00Z"
spec:
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: reviews, namespace: shop, clusterName: east}
  httpRequestMatchers:
  - prefix: /reviews
    headers:
    - name: x-canary
      value: "true"
  policy:
    trafficShift:
      destinations:
      - kubeService: {name: reviews, namespace: shop, clusterName: east, subset: {version: v3}}
        weight: 100
    requestTimeout: 3s
---
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: reviews-outlier
  namespace: meshhub
spec:
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: reviews, namespace: shop, clusterName: east}
  policy:
    outlierDetection:
      consecutiveErrors: 3
      interval: 5s
      baseEjectionTime: 1m
---
# Gloo Mesh v1 manifests load unchanged: this one uses its apiVersion.
apiVersion: networking.mesh.gloo.solo.io/v1
kind: TrafficPolicy
metadata:
  name: ratings-resilience
  namespace: meshhub
  creationTimestamp: "2026-02-01T09:00:00Z"
spec:
  destinationSelector:
  - kubeServiceMatcher:
      labels:
        app: ratings
      clusters:
      - east
  policy:
    requestTimeout: 2s
    retries:
      attempts: 3
      perTryTimeout: 500ms
      retryOn: 5xx,gateway-error,connect-failure
---
# Set later by another team: its timeout conflicts with ratings-resilience, which is older and wins.
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: ratings-slow-clients
  namespace: meshhub
  creationTimestamp: "2026-03-15T09:00:00Z"
spec:
  destinationSelector:
  - kubeServiceMatcher:
      labels:
        app: ratings
  policy:
    requestTimeout: 10s
---
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: catalog-chaos-for-frontend
  namespace: meshhub
spec:
  sourceSelector:
  - kubeWorkloadMatcher:
      labels:
        app: frontend
      namespaces:
      - shop
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: catalog, namespace: shop, clusterName: east}
  policy:
    faultInjection:
      abort:
        httpStatus: 503
      percentage: 5
    headerManipulation:
      appendRequestHeaders:
        x-chaos: catalog-abort
`;

const VOTING_TRAFFIC = `# Traffic policies for the voting app on the Linkerd cluster (west).
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: web-resilience
  namespace: meshhub
spec:
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: web-svc, namespace: emojivoto, clusterName: west}
  policy:
    requestTimeout: 1.5s
    retries:
      attempts: 2
      perTryTimeout: 500ms
      retryOn: 5xx
    headerManipulation:
      appendRequestHeaders:
        x-served-by: meshhub
---
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: web-api-canary
  namespace: meshhub
spec:
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: web-svc, namespace: emojivoto, clusterName: west}
  httpRequestMatchers:
  - prefix: /api
  policy:
    trafficShift:
      destinations:
      - kubeService: {name: web-svc, namespace: emojivoto, clusterName: west}
        weight: 90
      - kubeService: {name: web-svc-canary, namespace: emojivoto, clusterName: west}
        weight: 10
---
# Linkerd has no CORS filter: this policy is reported INVALID for web-svc with the reason, not dropped silently.
apiVersion: networking.meshhub.io/v1alpha1
kind: TrafficPolicy
metadata:
  name: web-cors
  namespace: meshhub
spec:
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: web-svc, namespace: emojivoto, clusterName: west}
  policy:
    corsPolicy:
      allowOrigins:
      - exact: https://vote.example.com
      allowMethods: [GET, POST]
`;

const ACCESS = `# Who may call whom. With globalAccessPolicy ENABLED everything else is denied.
apiVersion: networking.meshhub.io/v1alpha1
kind: AccessPolicy
metadata:
  name: frontend-to-shop
  namespace: meshhub
spec:
  sourceSelector:
  - kubeServiceAccountRefs:
      serviceAccounts:
      - {name: shop-frontend, namespace: shop, clusterName: east}
  destinationSelector:
  - kubeServiceMatcher:
      labels: {app: catalog}
      namespaces: [shop]
  - kubeServiceMatcher:
      labels: {app: reviews}
      namespaces: [shop]
  allowedMethods: [GET, HEAD]
---
apiVersion: networking.meshhub.io/v1alpha1
kind: AccessPolicy
metadata:
  name: reviews-to-ratings
  namespace: meshhub
spec:
  sourceSelector:
  - kubeServiceAccountRefs:
      serviceAccounts:
      - {name: shop-reviews, namespace: shop, clusterName: east}
  destinationSelector:
  - kubeServiceRefs:
      services:
      - {name: ratings, namespace: shop, clusterName: east}
  allowedPaths: [/ratings*]
---
apiVersion: networking.meshhub.io/v1alpha1
kind: AccessPolicy
metadata:
  name: web-to-backends
  namespace: meshhub
spec:
  sourceSelector:
  - kubeServiceAccountRefs:
      serviceAccounts:
      - {name: web, namespace: emojivoto, clusterName: west}
  destinationSelector:
  - kubeServiceMatcher:
      namespaces: [emojivoto]
      labels: {app: emoji-svc}
  - kubeServiceMatcher:
      namespaces: [emojivoto]
      labels: {app: voting-svc}
  allowedPorts: [8080]
`;

/**
 * The bundled example workspace: two clusters (Istio on `east`, Linkerd on `west`), a VirtualMesh over both and
 * a realistic set of policies, including one conflict and one feature Linkerd cannot express.
 */
export function demoWorkspaceFiles(): WorkspaceFile[] {
  const east = eastCluster();
  const west = westCluster();
  // The control planes are written as a `kind: List`, the shape `kubectl get -A -o yaml` produces.
  const asList = (items: readonly unknown[]): string => toCanonicalYaml({ apiVersion: "v1", kind: "List", items });
  return [
    { path: "clusters.yaml", content: CLUSTERS },
    { path: "clusters/east/istio-system.yaml", content: asList(east.controlPlane) },
    { path: "clusters/east/shop.yaml", content: toCanonicalYamlStream(east.apps) },
    { path: "clusters/west/linkerd.yaml", content: asList(west.controlPlane) },
    { path: "clusters/west/emojivoto.yaml", content: toCanonicalYamlStream(west.apps) },
    { path: "policies/virtual-mesh.yaml", content: VIRTUAL_MESH },
    { path: "policies/shop-traffic.yaml", content: SHOP_TRAFFIC },
    { path: "policies/voting-traffic.yaml", content: VOTING_TRAFFIC },
    { path: "policies/access.yaml", content: ACCESS },
  ];
}
