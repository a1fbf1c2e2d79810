/**
 * Load policies written for Gloo Mesh and see meshhub's precise errors for the broken ones.
 * Run: npx tsx examples/validate-policies.ts
 */
import { formatInputError, loadResources, parseDocuments } from "meshhub";

const manifests = `
apiVersion: networking.mesh.gloo.solo.io/v1
kind: TrafficPolicy
metadata: {name: petstore, namespace: gloo-mesh}
spec:
  destinationSelector:
  - kubeServiceRefs:
      services: [{name: petstore, namespace: default, clusterName: cluster-1}]
  policy:
    requestTimeout: 100ms
    retries: {attempts: 5, perTryTimeout: 5ms}
---
# Written against an older API shape: actions at the spec level.
apiVersion: networking.mesh.gloo.solo.io/v1
kind: TrafficPolicy
metadata: {name: legacy, namespace: gloo-mesh}
spec:
  requestTimeout: 100ms
---
apiVersion: networking.mesh.gloo.solo.io/v1
kind: AccessPolicy
metadata: {name: typo, namespace: gloo-mesh}
spec:
  allowedMethod: [GET]
`;

const parsed = parseDocuments(manifests, "gloo-policies.yaml");
const { resources, errors } = loadResources(parsed.documents);
console.log(`loaded: ${resources.trafficPolicies.map((p) => p.metadata.name).join(", ")}`);
for (const e of [...parsed.errors, ...errors]) console.log(`error: ${formatInputError(e)}`);
