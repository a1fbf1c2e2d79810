import { describe, expect, it } from "vitest";
import type { Mesh } from "../src/model/discovery.js";
import { planCertificates, type CertificatePlanInput } from "../src/trust/index.js";
import type { IntermediatePlan } from "../src/trust/index.js";
import { istioMesh, linkerdMesh, meshRef, virtualMesh, workload } from "./helpers/builders.js";

const NOW = new Date("2026-03-01T12:34:56.789Z");
const NOW_ISO = "2026-03-01T12:34:56Z";
const inDays = (days: number): string => new Date(Date.parse(NOW_ISO) + days * 86_400_000).toISOString().replace(/\.000Z$/, "Z");

const istio = istioMesh("cluster1", { ingressAddress: "10.0.0.1", eastWestAddress: "10.0.0.2" });
const linkerd = linkerdMesh("cluster2", { gatewayAddress: "10.0.0.3" });

function vmOver(meshes: Mesh[], mtlsConfig: unknown = { shared: { rootCertificateAuthority: { generated: {} } } }, name = "shared") {
  return { virtualMesh: virtualMesh(name, { meshes: meshes.map(meshRef), mtlsConfig }), meshes };
}

function plan(input: Partial<CertificatePlanInput> & Pick<CertificatePlanInput, "virtualMeshes">) {
  return planCertificates({ now: NOW, ...input });
}

function intermediateFor(p: ReturnType<typeof plan>, type: "istio" | "linkerd"): IntermediatePlan {
  const found = p.virtualMeshes[0]?.intermediates.find((i) => i.mesh.type === type);
  if (!found) throw new Error(`no ${type} intermediate`);
  return found;
}

