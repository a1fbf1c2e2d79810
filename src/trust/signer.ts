/**
 * The signer: generates roots, certificate requests and CA certificates on an injected WebCrypto, and executes a
 * {@link CertificatePlan}. Certificates and requests are encoded, signed and parsed by `@peculiar/x509`, always
 * with the `crypto` argument (never its global provider). Async because WebCrypto is; otherwise pure — no clock
 * (time is an argument), no I/O. Serial numbers are derived deterministically (SHA-256 of issuer, subject, SANs,
 * notBefore and the public key) unless given.
 *
 * Private keys exist as `CryptoKey`s and leave them in exactly one place: the `data` of the Secret manifests
 * {@link issueForPlan} returns (annotated `meshhub.io/contains-private-key: "true"`). {@link CertificateInfo},
 * errors and problems never carry key material.
 */
// tsyringe, which @peculiar/x509 uses, needs the Reflect metadata API as soon as it is loaded.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { compareObjects, compareStrings } from "../codec/canonical.js";
import type { KubeObject } from "../model/common.js";
import { ownedMetadata, PATCH_ANNOTATION, SOURCES_ANNOTATION, sourceId } from "../translate/metadata.js";
import {
  addDays,
  CONTAINS_PRIVATE_KEY_ANNOTATION,
  floorSeconds,
  ISTIO_CACERTS,
  ISTIO_KEYS,
  isoSeconds,
  LINKERD_ISSUER,
  LINKERD_ISSUER_KEYS,
  LINKERD_TRUST_ROOTS,
  LINKERD_TRUST_ROOTS_KEY,
  ROOT_FINGERPRINT_ANNOTATION,
  ROOT_SECRET_KEY_PAIRS,
  TrustError,
} from "./common.js";
import { exportPrivateKey, generateKeyPair, importPrivateKey, keyAlgorithmOf, keySpecOfKey, PRIVATE_KEY_LABELS, sameKeyPair, signingAlgorithm } from "./keys.js";
import type {
  CertificatePlan,
  Crypto,
  CryptoKey,
  CryptoKeyPair,
  CsrSpec,
  IntermediatePlan,
  KeyAlgorithm,
  KeySpec,
  KeyUsage,
  MeshTarget,
  ResourceRef,
  SubjectAltNames,
  SubjectSpec,
  VirtualMeshCertificatePlan,
} from "./types.js";

/** Public facts about a certificate, for display. Contains no private key. */
export interface CertificateInfo {
  readonly pem: string;
  /** SHA-256 over the DER certificate, lower-case hex (what discovery's `fingerprintSha256` holds). */
  readonly fingerprintSha256: string;
  readonly serialNumber: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyAlgorithm: KeyAlgorithm | "unsupported";
  readonly isCA: boolean;
  readonly pathLenConstraint: number | null;
  readonly sans: { readonly uris: readonly string[]; readonly dnsNames: readonly string[] };
}

/** A CA that can sign: its certificate and its private key (a `CryptoKey`: `JSON.stringify` shows `{}`). */
export interface CertificateAuthority {
  readonly certificate: CertificateInfo;
  readonly privateKey: CryptoKey;
}

/** What a certificate says, before signing. */
export interface CertificateTemplate {
  readonly subject: SubjectSpec;
  readonly sans?: SubjectAltNames;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA certificate with this path length (`null`: unlimited); absent: an end-entity certificate. */
  readonly ca?: { readonly pathLenConstraint: number | null };
  readonly keyUsage: readonly KeyUsage[];
  readonly extendedKeyUsage?: readonly ("serverAuth" | "clientAuth")[];
  /** Hex serial number; derived from issuer, subject, SANs, notBefore and the key when absent. */
  readonly serialNumber?: string;
}

/** What {@link generateRoot} needs; a {@link GeneratedRootPlan} fits as is. */
export interface RootParams {
  readonly key: KeySpec | KeyAlgorithm;
  readonly subject: SubjectSpec;
  readonly ttlDays: number;
  readonly serialNumber?: string;
}

