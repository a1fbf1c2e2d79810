import { describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/codec/canonical.js";
import { formatDiscoveryTable } from "../src/cli/discover-table.js";
import { discover } from "../src/discovery/index.js";
import { discoveredName } from "../src/discovery/naming.js";
import { parseImageRef } from "../src/discovery/images.js";
import type { Diagnostic, Discovery } from "../src/discovery/types.js";
import { compareIstioVersions, compareLinkerdVersions, edgeToStable, istioAtLeast, linkerdAtLeast, parseIstioVersion, parseLinkerdVersion } from "../src/discovery/versions.js";
import type { KubernetesCluster, Mesh, MeshGateway } from "../src/model/discovery.js";
import { Mesh as MeshSchema, MeshService as MeshServiceSchema, MeshWorkload as MeshWorkloadSchema } from "../src/model/discovery.js";
import {
  configMap,
  controller,
  deployment,
  deploymentPod,
  istioProxy,
  istiod,
  linkerdControlPlane,
  linkerdProxy,
  meshConfig,
  namespace,
  node,
  pod,
  secret,
  service,
  snapshot,
} from "./helpers/discovery-fixtures.js";

const MESH = "trustDomain: cluster.local\ndefaultConfig:\n  meshId: mesh1\n";

function istioSpec(m: Mesh | undefined) {
  if (!m || !("istio" in m.spec)) throw new Error("expected an Istio mesh");
  return m.spec.istio;
}
function linkerdSpec(m: Mesh | undefined) {
  if (!m || !("linkerd" in m.spec)) throw new Error("expected a Linkerd mesh");
  return m.spec.linkerd;
}
function workloadMeshes(d: Discovery): Record<string, string> {
  return Object.fromEntries(d.workloads.map((w) => [`${w.spec.kubernetes.controller.namespace}/${w.spec.kubernetes.controller.name}`, w.spec.mesh.name]));
}
function findDiag(d: Discovery, pred: (x: Diagnostic) => boolean): Diagnostic | undefined {
  return d.diagnostics.find(pred);
}
function validateAll(d: Discovery): void {
  for (const m of d.meshes) expect(MeshSchema.safeParse(m).error).toBeUndefined();
  for (const w of d.workloads) expect(MeshWorkloadSchema.safeParse(w).error).toBeUndefined();
  for (const s of d.services) expect(MeshServiceSchema.safeParse(s).error).toBeUndefined();
}

/** A minimal Istio cluster: istiod + mesh config + one meshed app `web` in `apps`. */
function istioBasics(): unknown[] {
  return [
    namespace("istio-system", { "topology.istio.io/network": "net-a" }),
    istiod("istio-system"),
    meshConfig("istio-system", MESH),
    namespace("apps", { "istio-injection": "enabled" }),
    deployment("apps", "web", { labels: { app: "web", version: "v1" }, serviceAccountName: "web" }),
    deploymentPod("apps", "web", { labels: { app: "web", version: "v1" }, initContainers: [istioProxy()] }),
    service("apps", "web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] }),
  ];
}

// ---- Istio -----------------------------------------------------------------------------------------

describe("Istio mesh detection", () => {
  it("reads trust domain, mesh ID, DNS capture, network from the namespace label and the cluster ID from istiod", () => {
    const d = discover([
      snapshot("c1", [
        namespace("istio-system", { "topology.istio.io/network": "net-a" }),
        istiod("istio-system", { env: { CLUSTER_ID: "c1-id", NETWORK: "ignored-env" } }),
        meshConfig("istio-system", "trustDomain: example.org\ndefaultConfig:\n  meshId: m9\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: \"true\"\n"),
      ]),
    ]);
    const s = istioSpec(d.meshes[0]);
    expect(d.meshes[0]?.metadata.name).toBe("istiod-istio-system-c1");
    expect(s).toMatchObject({ trustDomain: "example.org", meshId: "m9", smartDnsProxyingEnabled: true, network: "net-a", clusterId: "c1-id", istiodServiceAccount: "istiod" });
    expect(d.diagnostics).toEqual([]);
  });

  it("takes the network from istiod's NETWORK env when the namespace has no label; trust domain defaults to cluster.local", () => {
    const d = discover([snapshot("c1", [namespace("istio-system"), istiod("istio-system", { env: { NETWORK: "net-env" } }), meshConfig("istio-system", "defaultConfig: {}\n")])]);
    expect(istioSpec(d.meshes[0])).toMatchObject({ network: "net-env", trustDomain: "cluster.local" });
  });

  it("accepts the legacy istio-pilot Deployment", () => {
    const legacy = istiod("istio-system", { image: "docker.io/istio/pilot:1.5.10" });
    legacy.metadata.name = "istio-pilot";
    const d = discover([snapshot("c1", [legacy, meshConfig("istio-system", MESH)])]);
    expect(d.meshes.map((m) => m.metadata.name)).toEqual(["istio-pilot-istio-system-c1"]);
    expect(istioSpec(d.meshes[0]).installation.version).toBe("1.5.10");
  });

  it("ignores a Deployment named istiod that does not run pilot, with a warning", () => {
    const fake = deployment("istio-system", "istiod", { containers: [{ name: "x", image: "nginx:1.27" }] });
    const d = discover([snapshot("c1", [fake])]);
    expect(d.meshes).toEqual([]);
    expect(findDiag(d, (x) => x.kind === "Deployment" && x.name === "istiod" && /no pilot image/.test(x.message))?.severity).toBe("warning");
  });

  it("warns when the mesh ConfigMap is missing and still discovers the mesh", () => {
    const d = discover([snapshot("c1", [istiod("istio-system")])]);
    expect(istioSpec(d.meshes[0]).trustDomain).toBe("cluster.local");
    expect(findDiag(d, (x) => x.name === "istiod" && /istio-system\/istio not found/.test(x.message))?.severity).toBe("warning");
  });

  it("records the plugged-in CA from cacerts (root and CA certificates) and never the private key", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics(),
        secret("istio-system", "cacerts", {
          "root-cert.pem": Buffer.from(ROOT_PEM).toString("base64"),
          "ca-cert.pem": Buffer.from(CA_PEM).toString("base64"),
          "cert-chain.pem": Buffer.from(CA_PEM + ROOT_PEM).toString("base64"),
          "ca-key.pem": Buffer.from(FAKE_KEY).toString("base64"),
        }),
      ]),
    ]);
    const ca = istioSpec(d.meshes[0]).caCertificates ?? [];
    expect(ca.map((c) => [c.source, c.subject, c.fingerprintSha256])).toEqual([
      ["Secret istio-system/cacerts root-cert.pem", "O=meshhub test, CN=root.meshhub.test", ROOT_FP],
      ["Secret istio-system/cacerts ca-cert.pem", "CN=intermediate.meshhub.test", CA_FP],
      ["Secret istio-system/cacerts cert-chain.pem", "CN=intermediate.meshhub.test", CA_FP],
      ["Secret istio-system/cacerts cert-chain.pem", "O=meshhub test, CN=root.meshhub.test", ROOT_FP],
    ]);
    expect(ca[0]?.notAfter).toBe("2036-11-23T13:26:50Z");
    expect(ca[1]?.notAfter).toBe("2031-11-25T13:26:50Z");
    const json = toCanonicalJson(d);
    expect(json).not.toContain("PRIVATE KEY");
    expect(json).not.toContain(Buffer.from(FAKE_KEY).toString("base64"));
    expect(json).not.toContain("NOTAREALKEY");
  });
});