describe("planCertificates: root", () => {
  it("generates an RSA-4096 root by default (Gloo Mesh parity), 365 days from now, org meshhub, stored in <vm>.<vmNs>", () => {
    const p = plan({ virtualMeshes: [vmOver([istio, linkerd])] });
    expect(p).toMatchObject({ apiVersion: "trust.meshhub.io/v1alpha1", kind: "CertificatePlan", now: NOW_ISO, graceDays: 30, managementNamespace: "meshhub", keyGeneration: "target-cluster-agent" });
    const root = p.virtualMeshes[0]!.root;
    expect(root).toEqual({
      source: "generated",
      action: "generate",
      key: { algorithm: "RSA-4096", type: "RSA", rsaModulusBits: 4096, signatureHash: "SHA-256" },
      keyChosenBy: "default (RSA-4096, Gloo Mesh parity)",
      subject: { commonName: "shared.meshhub root CA", organization: "meshhub" },
      ttlDays: 365,
      notBefore: NOW_ISO,
      notAfter: inDays(365),
      basicConstraints: { ca: true, pathLenConstraint: null },
      keyUsage: ["keyCertSign", "cRLSign"],
      storage: {
        kind: "Secret",
        name: "shared.meshhub",
        namespace: "meshhub",
        cluster: null,
        type: "meshhub.io/generated-root-ca",
        keys: { "root-cert.pem": "root CA certificate (PEM)", "key.pem": "root CA private key (PEM)" },
        containsPrivateKey: true,
      },
    });
  });

  it("takes rsaKeySizeBytes as bits, keyAlgorithm as is, and warns when both disagree", () => {
    const rsa = plan({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { generated: { rsaKeySizeBytes: 2048, ttlDays: 10, orgName: "acme" } } } })] });
    const r = rsa.virtualMeshes[0]!.root;
    expect(r.source === "generated" && [r.key.algorithm, r.keyChosenBy, r.ttlDays, r.notAfter, r.subject.organization]).toEqual(["RSA-2048", "rsaKeySizeBytes: 2048 (bits)", 10, inDays(10), "acme"]);
    const ec = plan({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P256" } } } })] });
    const e = ec.virtualMeshes[0]!.root;
    expect(e.source === "generated" && e.key).toEqual({ algorithm: "ECDSA-P256", type: "ECDSA", namedCurve: "P-256", signatureHash: "SHA-256" });
    const both = plan({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P384", rsaKeySizeBytes: 4096 } } } })] });
    expect(both.virtualMeshes[0]!.root.source === "generated" && both.virtualMeshes[0]!.root.key.algorithm).toBe("ECDSA-P384");
    expect(both.virtualMeshes[0]!.warnings).toContain("rootCertificateAuthority.generated sets both keyAlgorithm (ECDSA-P384) and rsaKeySizeBytes (4096); keyAlgorithm wins");
  });

  it("generates a root when rootCertificateAuthority is empty, as Gloo Mesh did", () => {
    const p = plan({ virtualMeshes: [vmOver([istio], { shared: {} })] });
    expect(p.virtualMeshes[0]!.root.source).toBe("generated");
  });

  it("warns that Linkerd rejects an ECDSA-P384 or RSA-3072 anchor", () => {
    for (const keyAlgorithm of ["ECDSA-P384", "RSA-3072"]) {
      const p = plan({ virtualMeshes: [vmOver([istio, linkerd], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm } } } })] });
      expect(p.virtualMeshes[0]!.warnings.join("\n")).toContain(`Linkerd accepts trust anchors of ECDSA-P256, RSA-2048 or RSA-4096 only (linkerd check); ${keyAlgorithm} will be rejected`);
    }
    expect(plan({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P384" } } } })] }).virtualMeshes[0]!.warnings).toEqual([]);
  });

  it("references a root Secret with root-cert.pem/key.pem or tls.crt/tls.key", () => {
    const p = plan({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { secret: { name: "corp-root", namespace: "security" } } } })] });
    const vm = p.virtualMeshes[0]!;
    expect(vm.root).toEqual({
      source: "secret",
      secret: { name: "corp-root", namespace: "security", cluster: null },
      acceptedKeys: [
        { certificate: "root-cert.pem", privateKey: "key.pem" },
        { certificate: "tls.crt", privateKey: "tls.key" },
      ],
    });
    expect(vm.warnings).toEqual(["the root's expiry is not known until Secret security/corp-root is read: intermediates are capped to it when signed"]);
    expect(intermediateFor(p, "istio")).toMatchObject({ notAfter: inDays(365), cappedByRoot: false });
  });

  it("reuses an existing generated root and caps intermediates to its expiry; warns when it is within the grace period", () => {
    const existing = { fingerprintSha256: "ab".repeat(32), notBefore: "2025-03-20T00:00:00Z", notAfter: inDays(20) };
    const p = plan({ virtualMeshes: [vmOver([istio, linkerd])], existingRoots: { "meshhub/shared": existing } });
    const vm = p.virtualMeshes[0]!;
    expect(vm.root).toMatchObject({ source: "generated", action: "reuse", notBefore: existing.notBefore, notAfter: existing.notAfter, existing });
    for (const i of vm.intermediates) expect(i).toMatchObject({ notBefore: NOW_ISO, notAfter: existing.notAfter, cappedByRoot: true, ttlDays: 365 });
    expect(vm.warnings).toEqual([`the root expires on ${existing.notAfter}, within the 30-day grace period: rotate it (planRotation)`]);
  });

  it("skips VirtualMeshes without shared trust, with limited trust, with a Vault intermediate, or without accepted meshes", () => {
    const p = plan({
      virtualMeshes: [
        { virtualMesh: virtualMesh("a-none", { meshes: [meshRef(istio)] }), meshes: [istio] },
        vmOver([istio], { limited: {} }, "b-limited"),
        vmOver([istio], { shared: { intermediateCertificateAuthority: { vault: {} } } }, "c-vault"),
        { virtualMesh: virtualMesh("d-empty", { meshes: [meshRef(istio)], mtlsConfig: { shared: {} } }), meshes: [] },
      ],
    });
    expect(p.virtualMeshes).toEqual([]);
    expect(p.skipped.map((s) => `${s.virtualMesh.name}: ${s.reason}`)).toEqual([
      "a-none: no mtlsConfig.shared: the meshes keep their own roots",
      "b-limited: mtlsConfig.limited is not supported: no shared trust planned",
      "c-vault: mtlsConfig.shared.intermediateCertificateAuthority (Vault) is not supported: use rootCertificateAuthority.generated or .secret",
      "d-empty: no mesh was accepted for this VirtualMesh",
    ]);
  });
});