/** What {@link signIntermediate} needs; an {@link IntermediatePlan} fits as is. */
export interface IntermediateSpec {
  readonly csr: CsrSpec;
  readonly ttlDays: number;
  readonly basicConstraints?: { readonly pathLenConstraint: number };
  readonly keyUsage?: readonly KeyUsage[];
  readonly serialNumber?: string;
}

// ---- PEM and certificates --------------------------------------------------------------------------------

const CERTIFICATE = "CERTIFICATE";
const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(new Uint8Array(bytes)).toString("hex");

/** PEM block with 64-character lines and a trailing newline (so PEMs concatenate into bundles). */
function toPem(label: string, der: ArrayBuffer): string {
  return `${x509.PemConverter.encode(der, label)}\n`;
}

/** The PEM blocks of a text that carry one of `labels`, in order. */
function pemBlocks<L extends string>(text: string, labels: readonly L[]): { label: L; der: ArrayBuffer }[] {
  return x509.PemConverter.decodeWithHeaders(text).flatMap((b) => (labels.includes(b.type as L) ? [{ label: b.type as L, der: b.rawData }] : []));
}

/** The single PEM block with one of the given labels. */
function singlePem<L extends string>(text: string, labels: readonly L[], what: string): { label: L; der: ArrayBuffer } {
  const blocks = pemBlocks(text, labels);
  if (blocks.length !== 1 || !blocks[0]) throw new TrustError(`${what}: expected one PEM block of ${labels.join(" / ")}, found ${blocks.length}`);
  return blocks[0];
}

/** Parses DER with an `@peculiar/x509` class, turning its errors into a {@link TrustError}. */
function parse<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch {
    throw new TrustError(`${what} cannot be parsed (corrupt or unsupported)`);
  }
}

async function sha256(data: ArrayBuffer | Uint8Array | string, crypto: Crypto): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", typeof data === "string" ? new TextEncoder().encode(data) : data));
}

/** The URI and DNS names of a certificate's or request's subjectAltName (other kinds are ignored). */
function sansOf(extensions: readonly x509.Extension[]): { uris: string[]; dnsNames: string[] } {
  const names = extensions.flatMap((e) => (e instanceof x509.SubjectAlternativeNameExtension ? e.names.items : []));
  return { uris: names.filter((n) => n.type === "url").map((n) => n.value), dnsNames: names.filter((n) => n.type === "dns").map((n) => n.value) };
}

/** Name in meshhub's attribute order (O, then CN), as UTF8Strings. */
function nameOf(subject: SubjectSpec): x509.Name {
  const rdns: x509.JsonNameParams = [];
  if (subject.organization !== undefined) rdns.push({ O: [{ utf8String: subject.organization }] });
  if (subject.commonName !== undefined) rdns.push({ CN: [{ utf8String: subject.commonName }] });
  return new x509.Name(rdns);
}

function sortedSans(sans: SubjectAltNames | undefined): SubjectAltNames {
  return { dnsNames: [...(sans?.dnsNames ?? [])].sort(compareStrings), uris: [...(sans?.uris ?? [])].sort(compareStrings) };
}

/** dNSNames then URIs, as `@peculiar/x509` takes them. */
function generalNames(sans: SubjectAltNames): x509.JsonGeneralNames {
  return [...sans.dnsNames.map((value) => ({ type: "dns" as const, value })), ...sans.uris.map((value) => ({ type: "url" as const, value }))];
}

async function infoOf(cert: x509.X509Certificate, crypto: Crypto): Promise<CertificateInfo> {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    pem: toPem(CERTIFICATE, cert.rawData),
    fingerprintSha256: hex(await sha256(cert.rawData, crypto)),
    serialNumber: cert.serialNumber.toLowerCase(),
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: isoSeconds(cert.notBefore),
    notAfter: isoSeconds(cert.notAfter),
    keyAlgorithm: keyAlgorithmOf(cert.publicKey.algorithm) ?? "unsupported",
    isCA: bc?.ca ?? false,
    pathLenConstraint: bc?.pathLength ?? null,
    sans: sansOf(cert.extensions),
  };
}