describe("Istio revisions", () => {
  function revisions(): Discovery {
    return discover([
      snapshot("c1", [
        namespace("istio-system"),
        istiod("istio-system", { revision: "1-28", image: "docker.io/istio/pilot:1.28.3" }),
        istiod("istio-system", { revision: "1-29", image: "docker.io/istio/pilot:1.29.6" }),
        meshConfig("istio-system", "trustDomain: old.example\n", "1-28"),
        meshConfig("istio-system", "trustDomain: new.example\n", "1-29"),
        namespace("old", { "istio.io/rev": "1-28" }),
        namespace("new", { "istio.io/rev": "1-29" }),
        deployment("old", "a", { labels: { app: "a" } }),
        deploymentPod("old", "a", { labels: { app: "a" }, annotations: { "istio.io/rev": "1-28" }, initContainers: [istioProxy("1.28.3")] }),
        deployment("new", "b", { labels: { app: "b" } }),
        deploymentPod("new", "b", { labels: { app: "b", "istio.io/rev": "1-29" }, initContainers: [istioProxy("1.29.6")] }),
        // scaled to zero: the namespace label decides
        deployment("new", "c", { labels: { app: "c" } }, { replicas: 0 }),
        // scaled to zero in a plain namespace: the template label decides
        namespace("plain"),
        deployment("plain", "d", { labels: { app: "d", "istio.io/rev": "1-28" } }, { replicas: 0 }),
        // a revision nobody serves
        deployment("plain", "e", { labels: { app: "e", "istio.io/rev": "1-30" } }, { replicas: 0 }),
      ]),
    ]);
  }

  it("finds one mesh per revision with its own mesh config", () => {
    const d = revisions();
    expect(d.meshes.map((m) => m.metadata.name)).toEqual(["istiod-1-28-istio-system-c1", "istiod-1-29-istio-system-c1"]);
    expect(d.meshes.map((m) => [istioSpec(m).installation.revision, istioSpec(m).installation.version, istioSpec(m).trustDomain])).toEqual([
      ["1-28", "1.28.3", "old.example"],
      ["1-29", "1.29.6", "new.example"],
    ]);
  });

  it("splits workloads by revision (pod annotation, pod label, namespace label, template label)", () => {
    const d = revisions();
    expect(workloadMeshes(d)).toEqual({
      "new/b": "istiod-1-29-istio-system-c1",
      "new/c": "istiod-1-29-istio-system-c1",
      "old/a": "istiod-1-28-istio-system-c1",
      "plain/d": "istiod-1-28-istio-system-c1",
    });
    const warn = findDiag(d, (x) => x.name === "e" && x.kind === "Deployment");
    expect(warn?.severity).toBe("warning");
    expect(warn?.message).toMatch(/Istio revision 1-30 .* no matching control plane/);
  });

  it("resolves the default revision through a revision tag webhook", () => {
    const tag = { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "istio-revision-tag-default", labels: { "istio.io/tag": "default", "istio.io/rev": "1-29" } } };
    const d = discover([
      snapshot("c1", [
        istiod("istio-system", { revision: "1-28" }),
        istiod("istio-system", { revision: "1-29" }),
        meshConfig("istio-system", MESH, "1-28"),
        meshConfig("istio-system", MESH, "1-29"),
        tag,
        namespace("apps", { "istio-injection": "enabled" }),
        deployment("apps", "web", { labels: { app: "web" } }, { replicas: 0 }),
      ]),
    ]);
    expect(workloadMeshes(d)).toEqual({ "apps/web": "istiod-1-29-istio-system-c1" });
  });

  it("attaches each gateway to the mesh of its revision", () => {
    const gw = (rev: string, name: string, ip: string): unknown[] => [
      deployment("istio-system", name, { labels: { istio: "ingressgateway", app: name, "istio.io/rev": rev }, containers: [{ name: "istio-proxy", image: "auto" }] }),
      service("istio-system", name, { type: "LoadBalancer", selector: { istio: "ingressgateway", app: name }, ports: [{ name: "http2", port: 80, targetPort: 8080 }], lbIngress: { ip } }),
    ];
    const d = discover([
      snapshot("c1", [
        istiod("istio-system", { revision: "1-28" }),
        istiod("istio-system", { revision: "1-29" }),
        meshConfig("istio-system", MESH, "1-28"),
        meshConfig("istio-system", MESH, "1-29"),
        ...gw("1-28", "gw-old", "203.0.113.1"),
        ...gw("1-29", "gw-new", "203.0.113.2"),
      ]),
    ]);
    expect(d.meshes.map((m) => istioSpec(m).ingressGateways.map((g) => `${g.name}@${g.externalAddress}`))).toEqual([["gw-old@203.0.113.1"], ["gw-new@203.0.113.2"]]);
    expect(d.workloads).toEqual([]); // gateways are mesh infrastructure, not workloads
  });
});

// ---- workloads -----------------------------------------------------------------------------------