describe("planCertificates: Istio intermediate", () => {
  it("has the istiod SPIFFE SAN, CA pathlen 0, the VM's key and a 1-year TTL, delivered as cacerts", () => {
    const p = plan({ virtualMeshes: [vmOver([istio])] });
    const i = intermediateFor(p, "istio");
    expect(i.mesh).toEqual({ key: "meshhub/istiod-istio-system-cluster1", name: "istiod-istio-system-cluster1", namespace: "meshhub", cluster: "cluster1", type: "istio", controlPlaneNamespace: "istio-system", trustDomain: "cluster.local", version: "1.29.6" });
    expect(i.role).toBe("istio-intermediate-ca");
    expect(i.keyGeneration).toBe("target-cluster-agent");
    expect(i.csr).toEqual({
      subject: { commonName: "istiod-istio-system-cluster1 intermediate CA", organization: "meshhub" },
      sans: { uris: ["spiffe://cluster.local/ns/istio-system/sa/istiod"], dnsNames: [] },
      key: { algorithm: "RSA-4096", type: "RSA", rsaModulusBits: 4096, signatureHash: "SHA-256" },
    });
    expect(i.basicConstraints).toEqual({ ca: true, pathLenConstraint: 0 });
    expect(i.keyUsage).toEqual(["keyCertSign", "cRLSign"]);
    expect([i.ttlDays, i.notBefore, i.notAfter, i.cappedByRoot]).toEqual([365, NOW_ISO, inDays(365), false]);
    expect(i.deliver).toEqual([
      {
        kind: "Secret",
        name: "cacerts",
        namespace: "istio-system",
        cluster: "cluster1",
        type: "Opaque",
        keys: {
          "ca-cert.pem": "intermediate CA certificate istiod signs workload certificates with",
          "ca-key.pem": "intermediate CA private key (generated on the target cluster by the agent; it never leaves the cluster)",
          "root-cert.pem": "root certificate(s) of trust (a bundle during rotation)",
          "cert-chain.pem": "intermediate followed by the root",
        },
        containsPrivateKey: true,
      },
    ]);
    expect(i.notes[0]).toBe("Istio ignores a changed root without an istiod restart: istiod in cluster1/istio-system restarts first, then gateways, then workloads");
  });

  it("follows the mesh's trust domain, namespace and istiod service account", () => {
    const custom = istioMesh("east", { trustDomain: "corp.example", namespace: "istio-prod" });
    if (!("istio" in custom.spec)) throw new Error("istio");
    custom.spec.istio.istiodServiceAccount = "istiod-prod";
    const i = intermediateFor(plan({ virtualMeshes: [vmOver([custom])] }), "istio");
    expect(i.csr.sans.uris).toEqual(["spiffe://corp.example/ns/istio-prod/sa/istiod-prod"]);
    expect(i.deliver[0]).toMatchObject({ name: "cacerts", namespace: "istio-prod", cluster: "east" });
  });

  it("caps the intermediate to the root's notAfter and honours configured intermediate TTLs", () => {
    const p = plan({ virtualMeshes: [vmOver([istio, linkerd], { shared: { rootCertificateAuthority: { generated: { ttlDays: 90 } } } })] });
    for (const i of p.virtualMeshes[0]!.intermediates) expect(i).toMatchObject({ ttlDays: 365, notAfter: inDays(90), cappedByRoot: true });
    const q = plan({ virtualMeshes: [vmOver([istio, linkerd])], intermediateTtlDays: { istio: 30, linkerd: 2 } });
    expect(intermediateFor(q, "istio")).toMatchObject({ ttlDays: 30, notAfter: inDays(30), cappedByRoot: false });
    expect(intermediateFor(q, "linkerd")).toMatchObject({ ttlDays: 2, notAfter: inDays(2), cappedByRoot: false });
  });

  it("restarts istiod, then the ingress and east-west gateways, then workloads — automatically with autoRestartPods", () => {
    const w = workload(istio, "reviews", "bookinfo");
    const p = plan({ virtualMeshes: [vmOver([istio], { shared: {}, autoRestartPods: true })], workloads: [w, workload(linkerd, "web", "emojivoto")] });
    const r = intermediateFor(p, "istio").restart;
    expect(r.automatic).toBe(true);
    expect(r.summary).toBe("automatic (autoRestartPods: true)");
    expect(r.steps.map((s) => [s.order, s.tier, s.target.namespace, s.target.podSelector.matchLabels, s.automatic])).toEqual([
      [1, "control-plane", "istio-system", { app: "istiod", istio: "pilot" }, true],
      [2, "gateways", "istio-system", { istio: "ingressgateway" }, true],
      [3, "gateways", "istio-system", { istio: "eastwestgateway" }, true],
      [4, "workloads", null, { "security.istio.io/tlsMode": "istio" }, true],
    ]);
    expect(r.steps[0]!.reason).toContain("ignores a changed root-cert.pem until it restarts");
    expect(r.steps[0]!.waitFor).toEqual([{ condition: "rollout-complete", timeoutSeconds: 600 }]);
    expect(r.steps[3]!.waitBefore).toEqual([{ condition: "root-cert-synced", configMap: "istio-ca-root-cert", key: "root-cert.pem", sameAs: "Secret istio-system/cacerts root-cert.pem" }]);
    expect(r.steps[3]!.target.controllers).toEqual([{ kind: "Deployment", name: "reviews", namespace: "bookinfo" }]);
    expect(r.steps[3]!.manual).toBe("kubectl --context cluster1 -n bookinfo rollout restart deployment/reviews");
  });

  it("says a manual restart is required when autoRestartPods is not true", () => {
    const r = intermediateFor(plan({ virtualMeshes: [vmOver([istio])] }), "istio").restart;
    expect(r.automatic).toBe(false);
    expect(r.summary).toBe("manual restart required (autoRestartPods is not true)");
    expect(r.steps.every((s) => !s.automatic)).toBe(true);
    expect(r.steps[0]!.manual).toBe("kubectl --context cluster1 -n istio-system rollout restart deployment -l app=istiod,istio=pilot");
    expect(r.steps[3]!.manual).toContain("security.istio.io/tlsMode=istio");
  });
});