function certificateOf(pem: string, what: string): x509.X509Certificate {
  const block = singlePem(pem, [CERTIFICATE], what);
  return parse(what, () => new x509.X509Certificate(block.der));
}

/** Parses a certificate PEM into {@link CertificateInfo}. */
export async function describeCertificate(pem: string, crypto: Crypto): Promise<CertificateInfo> {
  return infoOf(certificateOf(pem, "certificate"), crypto);
}

/** The signing side of a certificate: its Name, private key and key identifier (absent: self-signed, the subject's). */
interface Issuer {
  readonly name: x509.Name;
  readonly privateKey: CryptoKey;
  readonly authorityKeyId?: x509.AuthorityKeyIdentifierExtension;
}

/** The issuer a CA signs as; refuses a certificate that is not a CA. Its validity is returned for callers to check. */
async function issuerOf(ca: CertificateAuthority, crypto: Crypto): Promise<Issuer & { notBefore: Date; notAfter: Date }> {
  const cert = certificateOf(ca.certificate.pem, "CA certificate");
  if (!cert.getExtension(x509.BasicConstraintsExtension)?.ca) throw new TrustError(`the signing certificate (${ca.certificate.subject}) is not a CA`);
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  return {
    name: cert.subjectName,
    authorityKeyId: ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : await x509.AuthorityKeyIdentifierExtension.create(cert.publicKey, false, crypto),
    privateKey: ca.privateKey,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** A positive 128-bit serial as hex: SHA-256 of a deterministic seed, truncated. No randomness needed. */
async function deriveSerial(seed: string, crypto: Crypto): Promise<string> {
  const bytes = (await sha256(seed, crypto)).slice(0, 16);
  bytes[0] = (bytes[0] as number) & 0x7f || 0x01;
  return hex(bytes);
}

/** A given serial, checked: hex and not zero (`@peculiar/x509` would replace a zero serial with a random one). */
function checkedSerial(serial: string): string {
  const clean = serial.replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(clean) || /^0+$/.test(clean)) throw new TrustError(`serial number ${JSON.stringify(serial)}: expected non-zero hex`);
  return clean.toLowerCase();
}

/** Encodes and signs a certificate for `publicKey` under `issuer` (self-signed when it names the same key). */
async function buildCertificate(template: CertificateTemplate, publicKey: x509.PublicKey, issuer: Issuer, crypto: Crypto): Promise<x509.X509Certificate> {
  if (template.notAfter.getTime() <= template.notBefore.getTime()) throw new TrustError("notAfter must be after notBefore");
  const subject = nameOf(template.subject);
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto);
  const sans = sortedSans(template.sans);
  const seed = [hex(issuer.name.toArrayBuffer()), hex(subject.toArrayBuffer()), sans.dnsNames.join(","), sans.uris.join(","), template.notBefore.toISOString(), subjectKeyId.keyId];
  const serialNumber = template.serialNumber ? checkedSerial(template.serialNumber) : await deriveSerial(seed.join("|"), crypto);
  const keyUsage = template.keyUsage.reduce((flags, k) => flags | x509.KeyUsageFlags[k], 0);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(template.ca !== undefined, template.ca?.pathLenConstraint ?? undefined, true)];
  if (keyUsage) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  if (template.extendedKeyUsage?.length) extensions.push(new x509.ExtendedKeyUsageExtension(template.extendedKeyUsage.map((e) => x509.ExtendedKeyUsage[e]), false));
  extensions.push(subjectKeyId, issuer.authorityKeyId ?? new x509.AuthorityKeyIdentifierExtension(subjectKeyId.keyId));
  // RFC 5280 §4.2.1.6: critical when the subject is empty.
  if (sans.dnsNames.length + sans.uris.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(generalNames(sans), template.subject.commonName === undefined && template.subject.organization === undefined));
  return x509.X509CertificateGenerator.create(
    {
      serialNumber,
      subject,
      issuer: issuer.name,
      notBefore: template.notBefore,
      notAfter: template.notAfter,
      publicKey,
      signingKey: issuer.privateKey,
      signingAlgorithm: signingAlgorithm(keySpecOfKey(issuer.privateKey)),
      extensions,
    },
    crypto,
  );
}

