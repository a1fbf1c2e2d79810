/**
 * The signer: generates roots, certificate requests and CA certificates on an injected WebCrypto, and executes a
 * {@link CertificatePlan}. Async because WebCrypto is; otherwise pure — no clock (time is an argument), no global
 * crypto (the `crypto` argument), no I/O. Serial numbers are derived deterministically (SHA-256 of issuer,
 * subject, SANs, notBefore and the public key) unless given.
 *
 * Private keys exist as `CryptoKey`s and leave them in exactly one place: the `data` of the Secret manifests
 * {@link issueForPlan} returns (annotated `meshhub.io/contains-private-key: "true"`). {@link CertificateInfo},
 * errors and problems never carry key material.
 */
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
  keySpecOf,
  LINKERD_ISSUER,
  LINKERD_ISSUER_KEYS,
  LINKERD_TRUST_ROOTS,
  LINKERD_TRUST_ROOTS_KEY,
  ROOT_FINGERPRINT_ANNOTATION,
  ROOT_SECRET_KEY_PAIRS,
} from "./common.js";
import { fromBase64, pemBlocks, singlePem, toBase64, toPem, TrustError } from "./der.js";
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem, keySpecOfKey, publicKeySpki, signBytes, verifySignature } from "./keys.js";
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
  SubjectSpec,
  VirtualMeshCertificatePlan,
} from "./types.js";
import { buildCertificate, buildCsr, encodeName, fingerprintSha256, keyIdentifier, parseCertificate, parseCsr, type CertificateTemplate, type IssuerKey } from "./x509.js";

export { TrustError };
export type { CertificateTemplate };

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

/** Parses a certificate PEM into {@link CertificateInfo}. */
export async function describeCertificate(pem: string, crypto: Crypto): Promise<CertificateInfo> {
  const block = singlePem(pem, ["CERTIFICATE"], "certificate");
  const c = parseCertificate(block.der);
  return {
    pem: toPem("CERTIFICATE", block.der),
    fingerprintSha256: await fingerprintSha256(block.der, crypto),
    serialNumber: c.serialNumber,
    subject: c.subject,
    issuer: c.issuer,
    notBefore: isoSeconds(c.notBefore),
    notAfter: isoSeconds(c.notAfter),
    keyAlgorithm: c.keyAlgorithm ?? "unsupported",
    isCA: c.ca,
    pathLenConstraint: c.pathLenConstraint ?? null,
    sans: c.sans,
  };
}

async function issuerKeyOf(ca: CertificateAuthority, crypto: Crypto): Promise<IssuerKey & { notBefore: Date; notAfter: Date; ca: boolean }> {
  const c = parseCertificate(singlePem(ca.certificate.pem, ["CERTIFICATE"], "CA certificate").der);
  return {
    name: c.subjectName,
    keyId: c.subjectKeyId ?? (await keyIdentifier(c.spki, crypto)),
    privateKey: ca.privateKey,
    spec: keySpecOfKey(ca.privateKey),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    ca: c.ca,
  };
}

/**
 * Generates a self-signed root CA: basicConstraints CA:TRUE (critical, no path length limit), keyUsage keyCertSign
 * + cRLSign (critical), subject key identifier; valid from `now` (whole seconds) for `ttlDays`.
 */
export async function generateRoot(params: RootParams, now: Date, crypto: Crypto): Promise<CertificateAuthority> {
  const spec = typeof params.key === "string" ? keySpecOf(params.key) : params.key;
  const keys = await generateKeyPair(spec, crypto);
  const spki = await publicKeySpki(keys.publicKey, crypto);
  const notBefore = floorSeconds(now);
  const template: CertificateTemplate = {
    subject: params.subject,
    notBefore,
    notAfter: addDays(notBefore, params.ttlDays),
    ca: { pathLenConstraint: null },
    keyUsage: ["keyCertSign", "cRLSign"],
    ...(params.serialNumber ? { serialNumber: params.serialNumber } : {}),
  };
  const der = await buildCertificate(template, spki, { name: encodeName(params.subject), keyId: await keyIdentifier(spki, crypto), privateKey: keys.privateKey, spec }, crypto);
  return { certificate: await describeCertificate(toPem("CERTIFICATE", der), crypto), privateKey: keys.privateKey };
}