describe("planCertificates: Linkerd issuer", () => {
  it("is ECDSA P-256 with CN identity.<ns>.<trustDomain>, delivered as trust-roots ConfigMap and kubernetes.io/tls issuer Secret", () => {
    const l = linkerdMesh("cluster2", { namespace: "l5d", trustDomain: "corp.example" });
    const p = plan({ virtualMeshes: [vmOver([istio, l])], keyGeneration: "local" });
    const i = intermediateFor(p, "linkerd");
    expect(i.role).toBe("linkerd-identity-issuer");
    expect(i.keyGeneration).toBe("local");
    expect(i.csr).toEqual({
      subject: { commonName: "identity.l5d.corp.example", organization: "meshhub" },
      sans: { uris: [], dnsNames: ["identity.l5d.corp.example"] },
      key: { algorithm: "ECDSA-P256", type: "ECDSA", namedCurve: "P-256", signatureHash: "SHA-256" },
    });
    expect(i.basicConstraints).toEqual({ ca: true, pathLenConstraint: 0 });
    expect([i.ttlDays, i.notBefore, i.notAfter]).toEqual([365, NOW_ISO, inDays(365)]);
    expect(i.deliver.map((d) => [d.kind, d.name, d.namespace, d.cluster, d.type, Object.keys(d.keys), d.containsPrivateKey])).toEqual([
      ["ConfigMap", "linkerd-identity-trust-roots", "l5d", "cluster2", undefined, ["ca-bundle.crt"], false],
      ["Secret", "linkerd-identity-issuer", "l5d", "cluster2", "kubernetes.io/tls", ["tls.crt", "tls.key", "ca.crt"], true],
    ]);
    expect(i.deliver[1]!.keys["tls.key"]).toContain("generated locally by the signer");
    expect(i.notes.join("\n")).toContain("identity.externalCA=true and identity.issuer.scheme=kubernetes.io/tls");
  });

  it("restarts the identity controller, the rest of the control plane, the gateway, then proxies", () => {
    const r = intermediateFor(plan({ virtualMeshes: [vmOver([linkerd], { shared: {}, autoRestartPods: true })] }), "linkerd").restart;
    expect(r.steps.map((s) => [s.order, s.tier, s.target.namespace, s.target.podSelector])).toEqual([
      [1, "control-plane", "linkerd", { matchLabels: { "linkerd.io/control-plane-component": "identity" } }],
      [2, "control-plane", "linkerd", { matchLabels: { "linkerd.io/control-plane-ns": "linkerd" }, matchExpressions: [{ key: "linkerd.io/control-plane-component", operator: "NotIn", values: ["identity"] }] }],
      [3, "gateways", "linkerd-multicluster", { matchLabels: { app: "linkerd-gateway" } }],
      [4, "workloads", null, { matchLabels: { "linkerd.io/control-plane-ns": "linkerd" } }],
    ]);
    expect(r.steps[3]!.waitFor).toContainEqual({ condition: "linkerd-proxies-match-ca", command: "linkerd --context cluster2 --linkerd-namespace linkerd check --proxy" });
  });
});