/**
 * Generates a self-signed root CA: basicConstraints CA:TRUE (critical, no path length limit), keyUsage keyCertSign
 * + cRLSign (critical), subject key identifier; valid from `now` (whole seconds) for `ttlDays`.
 */
export async function generateRoot(params: RootParams, now: Date, crypto: Crypto): Promise<CertificateAuthority> {
  const keys = await generateKeyPair(params.key, crypto);
  const publicKey = await x509.PublicKey.create(keys.publicKey, crypto);
  const notBefore = floorSeconds(now);
  const template: CertificateTemplate = {
    subject: params.subject,
    notBefore,
    notAfter: addDays(notBefore, params.ttlDays),
    ca: { pathLenConstraint: null },
    keyUsage: ["keyCertSign", "cRLSign"],
    ...(params.serialNumber ? { serialNumber: params.serialNumber } : {}),
  };
  const cert = await buildCertificate(template, publicKey, { name: nameOf(params.subject), privateKey: keys.privateKey }, crypto);
  return { certificate: await infoOf(cert, crypto), privateKey: keys.privateKey };
}

/** Creates a PKCS#10 request (PEM) for `spec`'s subject and SANs, signed with `keys`. */
export async function createCsr(spec: CsrSpec, keys: CryptoKeyPair, crypto: Crypto): Promise<string> {
  const actual = keySpecOfKey(keys.privateKey);
  if (actual.algorithm !== spec.key.algorithm) throw new TrustError(`the key is ${actual.algorithm}, the CSR spec asks for ${spec.key.algorithm}`);
  const sans = generalNames(sortedSans(spec.sans));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: nameOf(spec.subject), keys, signingAlgorithm: signingAlgorithm(actual), extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : [] },
    crypto,
  );
  return toPem("CERTIFICATE REQUEST", csr.rawData);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort(compareStrings);
  const y = [...new Set(b)].sort(compareStrings);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Signs a CSR as an intermediate CA under `root`: basicConstraints CA:TRUE with `pathLenConstraint` (default 0)
 * critical, keyUsage keyCertSign + cRLSign critical, SKI/AKI, and the SANs and subject of `spec` (the authority
 * decides the identity; a CSR asking for other SANs is refused). Valid from `now` for `ttlDays`, capped to the
 * root's notAfter. Throws {@link TrustError} for a CSR whose signature does not verify, a key of the wrong
 * algorithm, or a root that is not a CA or not valid at `now`.
 */
