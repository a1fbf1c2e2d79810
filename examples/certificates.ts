/**
 * Shared trust, offline: plan certificates for one VirtualMesh over an Istio and a Linkerd mesh, sign them locally
 * (WebCrypto) and print what would be written — public certificates only. Run: `npx tsx examples/certificates.ts`.
 *
 * The plan is plain JSON without keys (safe to print); the Secret manifests carry private keys and are only counted.
 */
import { planCertificates, VirtualMesh, type Mesh } from "meshhub";
import { issueForPlan } from "meshhub/trust";

const installation = (cluster: string, namespace: string) => ({ namespace, cluster, version: "1.29.6", podLabels: { app: "istiod" } });
const istio: Mesh = {
  apiVersion: "discovery.meshhub.io/v1alpha1",
  kind: "Mesh",
  metadata: { name: "istiod-istio-system-east", namespace: "meshhub" },
  spec: { istio: { installation: installation("east", "istio-system"), trustDomain: "cluster.local", istiodServiceAccount: "istiod", ingressGateways: [], eastWestGateways: [] } },
};
const linkerd: Mesh = {
  apiVersion: "discovery.meshhub.io/v1alpha1",
  kind: "Mesh",
  metadata: { name: "linkerd-linkerd-west", namespace: "meshhub" },
  spec: { linkerd: { installation: { ...installation("west", "linkerd"), version: "edge-26.8.3", podLabels: {} }, clusterDomain: "cluster.local", trustDomain: "cluster.local", version: "edge-26.8.3", trustAnchors: [] } },
};
const virtualMesh = VirtualMesh.parse({
  apiVersion: "networking.meshhub.io/v1alpha1",
  kind: "VirtualMesh",
  metadata: { name: "shared", namespace: "meshhub" },
  spec: {
    meshes: [istio.metadata, linkerd.metadata].map((m) => ({ name: m.name, namespace: m.namespace })),
    mtlsConfig: { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P256" } } }, autoRestartPods: true },
  },
});

const plan = planCertificates({ virtualMeshes: [{ virtualMesh, meshes: [istio, linkerd] }], now: new Date(), keyGeneration: "local" });
console.log(JSON.stringify(plan, null, 2));

const result = await issueForPlan(plan, globalThis.crypto);
for (const c of result.certificates) console.log(`${c.role.padEnd(24)} ${c.subject}  sha256:${c.fingerprintSha256.slice(0, 16)}…  until ${c.notAfter}`);
for (const p of result.problems) console.log(`problem: ${p.message}`);
console.log(`${result.manifests.length} manifests (${result.manifests.filter((m) => m.metadata.annotations?.["meshhub.io/contains-private-key"] === "true").length} hold private keys: write them only on purpose)`);
