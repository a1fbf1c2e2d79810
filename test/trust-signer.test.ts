// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata API as soon as it is loaded.
import "reflect-metadata";
import { cryptoProvider } from "@peculiar/x509";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../src/model/common.js";
import type { Mesh } from "../src/model/discovery.js";
import {
  createCsr,
  generateKeyPair,
  generateRoot,
  issueForPlan,
  loadCertificateAuthority,
  planCertificates,
  privateKeyPem,
  signCertificate,
  signIntermediate,
  trustBundleManifests,
  TrustError,
  type CertificateAuthority,
  type CertificatePlan,
  type IntermediatePlan,
  type IssueResult,
} from "../src/trust/index.js";
import { istioMesh, linkerdMesh, meshRef, virtualMesh } from "./helpers/builders.js";

const crypto = globalThis.crypto;
const NOW = new Date("2026-03-01T12:34:56Z");
const istio = istioMesh("cluster1", { ingressAddress: "10.0.0.1" });
const linkerd = linkerdMesh("cluster2");

let dir = "";
let counter = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, text);
  return path;
}
function openssl(...args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
/** `openssl verify` at the test's NOW (+1h), not at the machine's clock. */
function verify(...args: string[]): string {
  return openssl("verify", "-attime", String(NOW.getTime() / 1000 + 3600), ...args);
}
function opensslStatus(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
function text(pem: string): string {
  return openssl("x509", "-noout", "-text", "-in", file("cert.pem", pem));
}
function decoded(obj: KubeObject, key: string): string {
  const data = obj.data as Record<string, string>;
  return Buffer.from(data[key] as string, "base64").toString("utf8");
}
function manifest(result: IssueResult, kind: string, name: string): KubeObject {
  const found = result.manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}
function cert(result: IssueResult, role: string): string {
  const found = result.certificates.find((c) => c.role === role);
  if (!found) throw new Error(`no ${role} certificate`);
  return found.pem;
}
function vmOver(meshes: Mesh[], mtlsConfig: unknown, name = "shared") {
  return { virtualMesh: virtualMesh(name, { meshes: meshes.map(meshRef), mtlsConfig }), meshes };
}
function intermediateOf(plan: CertificatePlan, type: "istio" | "linkerd"): IntermediatePlan {
  const found = plan.virtualMeshes[0]?.intermediates.find((i) => i.mesh.type === type);
  if (!found) throw new Error(`no ${type} intermediate`);
  return found;
}

let sharedPlan: CertificatePlan;
let shared: IssueResult;
let rsaRoot: CertificateAuthority;

beforeAll(async () => {
  // The signer must use the injected crypto only: with @peculiar/x509's global provider emptied, any fallback to it throws.
  cryptoProvider.clear();
  dir = mkdtempSync(join(tmpdir(), "meshhub-trust-"));
  sharedPlan = planCertificates({
    virtualMeshes: [vmOver([istio, linkerd], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P256" } } }, autoRestartPods: true })],
    now: NOW,
    keyGeneration: "local",
  });
  shared = await issueForPlan(sharedPlan, crypto);
  // The one RSA-4096 key of this file.
  rsaRoot = await generateRoot({ key: "RSA-4096", subject: { commonName: "rsa root CA", organization: "meshhub" }, ttlDays: 365 }, NOW, crypto);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("shared trust across Istio and Linkerd (one VirtualMesh, one root)", () => {
  it("issues without problems, in local mode", () => {
    expect(shared.problems).toEqual([]);
    expect(shared.certificates.map((c) => [c.role, c.mesh ?? null, c.cluster ?? null, c.reused ?? null])).toEqual([
      ["root", null, null, false],
      ["istio-intermediate-ca", "meshhub/istiod-istio-system-cluster1", "cluster1", null],
      ["linkerd-identity-issuer", "meshhub/linkerd-destination-linkerd-cluster2", "cluster2", null],
    ]);
  });

  it("both the Istio intermediate and the Linkerd issuer verify against the root (openssl verify, also -x509_strict)", () => {
    const root = file("root.pem", cert(shared, "root"));
    const i = file("istio.pem", cert(shared, "istio-intermediate-ca"));
    const l = file("linkerd.pem", cert(shared, "linkerd-identity-issuer"));
    expect(verify("-CAfile", root, i, l)).toBe(`${i}: OK\n${l}: OK\n`);
    expect(verify("-x509_strict", "-CAfile", root, i, l)).toBe(`${i}: OK\n${l}: OK\n`);
  });

  it("the root is a self-signed CA: CA:TRUE critical, keyCertSign + cRLSign critical, SKI = AKI", () => {
    const t = text(cert(shared, "root"));
    expect(t).toContain("Issuer: O = meshhub, CN = shared.meshhub root CA");
    expect(t).toContain("Subject: O = meshhub, CN = shared.meshhub root CA");
    expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    expect(t).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(t).toContain("ASN1 OID: prime256v1");
    expect(t).toContain("Not Before: Mar  1 12:34:56 2026 GMT");
    expect(t).toContain("Not After : Mar  1 12:34:56 2027 GMT");
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(t)?.[1];
    expect(ski).toBeDefined();
    expect(t).toMatch(new RegExp(`Authority Key Identifier:\\s+(keyid:)?${ski}`));
  });

  it("the Istio intermediate: CA:TRUE pathlen:0, key usage, SPIFFE URI SAN of istiod, dates from now", () => {
    const t = text(cert(shared, "istio-intermediate-ca"));
    expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(t).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(t).toMatch(/X509v3 Subject Alternative Name:\s+URI:spiffe:\/\/cluster.local\/ns\/istio-system\/sa\/istiod\n/);
    expect(t).toContain("Subject: O = meshhub, CN = istiod-istio-system-cluster1 intermediate CA");
    expect(t).toContain("Issuer: O = meshhub, CN = shared.meshhub root CA");
    expect(t).toContain("Not Before: Mar  1 12:34:56 2026 GMT");
    expect(t).toContain("Not After : Mar  1 12:34:56 2027 GMT");
  });

  it("the Linkerd issuer: CN identity.linkerd.cluster.local, ECDSA P-256 (prime256v1), CA:TRUE pathlen:0", () => {
    const t = text(cert(shared, "linkerd-identity-issuer"));
    expect(t).toContain("Subject: O = meshhub, CN = identity.linkerd.cluster.local");
    expect(t).toContain("Public Key Algorithm: id-ecPublicKey");
    expect(t).toContain("ASN1 OID: prime256v1");
    expect(t).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(t).toMatch(/X509v3 Subject Alternative Name:\s+DNS:identity.linkerd.cluster.local\n/);
  });

  it("cacerts carries ca-cert, its key, the root and the chain; the key matches the certificate", () => {
    const s = manifest(shared, "Secret", "cacerts");
    expect(s.metadata.namespace).toBe("istio-system");
    expect(s.type).toBe("Opaque");
    expect(Object.keys(s.data as object).sort()).toEqual(["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]);
    const caCert = decoded(s, "ca-cert.pem");
    expect(caCert).toBe(cert(shared, "istio-intermediate-ca"));
    expect(decoded(s, "root-cert.pem")).toBe(cert(shared, "root"));
    expect(decoded(s, "cert-chain.pem")).toBe(`${caCert}${cert(shared, "root")}`);
    expect(decoded(s, "ca-key.pem")).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    const key = file("ca-key.pem", decoded(s, "ca-key.pem"));
    expect(openssl("pkey", "-in", key, "-pubout")).toBe(openssl("x509", "-in", file("ca-cert.pem", caCert), "-noout", "-pubkey"));
  });

  it("Linkerd gets the trust roots ConfigMap and a kubernetes.io/tls issuer Secret whose EC key checks out", () => {
    const cm = manifest(shared, "ConfigMap", "linkerd-identity-trust-roots");
    expect(cm.metadata.namespace).toBe("linkerd");
    expect((cm.data as Record<string, string>)["ca-bundle.crt"]).toBe(cert(shared, "root"));
    const s = manifest(shared, "Secret", "linkerd-identity-issuer");
    expect(s.type).toBe("kubernetes.io/tls");
    expect(decoded(s, "tls.crt")).toBe(cert(shared, "linkerd-identity-issuer"));
    expect(decoded(s, "ca.crt")).toBe(cert(shared, "root"));
    const key = file("tls.key", decoded(s, "tls.key"));
    expect(decoded(s, "tls.key")).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(opensslStatus("ec", "-in", key, "-noout", "-check").out).toContain("EC Key valid.");
    expect(openssl("asn1parse", "-in", key)).toContain("OBJECT            :prime256v1");
    expect(openssl("pkey", "-in", key, "-pubout")).toBe(openssl("x509", "-in", file("tls.crt", decoded(s, "tls.crt")), "-noout", "-pubkey"));
  });

  it("stores the generated root with its key on the management plane", () => {
    expect(shared.managementPlane.map((m) => [m.kind, m.metadata.namespace, m.metadata.name, m.type])).toEqual([["Secret", "meshhub", "shared.meshhub", "meshhub.io/generated-root-ca"]]);
    const s = shared.managementPlane[0]!;
    expect(decoded(s, "root-cert.pem")).toBe(cert(shared, "root"));
    expect(openssl("pkey", "-in", file("key.pem", decoded(s, "key.pem")), "-pubout")).toBe(openssl("x509", "-in", file("root.pem", cert(shared, "root")), "-noout", "-pubkey"));
  });

  it("puts private keys only into annotated Secrets; every manifest is owned and names its VirtualMesh", () => {
    const safe = JSON.stringify({ certificates: shared.certificates, problems: shared.problems, plan: sharedPlan });
    expect(safe).not.toContain("PRIVATE KEY");
    for (const m of shared.manifests) {
      expect(m.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("meshhub");
      expect(m.metadata.annotations?.["meshhub.io/sources"]).toBe("VirtualMesh/meshhub/shared");
      const values = Object.values((m.data ?? {}) as Record<string, string>).map((v) => (m.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v));
      const hasKey = values.some((v) => v.includes("PRIVATE KEY"));
      expect(hasKey).toBe(m.kind === "Secret");
      expect(m.metadata.annotations?.["meshhub.io/contains-private-key"]).toBe(hasKey ? "true" : undefined);
    }
    expect(Object.keys(shared.clusters)).toEqual(["cluster1", "cluster2"]);
    expect(shared.clusters.cluster2!.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(["ConfigMap/linkerd-identity-trust-roots", "Secret/linkerd-identity-issuer"]);
  });

  it("reports the same SHA-256 fingerprint as openssl", () => {
    for (const c of shared.certificates) {
      const out = openssl("x509", "-in", file("fp.pem", c.pem), "-noout", "-fingerprint", "-sha256");
      expect(out.trim().split("=")[1]!.replace(/:/g, "").toLowerCase()).toBe(c.fingerprintSha256);
    }
  });
});

describe("leaf under the Istio intermediate", () => {
  it("a workload certificate signed with the intermediate verifies with openssl -untrusted", async () => {
    const s = manifest(shared, "Secret", "cacerts");
    const intermediate = await loadCertificateAuthority(decoded(s, "ca-cert.pem"), decoded(s, "ca-key.pem"), crypto);
    const keys = await generateKeyPair("ECDSA-P256", crypto);
    const leaf = await signCertificate(
      { subject: {}, sans: { uris: ["spiffe://cluster.local/ns/default/sa/sleep"], dnsNames: [] }, notBefore: NOW, notAfter: new Date(NOW.getTime() + 86_400_000), keyUsage: ["digitalSignature", "keyEncipherment"], extendedKeyUsage: ["serverAuth", "clientAuth"] },
      keys.publicKey,
      intermediate,
      crypto,
    );
    const root = file("root.pem", cert(shared, "root"));
    const inter = file("intermediate.pem", decoded(s, "ca-cert.pem"));
    const leafPath = file("leaf.pem", leaf.pem);
    expect(verify("-CAfile", root, "-untrusted", inter, leafPath)).toBe(`${leafPath}: OK\n`);
    expect(verify("-purpose", "sslclient", "-CAfile", root, "-untrusted", inter, leafPath)).toBe(`${leafPath}: OK\n`);
    const t = text(leaf.pem);
    expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(t).toMatch(/X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep/);
    expect(leaf.isCA).toBe(false);
  });

  it("pathlen:0 holds: a CA below the intermediate does not verify", async () => {
    const s = manifest(shared, "Secret", "cacerts");
    const intermediate = await loadCertificateAuthority(decoded(s, "ca-cert.pem"), decoded(s, "ca-key.pem"), crypto);
    const subKeys = await generateKeyPair("ECDSA-P256", crypto);
    const sub = await signCertificate({ subject: { commonName: "rogue sub-CA" }, notBefore: NOW, notAfter: new Date(NOW.getTime() + 86_400_000), ca: { pathLenConstraint: null }, keyUsage: ["keyCertSign"] }, subKeys.publicKey, intermediate, crypto);
    const leafKeys = await generateKeyPair("ECDSA-P256", crypto);
    const leaf = await signCertificate({ subject: { commonName: "leaf" }, notBefore: NOW, notAfter: new Date(NOW.getTime() + 86_400_000), keyUsage: ["digitalSignature"] }, leafKeys.publicKey, { certificate: sub, privateKey: subKeys.privateKey }, crypto);
    const chain = file("untrusted.pem", `${decoded(s, "ca-cert.pem")}${sub.pem}`);
    const r = opensslStatus("verify", "-attime", String(NOW.getTime() / 1000 + 3600), "-CAfile", file("root.pem", cert(shared, "root")), "-untrusted", chain, file("leaf.pem", leaf.pem));
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("path length constraint exceeded");
  });
});

describe("key algorithms", () => {
  it("RSA 4096 when asked: the root, and a Linkerd issuer (P-256) signed by it", async () => {
    const t = text(rsaRoot.certificate.pem);
    expect(t).toContain("Public-Key: (4096 bit)");
    expect(t).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(t).toMatch(/CA:TRUE\n/);
    expect(rsaRoot.certificate.keyAlgorithm).toBe("RSA-4096");
    // Execute a plan over the reused RSA root: no other RSA-4096 key is generated.
    const rootSecret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "corp-root", namespace: "security" }, data: { "root-cert.pem": Buffer.from(rsaRoot.certificate.pem).toString("base64"), "key.pem": Buffer.from(await privateKeyPem(rsaRoot.privateKey, crypto)).toString("base64") } };
    const plan = planCertificates({ virtualMeshes: [vmOver([linkerd], { shared: { rootCertificateAuthority: { secret: { name: "corp-root", namespace: "security" } } } })], now: NOW, keyGeneration: "local" });
    const r = await issueForPlan(plan, crypto, { rootSecrets: [rootSecret] });
    expect(r.problems).toEqual([]);
    expect(r.certificates[0]).toMatchObject({ role: "root", reused: true, fingerprintSha256: rsaRoot.certificate.fingerprintSha256 });
    expect(r.managementPlane).toEqual([]);
    const issuer = cert(r, "linkerd-identity-issuer");
    const it = text(issuer);
    expect(it).toContain("ASN1 OID: prime256v1");
    expect(it).toContain("Signature Algorithm: sha256WithRSAEncryption");
    const root = file("rsa-root.pem", rsaRoot.certificate.pem);
    const p = file("issuer.pem", issuer);
    expect(verify("-CAfile", root, p)).toBe(`${p}: OK\n`);
  });

  it("RSA 2048 (PKCS#1 keys) and ECDSA P-384 (SHA-384) roots with Istio intermediates of the same algorithm", async () => {
    for (const [generated, expectText, keyHeader] of [
      [{ rsaKeySizeBytes: 2048 }, ["Public-Key: (2048 bit)", "sha256WithRSAEncryption"], "RSA PRIVATE KEY"],
      [{ keyAlgorithm: "ECDSA-P384" }, ["ASN1 OID: secp384r1", "ecdsa-with-SHA384"], "EC PRIVATE KEY"],
    ] as const) {
      const plan = planCertificates({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { generated } } })], now: NOW, keyGeneration: "local" });
      const r = await issueForPlan(plan, crypto);
      expect(r.problems).toEqual([]);
      const root = file("root.pem", cert(r, "root"));
      const i = file("i.pem", cert(r, "istio-intermediate-ca"));
      expect(verify("-x509_strict", "-CAfile", root, i)).toBe(`${i}: OK\n`);
      const t = text(cert(r, "istio-intermediate-ca"));
      for (const e of expectText) expect(t).toContain(e);
      const key = decoded(manifest(r, "Secret", "cacerts"), "ca-key.pem");
      expect(key.startsWith(`-----BEGIN ${keyHeader}-----\n`)).toBe(true);
      expect(openssl("pkey", "-in", file("k.pem", key), "-pubout")).toBe(openssl("x509", "-in", i, "-noout", "-pubkey"));
    }
  });

  it("RSA 3072 roots", async () => {
    const root = await generateRoot({ key: "RSA-3072", subject: { commonName: "r3072" }, ttlDays: 1 }, NOW, crypto);
    expect(text(root.certificate.pem)).toContain("Public-Key: (3072 bit)");
    expect(verify("-CAfile", file("r.pem", root.certificate.pem), file("r.pem", root.certificate.pem))).toContain(": OK");
  });
});

describe("CSRs and signing rules", () => {
  it("createCsr produces a request openssl verifies, with the plan's subject and SAN", async () => {
    const spec = intermediateOf(sharedPlan, "istio");
    const csr = await createCsr(spec.csr, await generateKeyPair(spec.csr.key, crypto), crypto);
    const r = opensslStatus("req", "-verify", "-noout", "-text", "-in", file("req.pem", csr));
    expect(r.status).toBe(0);
    expect(r.out).toContain("verify OK");
    expect(r.out).toContain("Subject: O = meshhub, CN = istiod-istio-system-cluster1 intermediate CA");
    expect(r.out).toContain("URI:spiffe://cluster.local/ns/istio-system/sa/istiod");
  });

  it("refuses a tampered request, other SANs, the wrong key algorithm, a root not valid at now, a non-CA signer", async () => {
    const root = await generateRoot({ key: "ECDSA-P256", subject: { commonName: "strict root" }, ttlDays: 30 }, NOW, crypto);
    const spec = intermediateOf(sharedPlan, "linkerd");
    const keys = await generateKeyPair("ECDSA-P256", crypto);
    const good = await createCsr(spec.csr, keys, crypto);
    const der = Buffer.from(good.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(signIntermediate(tampered, root, spec, NOW, crypto)).rejects.toThrow("the certificate request's signature does not verify (no proof of possession of the key)");
    const otherSans = await createCsr({ ...spec.csr, sans: { uris: [], dnsNames: ["identity.evil.cluster.local"] } }, keys, crypto);
    await expect(signIntermediate(otherSans, root, spec, NOW, crypto)).rejects.toThrow("asks for SANs identity.evil.cluster.local, expected identity.linkerd.cluster.local");
    const p384 = await createCsr({ ...spec.csr, key: { algorithm: "ECDSA-P384", type: "ECDSA", namedCurve: "P-384", signatureHash: "SHA-384" } }, await generateKeyPair("ECDSA-P384", crypto), crypto);
    await expect(signIntermediate(p384, root, spec, NOW, crypto)).rejects.toThrow("the certificate request's key is ECDSA-P384, expected ECDSA-P256");
    await expect(signIntermediate(good, root, spec, new Date(NOW.getTime() + 31 * 86_400_000), crypto)).rejects.toThrow(/is not valid at 2026-04-01T12:34:56Z/);
    await expect(createCsr(spec.csr, await generateKeyPair("ECDSA-P384", crypto), crypto)).rejects.toBeInstanceOf(TrustError);
    const leafKeys = await generateKeyPair("ECDSA-P256", crypto);
    const leaf = await signCertificate({ subject: { commonName: "leaf" }, notBefore: NOW, notAfter: new Date(NOW.getTime() + 86_400_000), keyUsage: ["digitalSignature"] }, leafKeys.publicKey, root, crypto);
    await expect(signIntermediate(good, { certificate: leaf, privateKey: leafKeys.privateKey }, spec, NOW, crypto)).rejects.toThrow("is not a CA");
  });

  it("caps the intermediate to the root's notAfter and derives the same serial for the same request and time", async () => {
    const root = await generateRoot({ key: "ECDSA-P256", subject: { commonName: "short root" }, ttlDays: 10 }, NOW, crypto);
    const spec = intermediateOf(sharedPlan, "linkerd");
    const csr = await createCsr(spec.csr, await generateKeyPair("ECDSA-P256", crypto), crypto);
    const a = await signIntermediate(csr, root, spec, NOW, crypto);
    const b = await signIntermediate(csr, root, spec, NOW, crypto);
    expect(a.notAfter).toBe(root.certificate.notAfter);
    expect(a.notAfter).toBe("2026-03-11T12:34:56Z");
    expect(a.serialNumber).toBe(b.serialNumber);
    expect(openssl("x509", "-noout", "-serial", "-in", file("a.pem", a.pem)).trim()).toBe(`serial=${a.serialNumber.toUpperCase()}`);
    expect(openssl("x509", "-noout", "-enddate", "-in", file("a.pem", a.pem)).trim()).toBe("notAfter=Mar 11 12:34:56 2026 GMT");
  });

  it("loadCertificateAuthority refuses a key that does not belong to the certificate", async () => {
    const other = await generateKeyPair("ECDSA-P256", crypto);
    await expect(loadCertificateAuthority(cert(shared, "root"), await privateKeyPem(other.privateKey, crypto), crypto)).rejects.toThrow("does not belong");
  });
});

describe("private key containers", () => {
  it("writes PKCS#1 and SEC 1 (named curve) exactly as openssl does", async () => {
    const ec = await privateKeyPem((await generateKeyPair("ECDSA-P384", crypto)).privateKey, crypto);
    expect(openssl("ec", "-in", file("ec.pem", ec))).toBe(ec);
    expect(openssl("asn1parse", "-in", file("ec.pem", ec))).toContain("OBJECT            :secp384r1");
    const rsa = await privateKeyPem(rsaRoot.privateKey, crypto);
    expect(openssl("rsa", "-traditional", "-in", file("rsa.pem", rsa))).toBe(rsa);
  });

  it("reads openssl's traditional RSA and EC keys; refuses an explicit-parameters curve and P-521", async () => {
    for (const [keyArgs, label] of [
      [["genrsa", "-traditional", "2048"], "RSA PRIVATE KEY"],
      [["ecparam", "-name", "prime256v1", "-genkey", "-noout"], "EC PRIVATE KEY"],
    ] as const) {
      const key = openssl(...keyArgs);
      expect(key).toContain(`-----BEGIN ${label}-----`);
      const crt = openssl("req", "-x509", "-key", file("k.pem", key), "-days", "1", "-subj", "/CN=openssl CA", "-addext", "basicConstraints=critical,CA:TRUE");
      const ca = await loadCertificateAuthority(crt, key, crypto);
      expect(await privateKeyPem(ca.privateKey, crypto)).toBe(key);
    }
    const explicit = openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-param_enc", "explicit");
    await expect(loadCertificateAuthority(cert(shared, "root"), explicit, crypto)).rejects.toThrow("EC private key: the curve is missing or not P-256/P-384");
    const p521 = openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp521r1");
    await expect(loadCertificateAuthority(cert(shared, "root"), p521, crypto)).rejects.toThrow("EC private key: the curve is missing or not P-256/P-384");
    await expect(loadCertificateAuthority(cert(shared, "root"), "-----BEGIN EC PRIVATE KEY-----\nAQID\n-----END EC PRIVATE KEY-----\n", crypto)).rejects.toThrow("the private key cannot be read");
  });

  it("uses a given serial number as is and refuses one that is not non-zero hex", async () => {
    const keys = await generateKeyPair("ECDSA-P256", crypto);
    const template = { subject: { commonName: "serial" }, notBefore: NOW, notAfter: new Date(NOW.getTime() + 86_400_000), keyUsage: ["digitalSignature"] as const };
    const leaf = await signCertificate({ ...template, serialNumber: "0A1B2C" }, keys.publicKey, rsaRoot, crypto);
    expect(leaf.serialNumber).toBe("0a1b2c");
    expect(openssl("x509", "-noout", "-serial", "-in", file("s.pem", leaf.pem)).trim()).toBe("serial=0A1B2C");
    for (const serialNumber of ["00", "xyz"]) await expect(signCertificate({ ...template, serialNumber }, keys.publicKey, rsaRoot, crypto)).rejects.toThrow("expected non-zero hex");
  });
});

describe("issueForPlan modes and roots", () => {
  it("agent mode: waits for CSRs, then signs them without ever holding the intermediate keys", async () => {
    const plan = planCertificates({ virtualMeshes: [vmOver([istio, linkerd], { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P256" } } } })], now: NOW });
    const rootSecret = shared.managementPlane[0]!;
    const waiting = await issueForPlan(plan, crypto, { rootSecrets: [rootSecret] });
    expect(waiting.problems).toEqual([
      { virtualMesh: "meshhub/shared", mesh: "meshhub/istiod-istio-system-cluster1", message: "waiting for the certificate request of the agent on cluster cluster1", severity: "pending" },
      { virtualMesh: "meshhub/shared", mesh: "meshhub/linkerd-destination-linkerd-cluster2", message: "waiting for the certificate request of the agent on cluster cluster2", severity: "pending" },
    ]);
    const csrs: Record<string, string> = {};
    for (const i of plan.virtualMeshes[0]!.intermediates) csrs[i.mesh.key] = await createCsr(i.csr, await generateKeyPair(i.csr.key, crypto), crypto);
    const signed = await issueForPlan(plan, crypto, { rootSecrets: [rootSecret], csrs });
    expect(signed.problems).toEqual([]);
    expect(signed.certificates.map((c) => c.role)).toEqual(["root", "istio-intermediate-ca", "linkerd-identity-issuer"]);
    expect(signed.certificates[0]).toMatchObject({ reused: true, fingerprintSha256: shared.certificates[0]!.fingerprintSha256 });
    expect(signed.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(["ConfigMap/linkerd-identity-trust-roots", "Secret/shared.meshhub"]);
    const root = file("root.pem", cert(shared, "root"));
    const i = file("i.pem", cert(signed, "istio-intermediate-ca"));
    expect(verify("-CAfile", root, i)).toBe(`${i}: OK\n`);
  });

  it("uses a root made by openssl in a tls.crt/tls.key Secret (PKCS#8 key)", () => {
    const key = join(dir, "openssl-root.key");
    const crt = join(dir, "openssl-root.crt");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt, "-days", "3650", "-subj", "/O=corp/CN=corp root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "corp-root", namespace: "security" }, type: "kubernetes.io/tls", data: { "tls.crt": Buffer.from(openssl("x509", "-in", crt)).toString("base64"), "tls.key": Buffer.from(openssl("pkey", "-in", key)).toString("base64") } };
    // openssl's root starts at the machine's clock, so this test signs at the machine's clock too.
    const now = new Date(Date.now() + 5_000);
    const plan = planCertificates({ virtualMeshes: [vmOver([istio, linkerd], { shared: { rootCertificateAuthority: { secret: { name: "corp-root", namespace: "security" } } } })], now, keyGeneration: "local", intermediateTtlDays: { istio: 30 } });
    return issueForPlan(plan, crypto, { rootSecrets: [secret] }).then((r) => {
      expect(r.problems).toEqual([]);
      expect(r.managementPlane).toEqual([]);
      const i = file("i.pem", cert(r, "istio-intermediate-ca"));
      const l = file("l.pem", cert(r, "linkerd-identity-issuer"));
      const at = String(Math.floor(now.getTime() / 1000) + 60);
      expect(openssl("verify", "-attime", at, "-CAfile", crt, i, l)).toBe(`${i}: OK\n${l}: OK\n`);
      expect(text(cert(r, "istio-intermediate-ca"))).toContain("Issuer: O = corp, CN = corp root");
      expect(Date.parse(r.certificates.find((c) => c.role === "istio-intermediate-ca")!.notAfter) - Math.floor(now.getTime() / 1000) * 1000).toBe(30 * 86_400_000);
    });
  });

  it("reports a missing root Secret as a problem and emits nothing for that VirtualMesh", async () => {
    const plan = planCertificates({ virtualMeshes: [vmOver([istio], { shared: { rootCertificateAuthority: { secret: { name: "missing", namespace: "security" } } } })], now: NOW, keyGeneration: "local" });
    const r = await issueForPlan(plan, crypto);
    expect(r.problems).toEqual([{ virtualMesh: "meshhub/shared", message: "the root Secret security/missing was not provided (pass it in rootSecrets)", severity: "error" }]);
    expect(r.manifests).toEqual([]);
  });

  it("keeps extra trusted roots in the bundles (rotation stage 2) but chains to the VirtualMesh's root", async () => {
    const old = await generateRoot({ key: "ECDSA-P256", subject: { commonName: "old root" }, ttlDays: 30 }, NOW, crypto);
    const r = await issueForPlan(sharedPlan, crypto, { rootSecrets: [shared.managementPlane[0]!], extraTrustedRoots: { "meshhub/shared": [old.certificate.pem, cert(shared, "root")] } });
    const s = manifest(r, "Secret", "cacerts");
    expect(decoded(s, "root-cert.pem")).toBe(`${cert(shared, "root")}${old.certificate.pem}`);
    expect(decoded(s, "cert-chain.pem")).toBe(`${decoded(s, "ca-cert.pem")}${cert(shared, "root")}`);
    expect((manifest(r, "ConfigMap", "linkerd-identity-trust-roots").data as Record<string, string>)["ca-bundle.crt"]).toBe(`${cert(shared, "root")}${old.certificate.pem}`);
  });

  it("trustBundleManifests: an Istio cacerts patch with only root-cert.pem (not owned), and the Linkerd ConfigMap", () => {
    const targets = sharedPlan.virtualMeshes[0]!.intermediates.map((i) => i.mesh);
    const out = trustBundleManifests({ name: "shared", namespace: "meshhub" }, targets, [cert(shared, "root")]);
    expect(out.map((o) => [o.cluster, o.object.kind, o.object.metadata.namespace, o.object.metadata.name])).toEqual([
      ["cluster1", "Secret", "istio-system", "cacerts"],
      ["cluster2", "ConfigMap", "linkerd", "linkerd-identity-trust-roots"],
    ]);
    const patch = out[0]!.object;
    expect(patch.metadata.labels).toBeUndefined();
    expect(patch.metadata.annotations).toEqual({ "meshhub.io/patch": "server-side-apply", "meshhub.io/sources": "VirtualMesh/meshhub/shared" });
    expect(Object.keys(patch.data as object)).toEqual(["root-cert.pem"]);
  });
});