export async function signIntermediate(csrPem: string, root: CertificateAuthority, spec: IntermediateSpec, now: Date, crypto: Crypto): Promise<CertificateInfo> {
  const block = singlePem(csrPem, ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"], "certificate request");
  const csr = parse("the certificate request", () => new x509.Pkcs10CertificateRequest(block.der));
  if (!(await csr.verify(crypto).catch(() => false))) throw new TrustError("the certificate request's signature does not verify (no proof of possession of the key)");
  const keyAlgorithm = keyAlgorithmOf(csr.publicKey.algorithm);
  if (keyAlgorithm !== spec.csr.key.algorithm) throw new TrustError(`the certificate request's key is ${keyAlgorithm ?? "unsupported"}, expected ${spec.csr.key.algorithm}`);
  const sans = sansOf(csr.extensions);
  const requested = [...sans.uris, ...sans.dnsNames];
  if (requested.length > 0 && (!sameSet(sans.uris, spec.csr.sans.uris) || !sameSet(sans.dnsNames, spec.csr.sans.dnsNames))) {
    throw new TrustError(`the certificate request asks for SANs ${requested.join(", ")}, expected ${[...spec.csr.sans.uris, ...spec.csr.sans.dnsNames].join(", ")}`);
  }
  const issuer = await issuerOf(root, crypto);
  const notBefore = floorSeconds(now);
  if (notBefore < issuer.notBefore || notBefore >= issuer.notAfter) throw new TrustError(`the root (${root.certificate.subject}) is not valid at ${isoSeconds(notBefore)} (valid ${isoSeconds(issuer.notBefore)} to ${isoSeconds(issuer.notAfter)})`);
  const wanted = addDays(notBefore, spec.ttlDays);
  const template: CertificateTemplate = {
    subject: spec.csr.subject,
    sans: spec.csr.sans,
    notBefore,
    notAfter: wanted > issuer.notAfter ? issuer.notAfter : wanted,
    ca: { pathLenConstraint: spec.basicConstraints?.pathLenConstraint ?? 0 },
    keyUsage: spec.keyUsage ?? ["keyCertSign", "cRLSign"],
    ...(spec.serialNumber ? { serialNumber: spec.serialNumber } : {}),
  };
  return infoOf(await buildCertificate(template, csr.publicKey, issuer, crypto), crypto);
}

/**
 * Signs any certificate (CA or end-entity) for a public key under `issuer`; the primitive behind the others, used
 * e.g. to issue a test workload certificate under an intermediate.
 */
export async function signCertificate(template: CertificateTemplate, subjectPublicKey: CryptoKey, issuer: CertificateAuthority, crypto: Crypto): Promise<CertificateInfo> {
  const signer = await issuerOf(issuer, crypto);
  return infoOf(await buildCertificate(template, await x509.PublicKey.create(subjectPublicKey, crypto), signer, crypto), crypto);
}

/** Loads a CA from PEMs (certificate + `PRIVATE KEY` / `RSA PRIVATE KEY` / `EC PRIVATE KEY`); checks they match. */
export async function loadCertificateAuthority(certificatePem: string, privateKeyPem: string, crypto: Crypto): Promise<CertificateAuthority> {
  const first = pemBlocks(certificatePem, [CERTIFICATE])[0];
  if (!first) throw new TrustError("no certificate in the CA's certificate PEM");
  const cert = parse("the CA's certificate", () => new x509.X509Certificate(first.der));
  const certificate = await infoOf(cert, crypto);
  if (!certificate.isCA) throw new TrustError(`the certificate (${certificate.subject}) is not a CA`);
  const block = singlePem(privateKeyPem, PRIVATE_KEY_LABELS, "private key");
  const privateKey = await importPrivateKey(block.label, block.der, crypto);
  const publicKey = await cert.publicKey.export(crypto).catch(() => undefined);
  if (!publicKey || !(await sameKeyPair(privateKey, publicKey, crypto))) throw new TrustError(`the private key does not belong to the certificate (${certificate.subject})`);
  return { certificate, privateKey };
}

/** The private key as PEM (PKCS#1 for RSA, SEC 1 for ECDSA). Put it only into a Secret. */
export async function privateKeyPem(key: CryptoKey, crypto: Crypto): Promise<string> {
  const { label, der } = await exportPrivateKey(key, crypto);
  return toPem(label, der);
}

// ---- executing a plan ---------------------------------------------------------------------------------------

/** Options of {@link issueForPlan}. */
export interface IssueOptions {
  /**
   * Secrets read from the management plane: the Secret of a `secret` root, and the Secret of a generated root
   * created earlier (reused: {@link issueForPlan} never replaces an existing root).
   */
  readonly rootSecrets?: readonly KubeObject[];
  /** CSRs from the agents, keyed by mesh key (`namespace/name`), for `target-cluster-agent` plans. */
  readonly csrs?: Readonly<Record<string, string>>;
  /** Root PEMs to keep trusted next to the VirtualMesh's root (rotation stage 2), keyed `namespace/name` of the VirtualMesh. */
  readonly extraTrustedRoots?: Readonly<Record<string, readonly string[]>>;
  /** Signing time (default: the plan's `now`). */
  readonly now?: Date;
}

/** One certificate issued (or reused) while executing a plan. */
export interface IssuedCertificate extends CertificateInfo {
  readonly virtualMesh: ResourceRef;
  readonly role: "root" | IntermediatePlan["role"];
  /** Mesh key (`namespace/name`) and cluster, for intermediates. */
  readonly mesh?: string;
  readonly cluster?: string;
  /** True for a root found in its Secret rather than generated now. */
  readonly reused?: boolean;
}

/** A VirtualMesh or mesh that could not be issued for. */
export interface IssueProblem {
  readonly virtualMesh: string;
  readonly mesh?: string;
  readonly message: string;
  /** `pending`: waiting for input (an agent's CSR); `error`: something is wrong. */
  readonly severity: "error" | "pending";
}

/**
 * Result of {@link issueForPlan}. `certificates` and `problems` are safe to print. `manifests` are NOT: Secrets
 * carry private keys (annotated `meshhub.io/contains-private-key: "true"`).
 */
export interface IssueResult {
  readonly certificates: readonly IssuedCertificate[];
  /** Every manifest, sorted by (kind, namespace, name). */
  readonly manifests: readonly KubeObject[];
  /** Objects for the management plane (generated root Secrets). */
  readonly managementPlane: readonly KubeObject[];
  /** Objects per target cluster. */
  readonly clusters: Readonly<Record<string, readonly KubeObject[]>>;
  readonly problems: readonly IssueProblem[];
}

function secretValue(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, unknown> | undefined;
  const plain = secret.stringData as Record<string, unknown> | undefined;
  const encoded = data?.[key];
  if (typeof encoded === "string") return Buffer.from(encoded, "base64").toString("utf8");
  const text = plain?.[key];
  return typeof text === "string" ? text : undefined;
}

async function rootFromSecret(secret: KubeObject, crypto: Crypto): Promise<CertificateAuthority> {
  for (const pair of ROOT_SECRET_KEY_PAIRS) {
    const cert = secretValue(secret, pair.certificate);
    const key = secretValue(secret, pair.privateKey);
    if (cert !== undefined && key !== undefined) return loadCertificateAuthority(cert, key, crypto);
  }
  throw new TrustError(`Secret ${secret.metadata.namespace ?? ""}/${secret.metadata.name} has neither root-cert.pem + key.pem nor tls.crt + tls.key`);
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

function message(e: unknown): string {
  return e instanceof TrustError ? e.message : `signing failed: ${e instanceof Error ? e.name : "unknown error"}`;
}

async function bundleOf(rootPem: string, extra: readonly string[], crypto: Crypto): Promise<string> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of [rootPem, ...extra]) {
    for (const block of pemBlocks(text, [CERTIFICATE])) {
      const fp = hex(await sha256(block.der, crypto));
      if (seen.has(fp)) continue;
      seen.add(fp);
      out.push(toPem(CERTIFICATE, block.der));
    }
  }
  return out.join("");
}