describe("workload discovery", () => {
  it("handles legacy (non-native) sidecars in containers, for both meshes", () => {
    const d = discover([
      snapshot("c1", [
        istiod("istio-system", { image: "docker.io/istio/pilot:1.20.8" }),
        meshConfig("istio-system", MESH),
        namespace("apps"),
        deployment("apps", "legacy", { labels: { app: "legacy" } }),
        deploymentPod("apps", "legacy", { labels: { app: "legacy" }, containers: [{ name: "app", image: "example.com/app:1" }, istioProxy("1.20.8", false)] }),
      ]),
      snapshot("c2", [
        deployment("linkerd", "linkerd-controller", { containers: [{ name: "public-api", image: "gcr.io/linkerd-io/controller:stable-2.7.1" }] }),
        configMap("linkerd", "linkerd-config", { global: JSON.stringify({ linkerdNamespace: "linkerd", identityContext: { trustDomain: "td.example", trustAnchorsPem: ROOT_PEM }, clusterDomain: "cluster.local" }) }),
        namespace("apps"),
        deployment("apps", "old", { labels: { app: "old" } }),
        deploymentPod("apps", "old", { labels: { app: "old" }, containers: [{ name: "app", image: "example.com/app:1" }, { name: "linkerd-proxy", image: "gcr.io/linkerd-io/proxy:stable-2.7.1" }] }),
      ]),
    ]);
    expect(workloadMeshes(d)).toEqual({ "apps/legacy": "istiod-istio-system-c1", "apps/old": "linkerd-controller-linkerd-c2" });
    const l = linkerdSpec(d.meshes[1]);
    expect(l.version).toBe("stable-2.7.1");
    expect(l.trustDomain).toBe("td.example");
    expect(l.trustAnchors.map((a) => a.fingerprintSha256)).toEqual([ROOT_FP]);
    expect(l.trustAnchors[0]?.source).toBe("ConfigMap linkerd/linkerd-config global.identityContext.trustAnchorsPem");
    validateAll(d);
  });

  it("does not mistake istio-init / linkerd-init (proxy image, no restartPolicy) for a proxy", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics().slice(0, 3),
        namespace("apps"),
        deployment("apps", "x", { labels: { app: "x" } }),
        deploymentPod("apps", "x", { labels: { app: "x" }, initContainers: [{ name: "istio-init", image: "docker.io/istio/proxyv2:1.29.6" }] }),
      ]),
    ]);
    expect(d.workloads).toEqual([]);
  });

  it("discovers a StatefulSet and a DaemonSet whose pods they own directly", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics(),
        controller("StatefulSet", "apps", "db", { labels: { app: "db" }, serviceAccountName: "db" }),
        pod("apps", "db-0", { labels: { app: "db", "statefulset.kubernetes.io/pod-name": "db-0" }, owner: { kind: "StatefulSet", name: "db" }, initContainers: [istioProxy()] }),
        controller("DaemonSet", "apps", "agent", { labels: { app: "agent" } }),
        pod("apps", "agent-x7k2p", { labels: { app: "agent" }, owner: { kind: "DaemonSet", name: "agent" }, initContainers: [istioProxy()] }),
      ]),
    ]);
    expect(d.workloads.map((w) => [w.metadata.name, w.spec.kubernetes.controller.kind, w.spec.kubernetes.serviceAccountName])).toEqual([
      ["agent-apps-c1-daemonset", "DaemonSet", "default"],
      ["db-apps-c1-statefulset", "StatefulSet", "db"],
      ["web-apps-c1-deployment", "Deployment", "web"],
    ]);
    expect(d.workloads[0]?.metadata.labels).toEqual({ "discovery.meshhub.io/cluster": "c1", "app.kubernetes.io/managed-by": "meshhub" });
  });

  it("follows a ReplicaSet in the snapshot to its Deployment", () => {
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "renamed-rs", namespace: "apps", ownerReferences: [{ kind: "Deployment", name: "api", controller: true }] } };
    const d = discover([
      snapshot("c1", [
        ...istioBasics().slice(0, 3),
        namespace("apps"),
        deployment("apps", "api", { labels: { app: "api" } }),
        rs,
        pod("apps", "renamed-rs-abcde", { labels: { app: "api" }, owner: { kind: "ReplicaSet", name: "renamed-rs" }, initContainers: [istioProxy()] }),
      ]),
    ]);
    expect(workloadMeshes(d)).toEqual({ "apps/api": "istiod-istio-system-c1" });
  });

  it("keeps a workload scaled to zero through namespace and template injection settings, honouring opt-outs", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics().slice(0, 3),
        linkerdControlPlane("linkerd"),
        namespace("istio-ns", { "istio-injection": "enabled" }),
        deployment("istio-ns", "on", { labels: { app: "on" } }, { replicas: 0 }),
        deployment("istio-ns", "off", { labels: { app: "off", "sidecar.istio.io/inject": "false" } }, { replicas: 0 }),
        namespace("disabled", { "istio-injection": "disabled" }),
        deployment("disabled", "x", { labels: { app: "x", "sidecar.istio.io/inject": "true" } }, { replicas: 0 }),
        namespace("plain"),
        deployment("plain", "opt-in", { labels: { app: "opt-in", "sidecar.istio.io/inject": "true" } }, { replicas: 0 }),
        deployment("plain", "nothing", { labels: { app: "nothing" } }, { replicas: 0 }),
        namespace("l5d-ns", {}, { "linkerd.io/inject": "enabled" }),
        deployment("l5d-ns", "on", { labels: { app: "on" } }, { replicas: 0 }),
        deployment("l5d-ns", "off", { labels: { app: "off" }, annotations: { "linkerd.io/inject": "disabled" } }, { replicas: 0 }),
        deployment("plain", "ingress", { labels: { app: "ingress" }, annotations: { "linkerd.io/inject": "ingress" } }, { replicas: 0 }),
      ]),
    ]);
    expect(workloadMeshes(d)).toEqual({
      "istio-ns/on": "istiod-istio-system-c1",
      "l5d-ns/on": "linkerd-destination-linkerd-c1",
      "plain/ingress": "linkerd-destination-linkerd-c1",
      "plain/opt-in": "istiod-istio-system-c1",
    });
  });

  it("trusts observed pods over injection settings: pods without a proxy mean not meshed", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics().slice(0, 3),
        namespace("apps", { "istio-injection": "enabled" }),
        deployment("apps", "late", { labels: { app: "late" } }),
        deploymentPod("apps", "late", { labels: { app: "late" } }),
      ]),
    ]);
    expect(d.workloads).toEqual([]);
  });

  it("warns when a workload's mesh has no control plane on the cluster", () => {
    const d = discover([
      snapshot("c1", [namespace("apps"), deployment("apps", "web", { labels: { app: "web" } }), deploymentPod("apps", "web", { labels: { app: "web" }, initContainers: [linkerdProxy()] })]),
    ]);
    expect(d.workloads).toEqual([]);
    const w = findDiag(d, (x) => x.kind === "Deployment" && x.name === "web");
    expect(w).toMatchObject({ severity: "warning", cluster: "c1", namespace: "apps" });
    expect(w?.message).toMatch(/Linkerd .*no matching control plane/);
  });

  it("warns about a meshed pod without owners and still discovers the rest", () => {
    const d = discover([snapshot("c1", [...istioBasics(), pod("apps", "bare", { labels: { app: "web" }, initContainers: [istioProxy()] })])]);
    expect(d.workloads.map((w) => w.metadata.name)).toEqual(["web-apps-c1-deployment"]);
    expect(findDiag(d, (x) => x.kind === "Pod" && x.name === "bare")).toMatchObject({ severity: "warning", cluster: "c1", namespace: "apps", path: "metadata.ownerReferences" });
  });
});

// ---- two meshes on one cluster -------------------------------------------------------------------------

