import { describe, expect, it } from "vitest";
import { discover } from "../src/discovery/index.js";
import type { Discovery } from "../src/discovery/types.js";
import { KubernetesCluster, Mesh, MeshService, MeshWorkload } from "../src/model/discovery.js";
import { formatDiscoveryTable } from "../src/cli/discover-table.js";
import { loadFixtureSnapshots, skipWithoutFixtures } from "./helpers/discovery-fixtures.js";

const skip = skipWithoutFixtures("discovery fixture tests");

describe.skipIf(skip)("discovery on the shared fixtures (cluster1 Istio + bookinfo, cluster2 Linkerd + emojivoto)", () => {
  const d: Discovery = skip ? (undefined as never) : discover(loadFixtureSnapshots());

  it("reports no diagnostics", () => {
    expect(d.diagnostics).toEqual([]);
  });

  it("registers both clusters with default domains", () => {
    expect(d.clusters.map((c) => [c.metadata.name, c.metadata.namespace, c.spec.clusterDomain, c.apiVersion])).toEqual([
      ["cluster1", "meshhub", "cluster.local", "discovery.meshhub.io/v1alpha1"],
      ["cluster2", "meshhub", "cluster.local", "discovery.meshhub.io/v1alpha1"],
    ]);
  });

  it("finds exactly one Istio and one Linkerd mesh", () => {
    expect(d.meshes.map((m) => m.metadata.name)).toEqual(["istiod-istio-system-cluster1", "linkerd-destination-linkerd-cluster2"]);
    for (const m of d.meshes) expect(m.metadata.namespace).toBe("meshhub");
  });

  it("reads the Istio mesh: version, trust domain, meshID, network, cluster ID, istiod SA, pod labels", () => {
    const m = d.meshes[0] as Mesh;
    if (!("istio" in m.spec)) throw new Error("expected an Istio mesh");
    const s = m.spec.istio;
    expect(s.installation).toEqual({ namespace: "istio-system", cluster: "cluster1", version: "1.29.6", podLabels: { istio: "pilot" }, image: "docker.io/istio/pilot:1.29.6" });
    expect(s.installation.revision).toBeUndefined();
    expect(s.trustDomain).toBe("cluster.local");
    expect(s.meshId).toBe("mesh1");
    expect(s.network).toBe("network1");
    expect(s.clusterId).toBe("cluster1");
    expect(s.istiodServiceAccount).toBe("istiod");
    expect(s.smartDnsProxyingEnabled).toBe(false);
    expect(s.caCertificates).toBeUndefined();
    expect(m.metadata.labels).toEqual({ "discovery.meshhub.io/cluster": "cluster1", "app.kubernetes.io/managed-by": "meshhub" });
  });

  it("reads the Istio ingress and east-west gateways with addresses and the tls port", () => {
    const m = d.meshes[0] as Mesh;
    if (!("istio" in m.spec)) throw new Error("expected an Istio mesh");
    const [ingress] = m.spec.istio.ingressGateways;
    expect(m.spec.istio.ingressGateways).toHaveLength(1);
    expect(ingress).toMatchObject({ name: "istio-ingressgateway", namespace: "istio-system", externalAddress: "203.0.113.10", serviceType: "LoadBalancer", workloadLabels: { app: "istio-ingressgateway", istio: "ingressgateway" } });
    expect(ingress?.ports.map((p) => p.port)).toEqual([15021, 80, 443]);
    const [eastWest] = m.spec.istio.eastWestGateways;
    expect(m.spec.istio.eastWestGateways).toHaveLength(1);
    expect(eastWest).toMatchObject({ name: "istio-eastwestgateway", externalAddress: "203.0.113.20", externalTlsPort: 15443, tlsContainerPort: 15443, serviceType: "LoadBalancer" });
    expect(eastWest?.ports.map((p) => p.name)).toEqual(["status-port", "tls", "tls-istiod", "tls-webhook"]);
  });

  it("reads the Linkerd mesh: edge-26.8.3, trust domain, one trust anchor with DER and PEM fingerprints", () => {
    const m = d.meshes[1] as Mesh;
    if (!("linkerd" in m.spec)) throw new Error("expected a Linkerd mesh");
    const s = m.spec.linkerd;
    expect(s.version).toBe("edge-26.8.3");
    expect(s.installation).toMatchObject({ namespace: "linkerd", cluster: "cluster2", version: "edge-26.8.3", image: "cr.l5d.io/linkerd/controller:edge-26.8.3" });
    expect(s.installation.podLabels).toEqual({ "linkerd.io/control-plane-component": "destination", "linkerd.io/control-plane-ns": "linkerd", "linkerd.io/proxy-deployment": "linkerd-destination" });
    expect(s.trustDomain).toBe("cluster.local");
    expect(s.clusterDomain).toBe("cluster.local");
    expect(s.trustAnchors).toHaveLength(1);
    const anchor = s.trustAnchors[0];
    // DER fingerprint (openssl x509 -fingerprint -sha256), not the pod annotation's PEM hash
    expect(anchor?.fingerprintSha256).toBe("946daad71e4bf3360abe98d657bc422e7c3ffcbde7c5be380d7dcdb8b823814d");
    // fixtures/README.md: the pods' linkerd.io/trust-root-sha256 annotation is over the PEM plus a trailing newline
    expect(anchor?.pemSha256).toBe("8dc603abd4e755c25c94da05abbf29b9b283a784733651020d72f97ca8ab98e4");
    expect(anchor?.subject).toBe("CN=identity.linkerd.cluster.local");
    expect(anchor?.notBefore).toBe("2020-08-28T07:12:47Z");
    expect(anchor?.notAfter?.startsWith("2030-08-26")).toBe(true);
    expect(anchor?.pem).toContain("-----BEGIN CERTIFICATE-----");
    expect(s.multiclusterGateway).toBeUndefined();
  });

  it("the pods' trust-root annotation matches the recorded anchor's pemSha256", () => {
    const snapshots = loadFixtureSnapshots();
    const annotations = new Set(
      (snapshots[1]?.objects ?? []).filter((o) => o.kind === "Pod").map((o) => o.metadata.annotations?.["linkerd.io/trust-root-sha256"]),
    );
    const m = d.meshes[1] as Mesh;
    if (!("linkerd" in m.spec)) throw new Error("expected a Linkerd mesh");
    expect([...annotations]).toEqual([m.spec.linkerd.trustAnchors[0]?.pemSha256]);
  });

  it("finds the 6 bookinfo workloads and the 4 emojivoto workloads (vote-bot included), not gateways or control planes", () => {
    expect(d.workloads.map((w) => w.metadata.name)).toEqual([
      "details-v1-default-cluster1-deployment",
      "productpage-v1-default-cluster1-deployment",
      "ratings-v1-default-cluster1-deployment",
      "reviews-v1-default-cluster1-deployment",
      "reviews-v2-default-cluster1-deployment",
      "reviews-v3-default-cluster1-deployment",
      "emoji-emojivoto-cluster2-deployment",
      "vote-bot-emojivoto-cluster2-deployment",
      "voting-emojivoto-cluster2-deployment",
      "web-emojivoto-cluster2-deployment",
    ]);
    const reviews = d.workloads.find((w) => w.spec.kubernetes.controller.name === "reviews-v2");
    expect(reviews?.spec).toEqual({
      kubernetes: {
        controller: { kind: "Deployment", name: "reviews-v2", namespace: "default", clusterName: "cluster1" },
        podLabels: { app: "reviews", version: "v2" },
        serviceAccountName: "bookinfo-reviews",
      },
      mesh: { name: "istiod-istio-system-cluster1", namespace: "meshhub" },
    });
    const voteBot = d.workloads.find((w) => w.spec.kubernetes.controller.name === "vote-bot");
    expect(voteBot?.spec.mesh.name).toBe("linkerd-destination-linkerd-cluster2");
    expect(voteBot?.spec.kubernetes.serviceAccountName).toBe("default");
  });

  it("finds the mesh services with ports and subsets", () => {
    expect(d.services.map((s) => s.metadata.name)).toEqual([
      "details-default-cluster1",
      "productpage-default-cluster1",
      "ratings-default-cluster1",
      "reviews-default-cluster1",
      "emoji-svc-emojivoto-cluster2",
      "voting-svc-emojivoto-cluster2",
      "web-svc-emojivoto-cluster2",
    ]);
    const reviews = d.services.find((s) => s.spec.kubeService.ref.name === "reviews");
    expect(reviews?.spec.kubeService.subsets).toEqual({ version: { values: ["v1", "v2", "v3"] } });
    expect(reviews?.spec.kubeService.ports).toEqual([{ name: "http", port: 9080, protocol: "TCP" }]);
    expect(reviews?.spec.kubeService.workloadSelectorLabels).toEqual({ app: "reviews" });
    expect(reviews?.spec.kubeService.headless).toBe(false);
    expect(reviews?.spec.mesh).toEqual({ name: "istiod-istio-system-cluster1", namespace: "meshhub" });
    const details = d.services.find((s) => s.spec.kubeService.ref.name === "details");
    expect(details?.spec.kubeService.subsets).toEqual({});
    const web = d.services.find((s) => s.spec.kubeService.ref.name === "web-svc");
    expect(web?.spec.kubeService.ports).toEqual([{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }]);
    expect(web?.spec.mesh.name).toBe("linkerd-destination-linkerd-cluster2");
  });

  it("indexes the Istio Gateway already on cluster1 as foreign config", () => {
    expect(d.foreignConfig).toEqual([
      { cluster: "cluster1", apiVersion: "networking.istio.io/v1", kind: "Gateway", namespace: "istio-system", name: "cross-network-gateway", hosts: [], services: [] },
    ]);
  });

  it("every discovered object validates against the model schemas", () => {
    for (const c of d.clusters) expect(KubernetesCluster.safeParse(c).error).toBeUndefined();
    for (const m of d.meshes) expect(Mesh.safeParse(m).error).toBeUndefined();
    for (const w of d.workloads) expect(MeshWorkload.safeParse(w).error).toBeUndefined();
    for (const s of d.services) expect(MeshService.safeParse(s).error).toBeUndefined();
  });

  it("formats a per-cluster table", () => {
    const text = formatDiscoveryTable(d);
    expect(text).not.toMatch(/\u001b\[/);
    expect(text).toContain("CLUSTER cluster1 (domain cluster.local)");
    expect(text).toContain("CLUSTER cluster2 (domain cluster.local)");
    expect(text).toMatch(/istiod-istio-system-cluster1\s+istio\s+1\.29\.6\s+istio-system\s+cluster\.local\s+ingress istio-system\/istio-ingressgateway 203\.0\.113\.10, east-west istio-system\/istio-eastwestgateway 203\.0\.113\.20:15443/);
    expect(text).toMatch(/linkerd-destination-linkerd-cluster2\s+linkerd\s+edge-26\.8\.3\s+linkerd\s+cluster\.local\s+-/);
    expect(text).toMatch(/default\/reviews\s+9080\/http\s+version=v1\|v2\|v3/);
    expect(text).toMatch(/emojivoto\/vote-bot\s+Deployment\s+linkerd-destination-linkerd-cluster2\s+default/);
    // columns align: every row of the workloads table of cluster1 starts its KIND column at the same offset
    const rows = text.split("\n").filter((l) => /^\s+default\/\S+\s+Deployment/.test(l));
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.indexOf("Deployment"))).size).toBe(1);
  });
});