/** Creates a PKCS#10 request (PEM) for `spec`'s subject and SANs, signed with `keys`. */
export async function createCsr(spec: CsrSpec, keys: CryptoKeyPair, crypto: Crypto): Promise<string> {
  const actual = keySpecOfKey(keys.privateKey);
  if (actual.algorithm !== spec.key.algorithm) throw new TrustError(`the key is ${actual.algorithm}, the CSR spec asks for ${spec.key.algorithm}`);
  const spki = await publicKeySpki(keys.publicKey, crypto);
  return toPem("CERTIFICATE REQUEST", await buildCsr(spec.subject, spec.sans, spki, keys.privateKey, actual, crypto));
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
  const csr = parseCsr(singlePem(csrPem, ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"], "certificate request").der);
  if (!(await verifySignature(csr.spki, csr.signatureAlgorithm, csr.signature, csr.info, crypto))) {
    throw new TrustError("the certificate request's signature does not verify (no proof of possession of the key)");
  }
  if (csr.keyAlgorithm !== spec.csr.key.algorithm) throw new TrustError(`the certificate request's key is ${csr.keyAlgorithm ?? "unsupported"}, expected ${spec.csr.key.algorithm}`);
  const requested = [...csr.sans.uris, ...csr.sans.dnsNames];
  if (requested.length > 0 && (!sameSet(csr.sans.uris, spec.csr.sans.uris) || !sameSet(csr.sans.dnsNames, spec.csr.sans.dnsNames))) {
    throw new TrustError(`the certificate request asks for SANs ${requested.join(", ")}, expected ${[...spec.csr.sans.uris, ...spec.csr.sans.dnsNames].join(", ")}`);
  }
  const issuer = await issuerKeyOf(root, crypto);
  if (!issuer.ca) throw new TrustError(`the signing certificate (${root.certificate.subject}) is not a CA`);
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
  return describeCertificate(toPem("CERTIFICATE", await buildCertificate(template, csr.spki, issuer, crypto)), crypto);
}

/**
 * Signs any certificate (CA or end-entity) for a public key under `issuer`; the primitive behind the others, used
 * e.g. to issue a test workload certificate under an intermediate.
 */
export async function signCertificate(template: CertificateTemplate, subjectPublicKey: CryptoKey, issuer: CertificateAuthority, crypto: Crypto): Promise<CertificateInfo> {
  const key = await issuerKeyOf(issuer, crypto);
  if (!key.ca) throw new TrustError(`the signing certificate (${issuer.certificate.subject}) is not a CA`);
  const spki = await publicKeySpki(subjectPublicKey, crypto);
  return describeCertificate(toPem("CERTIFICATE", await buildCertificate(template, spki, key, crypto)), crypto);
}

/** Loads a CA from PEMs (certificate + `PRIVATE KEY` / `RSA PRIVATE KEY` / `EC PRIVATE KEY`); checks they match. */
export async function loadCertificateAuthority(certificatePem: string, privateKeyPem: string, crypto: Crypto): Promise<CertificateAuthority> {
  const first = pemBlocks(certificatePem).find((b) => b.label === "CERTIFICATE");
  if (!first) throw new TrustError("no certificate in the CA's certificate PEM");
  const certificate = await describeCertificate(first.pem, crypto);
  if (!certificate.isCA) throw new TrustError(`the certificate (${certificate.subject}) is not a CA`);
  const privateKey = await importPrivateKeyPem(privateKeyPem, crypto);
  const spec = keySpecOfKey(privateKey);
  const parsed = parseCertificate(first.der);
  const probe = new TextEncoder().encode("meshhub key match probe");
  const signature = await signBytes(privateKey, spec, probe, crypto);
  const sigOid = spec.type === "RSA" ? "1.2.840.113549.1.1.11" : spec.signatureHash === "SHA-384" ? "1.2.840.10045.4.3.3" : "1.2.840.10045.4.3.2";
  if (!(await verifySignature(parsed.spki, sigOid, signature, probe, crypto))) throw new TrustError(`the private key does not belong to the certificate (${certificate.subject})`);
  return { certificate, privateKey };
}

/** The private key as PEM (PKCS#1 for RSA, SEC 1 for ECDSA). Put it only into a Secret. */
export async function privateKeyPem(key: CryptoKey, crypto: Crypto): Promise<string> {
  return exportPrivateKeyPem(key, crypto);
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
  if (typeof encoded === "string") return new TextDecoder().decode(fromBase64(encoded));
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

const b64 = (text: string): string => toBase64(new TextEncoder().encode(text));

function message(e: unknown): string {
  return e instanceof TrustError ? e.message : `signing failed: ${e instanceof Error ? e.name : "unknown error"}`;
}

async function bundleOf(rootPem: string, extra: readonly string[], crypto: Crypto): Promise<string> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of [rootPem, ...extra]) {
    for (const block of pemBlocks(text).filter((b) => b.label === "CERTIFICATE")) {
      const fp = await fingerprintSha256(block.der, crypto);
      if (seen.has(fp)) continue;
      seen.add(fp);
      out.push(toPem("CERTIFICATE", block.der));
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
        data: { "root-cert.pem": b64(root.certificate.pem), "key.pem": b64(await exportPrivateKeyPem(root.privateKey, crypto)) },
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
          keyPem = await exportPrivateKeyPem(keys.privateKey, crypto);
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