describe("several control planes on one cluster", () => {
  it("discovers Istio and Linkerd side by side and attaches workloads and services to the right one", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics(),
        linkerdControlPlane("linkerd"),
        linkerdControlPlane("linkerd", "linkerd-identity"),
        configMap("linkerd", "linkerd-config", { values: "identityTrustDomain: l5d.example\nclusterDomain: cluster.local\n" }),
        configMap("linkerd", "linkerd-identity-trust-roots", { "ca-bundle.crt": ROOT_PEM }),
        namespace("emoji", {}, { "linkerd.io/inject": "enabled" }),
        deployment("emoji", "api", { labels: { app: "api" } }),
        deploymentPod("emoji", "api", { labels: { app: "api", "linkerd.io/control-plane-ns": "linkerd" }, initContainers: [linkerdProxy()] }),
        service("emoji", "api", { selector: { app: "api" }, ports: [{ name: "grpc", port: 8080, appProtocol: "kubernetes.io/h2c" }] }),
      ]),
    ]);
    expect(d.meshes.map((m) => m.metadata.name)).toEqual(["istiod-istio-system-c1", "linkerd-destination-linkerd-c1"]);
    expect(workloadMeshes(d)).toEqual({ "apps/web": "istiod-istio-system-c1", "emoji/api": "linkerd-destination-linkerd-c1" });
    expect(d.services.map((s) => [s.metadata.name, s.spec.mesh.name])).toEqual([
      ["web-apps-c1", "istiod-istio-system-c1"],
      ["api-emoji-c1", "linkerd-destination-linkerd-c1"],
    ]);
    expect(d.services[1]?.spec.kubeService.ports).toEqual([{ name: "grpc", port: 8080, protocol: "TCP", appProtocol: "kubernetes.io/h2c" }]);
    expect(linkerdSpec(d.meshes[1]).trustDomain).toBe("l5d.example");
    // control-plane components (with proxies in their templates) are not workloads
    expect(d.workloads.some((w) => w.spec.kubernetes.controller.namespace === "linkerd")).toBe(false);
    expect(d.diagnostics).toEqual([]);
    validateAll(d);
  });

  it("falls back to linkerd-identity when linkerd-destination is absent", () => {
    const d = discover([snapshot("c1", [linkerdControlPlane("linkerd", "linkerd-identity", "stable-2.14.10")])]);
    expect(d.meshes.map((m) => m.metadata.name)).toEqual(["linkerd-identity-linkerd-c1"]);
    expect(linkerdSpec(d.meshes[0])).toMatchObject({ version: "stable-2.14.10", trustDomain: "cluster.local", clusterDomain: "cluster.local", trustAnchors: [] });
    expect(d.diagnostics.map((x) => x.message)).toEqual(expect.arrayContaining([expect.stringMatching(/linkerd-config not found/), expect.stringMatching(/no Linkerd trust anchors/)]));
  });
});

// ---- services ------------------------------------------------------------------------------------

describe("service discovery", () => {
  it("records ports, labels, annotations, headless; subsets ignore injector labels", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics().slice(0, 3),
        namespace("apps", { "istio-injection": "enabled" }),
        deployment("apps", "r1", { labels: { app: "r", version: "v1", track: "a", "security.istio.io/tlsMode": "istio", "linkerd.io/x": "1" } }, { replicas: 0 }),
        deployment("apps", "r2", { labels: { app: "r", version: "v2", track: "a", "security.istio.io/tlsMode": "other", "linkerd.io/x": "2", "pod-template-hash": "abc" } }, { replicas: 0 }),
        deployment("apps", "r3", { labels: { app: "r", version: "v10", "pod-template-hash": "def" } }, { replicas: 0 }),
        service("apps", "r", { selector: { app: "r" }, clusterIP: "None", labels: { team: "x" }, annotations: { note: "y", "kubectl.kubernetes.io/last-applied-configuration": "{}" } }),
        service("apps", "no-selector", {}),
        service("apps", "unmatched", { selector: { app: "zzz" } }),
      ]),
    ]);
    expect(d.services).toHaveLength(1);
    const k = d.services[0]?.spec.kubeService;
    expect(k?.subsets).toEqual({ version: { values: ["v1", "v10", "v2"] } });
    expect(k?.headless).toBe(true);
    expect(k?.labels).toEqual({ team: "x" });
    expect(k?.annotations).toEqual({ note: "y" });
    expect(k?.ref).toEqual({ name: "r", namespace: "apps", clusterName: "c1" });
  });

  it("picks a mesh deterministically when backing workloads disagree, with a warning", () => {
    const d = discover([
      snapshot("c1", [
        ...istioBasics().slice(0, 3),
        linkerdControlPlane("linkerd"),
        namespace("apps"),
        deployment("apps", "a", { labels: { app: "x", v: "1" }, annotations: { "linkerd.io/inject": "enabled" } }, { replicas: 0 }),
        deployment("apps", "b", { labels: { app: "x", v: "2", "sidecar.istio.io/inject": "true" } }, { replicas: 0 }),
        service("apps", "x", { selector: { app: "x" } }),
      ]),
    ]);
    expect(d.services[0]?.spec.mesh.name).toBe("istiod-istio-system-c1");
    expect(findDiag(d, (x) => x.kind === "Service" && x.name === "x")?.message).toMatch(/different meshes/);
  });
});

// ---- gateways --------------------------------------------------------------------------------------