/**
 * Executes a {@link CertificatePlan}: obtains each VirtualMesh's root (reused from `rootSecrets`, or generated),
 * then per mesh either generates the key and CSR locally (`local` plans) or signs the agent's CSR from `csrs`
 * (`target-cluster-agent` plans), and renders the delivery objects: Istio `cacerts`, Linkerd
 * `linkerd-identity-trust-roots` and `linkerd-identity-issuer`, and the generated root's Secret. In agent mode no
 * intermediate key exists here, so only the signed certificates and the Linkerd trust roots are returned.
 */
export async function issueForPlan(plan: CertificatePlan, crypto: Crypto, opts: IssueOptions = {}): Promise<IssueResult> {
  const now = opts.now ?? new Date(plan.now);
  const certificates: IssuedCertificate[] = [];
  const problems: IssueProblem[] = [];
  const managementPlane: KubeObject[] = [];
  const clusters = new Map<string, KubeObject[]>();
  const emit = (cluster: string, obj: KubeObject): void => {
    const list = clusters.get(cluster) ?? [];
    list.push(obj);
    clusters.set(cluster, list);
  };
  const findSecret = (name: string, namespace: string): KubeObject | undefined =>
    (opts.rootSecrets ?? []).find((s) => s.kind === "Secret" && s.metadata.name === name && (s.metadata.namespace ?? "") === namespace);

  for (const vmPlan of plan.virtualMeshes) {
    const vmKey = `${vmPlan.virtualMesh.namespace}/${vmPlan.virtualMesh.name}`;
    const sources = [{ kind: "VirtualMesh", name: vmPlan.virtualMesh.name, namespace: vmPlan.virtualMesh.namespace }];
    let root: CertificateAuthority;
    let reused = false;
    try {
      const r = await obtainRoot(vmPlan, now, findSecret, crypto);
      root = r.root;
      reused = r.reused;
    } catch (e) {
      problems.push({ virtualMesh: vmKey, message: message(e), severity: "error" });
      continue;
    }
    certificates.push({ ...root.certificate, virtualMesh: vmPlan.virtualMesh, role: "root", reused });
    if (vmPlan.root.source === "generated") {
      const s = vmPlan.root.storage;
      managementPlane.push({
        apiVersion: "v1",
        kind: "Secret",
        metadata: ownedMetadata(s.name, s.namespace, sources, { annotations: { [CONTAINS_PRIVATE_KEY_ANNOTATION]: "true", [ROOT_FINGERPRINT_ANNOTATION]: root.certificate.fingerprintSha256 } }),
        type: s.type,
        data: { "root-cert.pem": b64(root.certificate.pem), "key.pem": b64(await privateKeyPem(root.privateKey, crypto)) },
      });
    }
    const bundle = await bundleOf(root.certificate.pem, opts.extraTrustedRoots?.[vmKey] ?? [], crypto);
    const annotations = { [ROOT_FINGERPRINT_ANNOTATION]: root.certificate.fingerprintSha256 };
    for (const ip of vmPlan.intermediates) {
      const mesh = ip.mesh;
      if (mesh.type === "linkerd") {
        emit(mesh.cluster, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: ownedMetadata(LINKERD_TRUST_ROOTS, mesh.controlPlaneNamespace, sources, { annotations }),
          data: { [LINKERD_TRUST_ROOTS_KEY]: bundle },
        });
      }
      let keyPem: string | undefined;
      let csrPem: string | undefined;
      try {
        if (ip.keyGeneration === "local") {
          const keys = await generateKeyPair(ip.csr.key, crypto);
          csrPem = await createCsr(ip.csr, keys, crypto);
          keyPem = await privateKeyPem(keys.privateKey, crypto);
        } else {
          csrPem = opts.csrs?.[mesh.key];
          if (csrPem === undefined) {
            problems.push({ virtualMesh: vmKey, mesh: mesh.key, message: `waiting for the certificate request of the agent on cluster ${mesh.cluster}`, severity: "pending" });
            continue;
          }
        }
        const cert = await signIntermediate(csrPem, root, ip, now, crypto);
        certificates.push({ ...cert, virtualMesh: vmPlan.virtualMesh, role: ip.role, mesh: mesh.key, cluster: mesh.cluster });
        if (keyPem !== undefined) emit(mesh.cluster, deliverySecret(ip, mesh, cert.pem, keyPem, root.certificate.pem, bundle, sources, annotations));
      } catch (e) {
        problems.push({ virtualMesh: vmKey, mesh: mesh.key, message: message(e), severity: "error" });
      }
    }
  }
  const clustersOut: Record<string, KubeObject[]> = {};
  for (const name of [...clusters.keys()].sort(compareStrings)) clustersOut[name] = (clusters.get(name) ?? []).sort(compareObjects);
  managementPlane.sort(compareObjects);
  const manifests = [...managementPlane, ...Object.values(clustersOut).flat()].sort(compareObjects);
  return { certificates, manifests, managementPlane, clusters: clustersOut, problems };
}