describe("planCertificates: shape", () => {
  it("is plain JSON with no private key material, and independent of input order", () => {
    const a = vmOver([istio, linkerd], { shared: { rootCertificateAuthority: { generated: {} } }, autoRestartPods: true }, "alpha");
    const b = vmOver([istioMesh("cluster3")], { shared: {} }, "beta");
    const p = plan({ virtualMeshes: [a, b], keyGeneration: "local" });
    const json = JSON.stringify(p);
    expect(JSON.parse(json)).toEqual(p);
    expect(json).not.toMatch(/PRIVATE KEY|BEGIN|base64/);
    expect(p.virtualMeshes.map((v) => v.virtualMesh.name)).toEqual(["alpha", "beta"]);
    const reversed = plan({ virtualMeshes: [{ ...b }, { virtualMesh: a.virtualMesh, meshes: [...a.meshes].reverse() }], keyGeneration: "local" });
    expect(JSON.stringify(reversed)).toBe(json);
  });

  it("prints a stable sample (snapshot of the Linkerd part)", () => {
    const p = plan({ virtualMeshes: [vmOver([linkerd], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P256" } } } })] });
    expect(intermediateFor(p, "linkerd").restart.steps.map((s) => s.manual)).toEqual([
      "kubectl --context cluster2 -n linkerd rollout restart deployment -l linkerd.io/control-plane-component=identity",
      "kubectl --context cluster2 -n linkerd rollout restart deployment",
      "kubectl --context cluster2 -n linkerd-multicluster rollout restart deployment -l app=linkerd-gateway",
      "restart every Deployment, StatefulSet and DaemonSet whose pods match linkerd.io/control-plane-ns=linkerd (meshed by linkerd, outside linkerd), namespace by namespace: kubectl --context cluster2 -n <namespace> rollout restart deployment,statefulset,daemonset",
    ]);
  });
});