describe("gateway addresses", () => {
  const ewDeployment = deployment("istio-system", "istio-eastwestgateway", { labels: { istio: "eastwestgateway", app: "ew" }, containers: [{ name: "istio-proxy", image: "auto", ports: [{ name: "tls-port", containerPort: 15443 }] }] });
  const ewPod = (nodeName: string): unknown => deploymentPod("istio-system", "istio-eastwestgateway", { labels: { istio: "eastwestgateway", app: "ew" }, nodeName, containers: [istioProxy("1.29.6", false)] });
  const ewService = (targetPort: number | string = 15443, extra: Record<string, unknown> = {}): unknown =>
    service("istio-system", "istio-eastwestgateway", { type: "NodePort", selector: { istio: "eastwestgateway", app: "ew" }, ports: [{ name: "status-port", port: 15021, nodePort: 31021 }, { name: "tls", port: 15443, targetPort, nodePort: 32443 }], ...extra });
  function gateway(objects: unknown[]): { gw: MeshGateway | undefined; d: Discovery } {
    const d = discover([snapshot("c1", [istiod("istio-system"), meshConfig("istio-system", MESH), ewDeployment, ...objects])]);
    return { gw: istioSpec(d.meshes[0]).eastWestGateways[0], d };
  }

  it("NodePort: uses the ExternalIP of the node running a gateway pod and the tls nodePort", () => {
    const { gw, d } = gateway([ewService(), ewPod("n1"), node("n1", [{ type: "InternalIP", address: "10.0.0.1" }, { type: "ExternalIP", address: "198.51.100.7" }])]);
    expect(gw).toMatchObject({ externalAddress: "198.51.100.7", externalTlsPort: 32443, tlsContainerPort: 15443, serviceType: "NodePort" });
    expect(gw?.ports[1]).toEqual({ name: "tls", port: 15443, targetPort: 15443, nodePort: 32443, protocol: "TCP" });
    expect(d.diagnostics).toEqual([]);
    expect(d.workloads).toEqual([]);
  });

  it("NodePort: falls back to the InternalIP", () => {
    const { gw } = gateway([ewService(), ewPod("n1"), node("n1", [{ type: "InternalIP", address: "10.0.0.1" }, { type: "Hostname", address: "n1" }])]);
    expect(gw?.externalAddress).toBe("10.0.0.1");
  });

  it("NodePort: resolves a named targetPort through the gateway's container ports", () => {
    const { gw } = gateway([ewService("tls-port"), ewPod("n1"), node("n1", [{ type: "InternalIP", address: "10.0.0.1" }])]);
    expect(gw?.tlsContainerPort).toBe(15443);
  });

  it("NodePort without nodes in the snapshot: gateway kept, warning given", () => {
    const { gw, d } = gateway([ewService(), ewPod("n1")]);
    expect(gw?.externalAddress).toBeUndefined();
    expect(gw?.externalTlsPort).toBe(32443);
    const w = findDiag(d, (x) => x.kind === "Service" && x.name === "istio-eastwestgateway");
    expect(w?.severity).toBe("warning");
    expect(w?.message).toMatch(/no external address/);
  });

  it("LoadBalancer with a hostname, and ClusterIP with externalIPs", () => {
    const lb = gateway([service("istio-system", "istio-eastwestgateway", { type: "LoadBalancer", selector: { istio: "eastwestgateway" }, ports: [{ name: "tls", port: 15443 }], lbIngress: { hostname: "gw.example.com" } })]);
    expect(lb.gw).toMatchObject({ externalAddress: "gw.example.com", externalTlsPort: 15443, tlsContainerPort: 15443 });
    const ext = gateway([service("istio-system", "istio-eastwestgateway", { selector: { istio: "eastwestgateway" }, ports: [{ name: "tls", port: 15443 }], externalIPs: ["192.0.2.9"] })]);
    expect(ext.gw?.externalAddress).toBe("192.0.2.9");
  });

  it("a pending LoadBalancer and a missing tls port give warnings, not silence", () => {
    const { gw, d } = gateway([service("istio-system", "istio-eastwestgateway", { type: "LoadBalancer", selector: { istio: "eastwestgateway" }, ports: [{ name: "https", port: 443 }] })]);
    expect(gw?.externalAddress).toBeUndefined();
    const messages = d.diagnostics.filter((x) => x.name === "istio-eastwestgateway").map((x) => x.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/no external address/), expect.stringMatching(/no port named tls/)]));
  });

  it("finds the Linkerd multicluster gateway", () => {
    const d = discover([
      snapshot("c2", [
        linkerdControlPlane("linkerd"),
        configMap("linkerd", "linkerd-identity-trust-roots", { "ca-bundle.crt": ROOT_PEM }),
        namespace("linkerd-multicluster", { "linkerd.io/extension": "multicluster" }),
        deployment("linkerd-multicluster", "linkerd-gateway", { labels: { app: "linkerd-gateway" }, annotations: { "linkerd.io/inject": "enabled" } }),
        service("linkerd-multicluster", "linkerd-gateway", {
          type: "LoadBalancer",
          selector: { app: "linkerd-gateway" },
          ports: [{ name: "mc-gateway", port: 4143 }, { name: "mc-probe", port: 4191 }],
          lbIngress: { ip: "203.0.113.30" },
        }),
      ]),
    ]);
    expect(linkerdSpec(d.meshes[0]).multiclusterGateway).toMatchObject({ name: "linkerd-gateway", namespace: "linkerd-multicluster", externalAddress: "203.0.113.30", externalTlsPort: 4143, tlsContainerPort: 4143 });
    expect(d.workloads).toEqual([]);
  });
});

// ---- names -------------------------------------------------------------------------------------------

describe("names", () => {
  it("shortens names over 63 characters with a stable hash suffix", () => {
    const long = "a-really-long-deployment-name-that-goes-on-and-on";
    const name = discoveredName(long, "some-long-namespace-name", "cluster-with-long-name", "deployment");
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(name.startsWith("a-really-long-deployment-name")).toBe(true);
    expect(discoveredName(long, "some-long-namespace-name", "cluster-with-long-name", "deployment")).toBe(name);
    expect(discoveredName(long, "some-long-namespace-name", "cluster-with-long-name", "statefulset")).not.toBe(name);
    expect(discoveredName("reviews-v1", "default", "cluster1", "deployment")).toBe("reviews-v1-default-cluster1-deployment");
    expect(discoveredName("Foo.Bar", "ns", "Cluster_1")).toBe("foo-bar-ns-cluster-1");
  });

  it("uses stable shortened names for discovered objects", () => {
    const long = "a-really-long-deployment-name-that-goes-on-and-on";
    const objects = [
      ...istioBasics().slice(0, 3),
      namespace("some-long-namespace-name", { "istio-injection": "enabled" }),
      deployment("some-long-namespace-name", long, { labels: { app: "long" } }, { replicas: 0 }),
      service("some-long-namespace-name", long, { selector: { app: "long" } }),
    ];
    const d1 = discover([snapshot("cluster-with-long-name", objects)]);
    const d2 = discover([snapshot("cluster-with-long-name", [...objects].reverse())]);
    const w = d1.workloads[0]?.metadata.name ?? "";
    expect(w).toBe(discoveredName(long, "some-long-namespace-name", "cluster-with-long-name", "deployment"));
    expect(w.length).toBeLessThanOrEqual(63);
    expect(d1.services[0]?.metadata.name.length).toBeLessThanOrEqual(63);
    expect(d2.workloads[0]?.metadata.name).toBe(w);
    validateAll(d1);
  });

  it("honours the management namespace option", () => {
    const d = discover([snapshot("c1", istioBasics())], { managementNamespace: "mgmt" });
    expect(d.managementNamespace).toBe("mgmt");
    expect(d.meshes[0]?.metadata.namespace).toBe("mgmt");
    expect(d.workloads[0]?.spec.mesh).toEqual({ name: "istiod-istio-system-c1", namespace: "mgmt" });
    expect(d.clusters[0]?.metadata.namespace).toBe("mgmt");
  });
});

// ---- images and versions ---------------------------------------------------------------------------