async function obtainRoot(
  vmPlan: VirtualMeshCertificatePlan,
  now: Date,
  findSecret: (name: string, namespace: string) => KubeObject | undefined,
  crypto: Crypto,
): Promise<{ root: CertificateAuthority; reused: boolean }> {
  const r = vmPlan.root;
  if (r.source === "secret") {
    const secret = findSecret(r.secret.name, r.secret.namespace);
    if (!secret) throw new TrustError(`the root Secret ${r.secret.namespace}/${r.secret.name} was not provided (pass it in rootSecrets)`);
    return { root: await rootFromSecret(secret, crypto), reused: true };
  }
  const existing = findSecret(r.storage.name, r.storage.namespace);
  if (existing) return { root: await rootFromSecret(existing, crypto), reused: true };
  if (r.action === "reuse") throw new TrustError(`the plan reuses the root in Secret ${r.storage.namespace}/${r.storage.name}, which was not provided (pass it in rootSecrets)`);
  return { root: await generateRoot(r, now, crypto), reused: false };
}

function deliverySecret(
  ip: IntermediatePlan,
  mesh: MeshTarget,
  certPem: string,
  keyPem: string,
  rootPem: string,
  bundle: string,
  sources: readonly { kind: string; name: string; namespace: string }[],
  annotations: Record<string, string>,
): KubeObject {
  const meta = (name: string) => ownedMetadata(name, mesh.controlPlaneNamespace, sources, { annotations: { ...annotations, [CONTAINS_PRIVATE_KEY_ANNOTATION]: "true" } });
  if (ip.role === "istio-intermediate-ca") {
    return {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(ISTIO_CACERTS),
      type: "Opaque",
      data: {
        [ISTIO_KEYS.caCert]: b64(certPem),
        [ISTIO_KEYS.caKey]: b64(keyPem),
        [ISTIO_KEYS.rootCert]: b64(bundle),
        [ISTIO_KEYS.certChain]: b64(`${certPem}${rootPem}`),
      },
    };
  }
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(LINKERD_ISSUER),
    type: "kubernetes.io/tls",
    data: { [LINKERD_ISSUER_KEYS.cert]: b64(certPem), [LINKERD_ISSUER_KEYS.key]: b64(keyPem), [LINKERD_ISSUER_KEYS.ca]: b64(rootPem) },
  };
}