describe("images and versions", () => {
  it("parses image references", () => {
    expect(parseImageRef("docker.io/istio/pilot:1.29.6")).toMatchObject({ registry: "docker.io", path: "istio/pilot", tag: "1.29.6" });
    expect(parseImageRef("localhost:5000/istio/pilot:1.2")).toMatchObject({ registry: "localhost:5000", path: "istio/pilot", tag: "1.2" });
    expect(parseImageRef("gcr.io/istio-release/pilot@sha256:abc")).toMatchObject({ path: "istio-release/pilot", digest: "sha256:abc" });
    expect(parseImageRef("gcr.io/istio-release/pilot@sha256:abc").tag).toBeUndefined();
    expect(parseImageRef("istio/pilot")).toMatchObject({ path: "istio/pilot" });
  });

  it("handles digest-pinned and distroless istiod images", () => {
    const digest = "sha256:" + "a".repeat(64);
    const run = (image: string) => discover([snapshot("c1", [istiod("istio-system", { image }), meshConfig("istio-system", MESH)])]);
    const onlyDigest = run(`gcr.io/istio-release/pilot@${digest}`);
    expect(istioSpec(onlyDigest.meshes[0]).installation).toMatchObject({ version: digest, image: `gcr.io/istio-release/pilot@${digest}` });
    expect(findDiag(onlyDigest, (x) => x.name === "istiod" && /no tag/.test(x.message))?.severity).toBe("warning");
    const both = run(`docker.io/istio/pilot:1.29.6@${digest}`);
    expect(istioSpec(both.meshes[0]).installation).toMatchObject({ version: "1.29.6", image: `docker.io/istio/pilot:1.29.6@${digest}` });
    expect(both.diagnostics).toEqual([]);
    const distroless = run("docker.io/istio/pilot:1.29.6-distroless");
    const v = istioSpec(distroless.meshes[0]).installation.version;
    expect(v).toBe("1.29.6-distroless");
    expect(parseIstioVersion(v)).toEqual({ major: 1, minor: 29, patch: 6, variant: "distroless" });
  });

  it("reads a digest-pinned Linkerd version from linkerd-config", () => {
    const cp = linkerdControlPlane("linkerd");
    const containers = ((cp.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers);
    (containers[0] as { image: string }).image = `cr.l5d.io/linkerd/controller@sha256:${"b".repeat(64)}`;
    const d = discover([snapshot("c1", [cp, configMap("linkerd", "linkerd-config", { values: "linkerdVersion: edge-25.4.1\n" })])]);
    expect(linkerdSpec(d.meshes[0]).version).toBe("edge-25.4.1");
    expect(linkerdSpec(d.meshes[0]).installation.image).toContain("@sha256:");
  });

  it("parses Linkerd versions of every channel and maps edge releases to stable minors", () => {
    expect(parseLinkerdVersion("stable-2.14.10")).toEqual({ raw: "stable-2.14.10", channel: "stable", major: 2, minor: 14, patch: 10, equivalentStable: { major: 2, minor: 14 } });
    expect(parseLinkerdVersion("edge-24.8.2")).toEqual({ raw: "edge-24.8.2", channel: "edge", major: 24, minor: 8, patch: 2, equivalentStable: { major: 2, minor: 16 } });
    expect(parseLinkerdVersion("version-2.18")).toEqual({ raw: "version-2.18", channel: "version", major: 2, minor: 18, patch: 0, equivalentStable: { major: 2, minor: 18 } });
    expect(parseLinkerdVersion("edge-26.8.3")?.equivalentStable).toEqual({ major: 2, minor: 20 });
    expect(parseLinkerdVersion("latest")).toBeUndefined();
    expect(parseLinkerdVersion("edge-24.13.1")).toBeUndefined();
    const table: [string, number][] = [
      ["24.8", 16], ["24.10", 16], ["24.11", 17], ["24.12", 17], ["25.1", 17], ["25.4", 18], ["25.9", 18], ["25.10", 19], ["25.11", 19], ["25.12", 19], ["26.1", 20], ["26.8", 20], ["24.2", 15], ["23.8", 14],
    ];
    for (const [ym, minor] of table) {
      const [y, m] = ym.split(".").map(Number) as [number, number];
      expect(edgeToStable(y, m), ym).toEqual({ major: 2, minor });
    }
  });

  it("orders Linkerd versions: stable-2.14.10 < edge-24.8.2 < version-2.18 < edge-26.8.3", () => {
    const ordered = ["stable-2.14.10", "edge-24.8.2", "version-2.18", "edge-26.8.3"];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareLinkerdVersions(ordered[i] as string, ordered[j] as string)), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
    expect([...ordered].reverse().sort(compareLinkerdVersions)).toEqual(ordered);
    expect(compareLinkerdVersions("edge-24.8.2", "edge-24.8.10")).toBe(-1);
    expect(compareLinkerdVersions("garbage", "stable-2.14.10")).toBe(-1);
    expect(linkerdAtLeast("edge-25.4.1", 2, 18)).toBe(true);
    expect(linkerdAtLeast("edge-24.11.8", 2, 18)).toBe(false);
    expect(linkerdAtLeast("nonsense", 2, 10)).toBe(false);
  });

  it("parses and orders Istio versions", () => {
    expect(parseIstioVersion("1.29.6")).toEqual({ major: 1, minor: 29, patch: 6 });
    expect(parseIstioVersion("1.30.0-beta.1")).toEqual({ major: 1, minor: 30, patch: 0, prerelease: "beta.1" });
    expect(parseIstioVersion("1.22.1-debug")).toEqual({ major: 1, minor: 22, patch: 1, variant: "debug" });
    expect(parseIstioVersion("sha256:abc")).toBeUndefined();
    expect(parseIstioVersion("latest")).toBeUndefined();
    expect(compareIstioVersions("1.9.0", "1.10.0")).toBe(-1);
    expect(compareIstioVersions("1.29.6-distroless", "1.29.6")).toBe(0);
    expect(compareIstioVersions("1.30.0-beta.1", "1.30.0")).toBe(-1);
    expect(istioAtLeast("1.22.0", 1, 22)).toBe(true);
    expect(istioAtLeast("1.21.9", 1, 22)).toBe(false);
  });
});

// ---- foreign config ----------------------------------------------------------------------------------

describe("foreign config index", () => {
  const vs = (ns: string, name: string, hosts: unknown, labels: Record<string, string> = {}) => ({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name, namespace: ns, labels }, spec: { hosts } });
  const objects = [
    vs("apps", "reviews", ["reviews", "Reviews.other.svc.cluster.local", "*.example.com"]),
    vs("apps", "ours", ["reviews"], { "app.kubernetes.io/managed-by": "meshhub" }),
    { apiVersion: "networking.istio.io/v1beta1", kind: "DestinationRule", metadata: { name: "reviews", namespace: "apps" }, spec: { host: "reviews" } },
    { apiVersion: "networking.istio.io/v1", kind: "ServiceEntry", metadata: { name: "ext", namespace: "apps" }, spec: { hosts: ["API.example.com"] } },
    { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "default", namespace: "apps" }, spec: {} },
    { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "allow", namespace: "apps" }, spec: { targetRefs: [{ kind: "Service", group: "", name: "reviews" }] } },
    { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } },
    { apiVersion: "linkerd.io/v1alpha2", kind: "ServiceProfile", metadata: { name: "web-svc.emojivoto.svc.cluster.local", namespace: "emojivoto" }, spec: { routes: [] } },
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r1", namespace: "emojivoto" }, spec: { parentRefs: [{ kind: "Service", group: "core", name: "web-svc", port: 80 }, { kind: "Gateway", name: "gw" }] } },
    { apiVersion: "policy.linkerd.io/v1beta3", kind: "HTTPRoute", metadata: { name: "r1", namespace: "emojivoto" }, spec: { parentRefs: [{ kind: "Service", group: "", name: "voting-svc", namespace: "other" }] } },
    { apiVersion: "gateway.networking.k8s.io/v1", kind: "GRPCRoute", metadata: { name: "g1", namespace: "emojivoto" }, spec: { parentRefs: [{ kind: "Service", name: "emoji-svc" }] } },
    { apiVersion: "policy.linkerd.io/v1beta3", kind: "Server", metadata: { name: "srv", namespace: "emojivoto" }, spec: { podSelector: {}, port: 8080 } },
    { apiVersion: "split.smi-spec.io/v1alpha2", kind: "TrafficSplit", metadata: { name: "ts", namespace: "emojivoto" }, spec: { service: "web-svc", backends: [] } },
    { apiVersion: "example.com/v1", kind: "VirtualService", metadata: { name: "unrelated", namespace: "apps" }, spec: { hosts: ["x"] } },
    vs("apps", "broken", "not-a-list"),
  ];

  it("indexes foreign mesh config with FQDN hosts and attached services, skipping meshhub's own", () => {
    const cluster: KubernetesCluster = { apiVersion: "discovery.meshhub.io/v1alpha1", kind: "KubernetesCluster", metadata: { name: "c1", namespace: "meshhub" }, spec: { clusterDomain: "corp.local" } };
    const d = discover([snapshot("c1", objects)], { clusters: [cluster] });
    const rows = d.foreignConfig.map((f) => `${f.kind} ${f.apiVersion} ${f.namespace}/${f.name} hosts=${f.hosts.join(",")} services=${f.services.map((s) => `${s.namespace}/${s.name}`).join(",")}`);
    expect(rows).toEqual([
      "AuthorizationPolicy security.istio.io/v1 apps/allow hosts= services=apps/reviews",
      "VirtualService networking.istio.io/v1 apps/broken hosts= services=",
      "Sidecar networking.istio.io/v1 apps/default hosts= services=",
      "ServiceEntry networking.istio.io/v1 apps/ext hosts=api.example.com services=",
      "DestinationRule networking.istio.io/v1beta1 apps/reviews hosts=reviews.apps.svc.corp.local services=",
      "VirtualService networking.istio.io/v1 apps/reviews hosts=*.example.com,reviews.apps.svc.corp.local,reviews.other.svc.cluster.local services=",
      "GRPCRoute gateway.networking.k8s.io/v1 emojivoto/g1 hosts= services=emojivoto/emoji-svc",
      "HTTPRoute gateway.networking.k8s.io/v1 emojivoto/r1 hosts= services=emojivoto/web-svc",
      "HTTPRoute policy.linkerd.io/v1beta3 emojivoto/r1 hosts= services=other/voting-svc",
      "Server policy.linkerd.io/v1beta3 emojivoto/srv hosts= services=",
      "TrafficSplit split.smi-spec.io/v1alpha2 emojivoto/ts hosts= services=emojivoto/web-svc",
      "ServiceProfile linkerd.io/v1alpha2 emojivoto/web-svc.emojivoto.svc.cluster.local hosts=web-svc.emojivoto.svc.cluster.local services=",
      "PeerAuthentication security.istio.io/v1 istio-system/default hosts= services=",
    ]);
    expect(d.clusters).toEqual([cluster]);
    expect(findDiag(d, (x) => x.kind === "VirtualService" && x.name === "broken")).toMatchObject({ severity: "warning", path: "spec.hosts" });
  });
});

// ---- bad input ---------------------------------------------------------------------------------------

describe("malformed input", () => {
  it("turns malformed objects into diagnostics naming them, and discovers the rest", () => {
    const noMetadata = { apiVersion: "apps/v1", kind: "Deployment" };
    const specFive = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "five", namespace: "apps" }, spec: 5 };
    const badLabels = { apiVersion: "v1", kind: "Service", metadata: { name: "lbl", namespace: "apps", labels: { ok: "1", bad: true } }, spec: { selector: { app: "web" } } };
    const badPorts = { apiVersion: "v1", kind: "Service", metadata: { name: "ports", namespace: "apps" }, spec: { selector: { app: "web" }, ports: [{ name: "x", port: "eighty" }, 7] } };
    const noKind = { apiVersion: "v1", metadata: { name: "mystery", namespace: "apps" } };
    const badName = { apiVersion: "v1", kind: "Pod", metadata: { name: "Bad_Name", namespace: "apps" } };
    const unknownKind = { apiVersion: "example.com/v1", kind: "Widget", spec: 5 };
    const ownersNotList = { apiVersion: "v1", kind: "Pod", metadata: { name: "own", namespace: "apps", ownerReferences: "rs" }, spec: { initContainers: [istioProxy()] } };
    const d = discover([
      snapshot("c1", [
        namespace("istio-system"),
        istiod("istio-system"),
        meshConfig("istio-system", "trustDomain: [unclosed\n  : :"),
        ...istioBasics().slice(3),
        noMetadata,
        specFive,
        badLabels,
        badPorts,
        noKind,
        badName,
        unknownKind,
        ownersNotList,
        "just a string",
        null,
        pod("apps", "orphan", { labels: { app: "web" }, initContainers: [istioProxy()] }),
      ]),
    ]);
    // the rest is discovered
    expect(d.meshes.map((m) => m.metadata.name)).toEqual(["istiod-istio-system-c1"]);
    expect(istioSpec(d.meshes[0]).trustDomain).toBe("cluster.local");
    expect(d.workloads.map((w) => w.metadata.name)).toEqual(["web-apps-c1-deployment"]);
    expect(d.services.map((s) => s.metadata.name)).toEqual(["lbl-apps-c1", "ports-apps-c1", "web-apps-c1"]);
    expect(d.services.find((s) => s.spec.kubeService.ref.name === "lbl")?.spec.kubeService.labels).toEqual({ ok: "1" });
    expect(d.services.find((s) => s.spec.kubeService.ref.name === "ports")?.spec.kubeService.ports).toEqual([]);

    const has = (match: Partial<Diagnostic>, message: RegExp) => {
      const found = d.diagnostics.find((x) => Object.entries(match).every(([k, v]) => (x as unknown as Record<string, unknown>)[k] === v) && message.test(x.message));
      expect(found, `${JSON.stringify(match)} ${message}`).toBeDefined();
      return found as Diagnostic;
    };
    has({ cluster: "c1", kind: "ConfigMap", namespace: "istio-system", name: "istio", path: "data.mesh", severity: "error" }, /not valid YAML/);
    has({ cluster: "c1", kind: "Deployment", path: "metadata", severity: "error" }, /no metadata/);
    has({ cluster: "c1", kind: "Deployment", namespace: "apps", name: "five", path: "spec", found: "5", severity: "error" }, /spec is not an object/);
    has({ kind: "Service", name: "lbl", path: "metadata.labels.bad", severity: "error" }, /not a string/);
    has({ kind: "Service", name: "ports", path: "spec.ports[0].port", found: '"eighty"' }, /no numeric port/);
    has({ kind: "Service", name: "ports", path: "spec.ports[1]" }, /no numeric port/);
    has({ name: "mystery", path: "kind" }, /no kind/);
    has({ kind: "Pod", name: "Bad_Name", path: "metadata.name" }, /not a valid Kubernetes name/);
    has({ kind: "Pod", name: "own", path: "metadata.ownerReferences" }, /not a list/);
    has({ kind: "Pod", name: "orphan", severity: "warning" }, /no owner/);
    has({ cluster: "c1", found: '"just a string"' }, /not a mapping/);
    expect(d.diagnostics.some((x) => x.kind === "Widget")).toBe(false);
    // objects that cannot be named are pointed at by position; named objects by name only (order-independent)
    expect(has({ found: '"just a string"' }, /not a mapping/).document).toBe(15);
    expect(has({ kind: "Deployment", name: "five" }, /spec/).document).toBeUndefined();
  });

  it("carries the caller's provenance (file, document) into diagnostics", () => {
    const specFive = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "five", namespace: "apps" }, spec: 5 };
    const d = discover([{ cluster: "c1", objects: [namespace("apps"), specFive as never], sources: [{ file: "a.yaml", document: 0 }, { file: "a.yaml", document: 3 }] }]);
    expect(d.diagnostics).toContainEqual(expect.objectContaining({ file: "a.yaml", document: 3, kind: "Deployment", name: "five", path: "spec" }));
  });

  it("survives garbage at the top level", () => {
    const d = discover([{ cluster: "", objects: [] }, { cluster: "c1", objects: 5 as never }, 7 as never]);
    expect(d.meshes).toEqual([]);
    expect(d.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(() => formatDiscoveryTable(d)).not.toThrow();
  });

  it("flattens kind: List documents and reports duplicate objects deterministically", () => {
    const list = { apiVersion: "v1", kind: "List", items: istioBasics() };
    const dup1 = service("apps", "web", { selector: { app: "web" }, ports: [{ name: "http", port: 80 }] });
    const dup2 = service("apps", "web", { selector: { app: "web" }, ports: [{ name: "http", port: 81 }] });
    const a = discover([snapshot("c1", [list, dup1, dup2])]);
    const b = discover([snapshot("c1", [dup2, list, dup1])]);
    expect(toCanonicalJson(a)).toBe(toCanonicalJson(b));
    expect(a.workloads).toHaveLength(1);
    expect(findDiag(a, (x) => x.kind === "Service" && x.name === "web" && /share/.test(x.message))?.severity).toBe("warning");
  });

  it("merges snapshots that name the same cluster, with a warning", () => {
    const objs = istioBasics();
    const d = discover([snapshot("c1", objs.slice(0, 3)), snapshot("c1", objs.slice(3))]);
    expect(d.workloads).toHaveLength(1);
    expect(d.clusters).toHaveLength(1);
    expect(findDiag(d, (x) => x.cluster === "c1" && /merged/.test(x.message))).toBeDefined();
  });
});