/**
 * The objects that change only a trust bundle (rotation stages 1 and 3): for Istio a server-side-apply patch of
 * `cacerts` carrying just `root-cert.pem` (the intermediate and its key stay as they are), for Linkerd the
 * `linkerd-identity-trust-roots` ConfigMap. No private key is involved. Sorted by cluster, then object.
 */
export function trustBundleManifests(virtualMesh: ResourceRef, meshes: readonly MeshTarget[], bundlePems: readonly string[]): { cluster: string; object: KubeObject }[] {
  const bundle = bundlePems.map((p) => (p.endsWith("\n") ? p : `${p}\n`)).join("");
  const source = sourceId({ kind: "VirtualMesh", name: virtualMesh.name, namespace: virtualMesh.namespace });
  const out: { cluster: string; object: KubeObject }[] = [];
  for (const m of meshes) {
    if (m.type === "istio") {
      out.push({
        cluster: m.cluster,
        object: {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: ISTIO_CACERTS, namespace: m.controlPlaneNamespace, annotations: { [PATCH_ANNOTATION]: "server-side-apply", [SOURCES_ANNOTATION]: source } },
          data: { [ISTIO_KEYS.rootCert]: b64(bundle) },
        },
      });
    } else {
      out.push({
        cluster: m.cluster,
        object: { apiVersion: "v1", kind: "ConfigMap", metadata: ownedMetadata(LINKERD_TRUST_ROOTS, m.controlPlaneNamespace, [{ kind: "VirtualMesh", name: virtualMesh.name, namespace: virtualMesh.namespace }]), data: { [LINKERD_TRUST_ROOTS_KEY]: bundle } },
      });
    }
  }
  return out.sort((a, b) => compareStrings(a.cluster, b.cluster) || compareObjects(a.object, b.object));
}