describe("formatDiscoveryTable", () => {
  it("lists clusters without meshes and the diagnostics count", () => {
    const d = discover([snapshot("empty", [namespace("x")]), snapshot("c1", [...istioBasics(), pod("apps", "orphan", { initContainers: [istioProxy()] })])]);
    const text = formatDiscoveryTable(d);
    expect(text).toContain("CLUSTER empty (domain cluster.local)\n\nMeshes (0)\n  none");
    expect(text).toMatch(/NAME\s+KIND\s+MESH\s+SERVICE ACCOUNT/);
    expect(text).toMatch(/apps\/web\s+Deployment\s+istiod-istio-system-c1\s+web/);
    expect(text).toMatch(/apps\/web\s+80\/http\s+-\s+istiod-istio-system-c1/);
    expect(text).toContain("0 error(s), 1 warning(s) while discovering.");
    expect(text.split("\n").every((l) => l === l.trimEnd())).toBe(true);
  });
});

// Test-only certificates generated for meshhub (openssl, EC P-256); not used anywhere else.
const ROOT_PEM = `-----BEGIN CERTIFICATE-----
MIIBvDCCAWGgAwIBAgIULw+JUbWwPLg5flubBBfw/aA/PGQwCgYIKoZIzj0EAwIw
MzEVMBMGA1UECgwMbWVzaGh1YiB0ZXN0MRowGAYDVQQDDBFyb290Lm1lc2hodWIu
dGVzdDAeFw0yNjExMjYxMzI2NTBaFw0zNjExMjMxMzI2NTBaMDMxFTATBgNVBAoM
DG1lc2hodWIgdGVzdDEaMBgGA1UEAwwRcm9vdC5tZXNoaHViLnRlc3QwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAASKc5UNu8+fOygztcxe09JxFMpeyJcQfqHha4hs
oTGgroee/OkUpptCWCIe2PMRUb6Q3m81VGcuZHTocON+bak4o1MwUTAdBgNVHQ4E
FgQUpN4NgwBdf5/B0X2VvstC7jAic0IwHwYDVR0jBBgwFoAUpN4NgwBdf5/B0X2V
vstC7jAic0IwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAnaV+
EIZVeYhvuK/UOPSKvl0G4GXXbPG/KNW3Dk0J30MCIQDg7dNfJkv/zBtQkZb7DgPe
tQDHi/vKEoYgCatjVagkLw==
-----END CERTIFICATE-----
`;
const ROOT_FP = "4b9b7224236942c66d1455fdff193ca0d15ae918e19a84df3f2b0eca78cbcdd9";
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBrTCCAVKgAwIBAgIUBTkkrC3URlXbedEyh/Ia22jFTrIwCgYIKoZIzj0EAwIw
MzEVMBMGA1UECgwMbWVzaGh1YiB0ZXN0MRowGAYDVQQDDBFyb290Lm1lc2hodWIu
dGVzdDAeFw0yNjExMjYxMzI2NTBaFw0zMTExMjUxMzI2NTBaMCQxIjAgBgNVBAMM
GWludGVybWVkaWF0ZS5tZXNoaHViLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAARhp4ZlbGeyYdbpAiBnFYFBMmYAwFZPsg9HnN/sj9nC95zr4FUARTNDmUsp
HI1aW+HiwMJq7jef480vXM0ZQ+4Co1MwUTAPBgNVHRMBAf8EBTADAQH/MB0GA1Ud
DgQWBBSuV7H4dNZBV2R9DIun06YLBqQpYzAfBgNVHSMEGDAWgBSk3g2DAF1/n8HR
fZW+y0LuMCJzQjAKBggqhkjOPQQDAgNJADBGAiEArWVOny/xRqIqUJjqqQhPB11E
+G2ISNzJ1c7+iHdmlfUCIQCoj2OYSUMvN8sflg/MRn36/+5s2o4af26fNPM4CAXy
MA==
-----END CERTIFICATE-----
`;
const CA_FP = "ed7cf2dd2353346a09388d337b57683a2c7ab3a3d9b164195efb626022162fdd";
const FAKE_KEY = "-----BEGIN EC PRIVATE KEY-----\nNOTAREALKEY\n-----END EC PRIVATE KEY-----\n";
