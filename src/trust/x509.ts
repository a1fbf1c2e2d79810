/** X.509 v3 certificates and PKCS#10 requests: encoding, signing (injected WebCrypto) and parsing. */
import { compareStrings } from "../codec/canonical.js";
import {
  bitString,
  boolean,
  child,
  children,
  concat,
  decode,
  explicit,
  expectChildren,
  asciiBytes,
  implicitPrimitive,
  namedBits,
  octetString,
  oid,
  readBitStringBytes,
  readOid,
  readString,
  readTime,
  readUnsigned,
  sequence,
  set,
  smallInteger,
  TAG,
  time,
  toHex,
  TrustError,
  unsignedInteger,
  utf8String,
  fromHex,
  type DerNode,
} from "./der.js";
import { keyAlgorithmOfSpki, signatureAlgorithm, signBytes } from "./keys.js";
import type { Crypto, CryptoKey, KeyAlgorithm, KeySpec, KeyUsage, SubjectAltNames, SubjectSpec } from "./types.js";

const OID_NAME = { commonName: "2.5.4.3", organization: "2.5.4.10" } as const;
const NAME_LABEL: Readonly<Record<string, string>> = { "2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.6": "C" };
const OID_EXT = {
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
} as const;
const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const KEY_USAGE_BIT: Readonly<Record<KeyUsage, number>> = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };
const EKU_OID = { serverAuth: "1.3.6.1.5.5.7.3.1", clientAuth: "1.3.6.1.5.5.7.3.2" } as const;

/** Name in meshhub's attribute order: O, then CN. */
export function encodeName(subject: SubjectSpec): Uint8Array {
  const rdns: Uint8Array[] = [];
  if (subject.organization !== undefined) rdns.push(set(sequence(oid(OID_NAME.organization), utf8String(subject.organization))));
  if (subject.commonName !== undefined) rdns.push(set(sequence(oid(OID_NAME.commonName), utf8String(subject.commonName))));
  return sequence(...rdns);
}

/** `O=meshhub, CN=…`: a Name as text, attributes in encoding order. */
export function nameToText(name: DerNode): string {
  const parts: string[] = [];
  for (const rdn of expectChildren(name, TAG.SEQUENCE, "Name")) {
    for (const atv of children(rdn)) {
      const [t, v] = children(atv);
      if (!t || !v) continue;
      const type = readOid(t);
      parts.push(`${NAME_LABEL[type] ?? type}=${readString(v)}`);
    }
  }
  return parts.join(", ");
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function sanValue(sans: SubjectAltNames): Uint8Array {
  // GeneralName dNSName [2] / uniformResourceIdentifier [6]: IMPLICIT IA5String, so the tag replaces IA5's.
  return sequence(...sans.dnsNames.map((d) => implicitPrimitive(2, asciiBytes(d))), ...sans.uris.map((u) => implicitPrimitive(6, asciiBytes(u))));
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

/** The issuing side: its Name (DER), key identifier and private key. */
export interface IssuerKey {
  readonly name: Uint8Array;
  readonly keyId: Uint8Array;
  readonly privateKey: CryptoKey;
  readonly spec: KeySpec;
}

async function sha(crypto: Crypto, hash: "SHA-1" | "SHA-256", data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest(hash, bytes));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 over the subjectPublicKey bits. */
export async function keyIdentifier(spki: Uint8Array, crypto: Crypto): Promise<Uint8Array> {
  const top = expectChildren(decode(spki), TAG.SEQUENCE, "SubjectPublicKeyInfo");
  return sha(crypto, "SHA-1", readBitStringBytes(child(top, 1, "SubjectPublicKeyInfo")));
}

/** SHA-256 over the DER bytes, lower-case hex (`openssl x509 -fingerprint -sha256` without colons). */
export async function fingerprintSha256(der: Uint8Array, crypto: Crypto): Promise<string> {
  return toHex(await sha(crypto, "SHA-256", der));
}

/** A positive 128-bit serial: SHA-256 of a deterministic seed, truncated. No randomness needed. */
export async function deriveSerial(seed: string, crypto: Crypto): Promise<Uint8Array> {
  const bytes = (await sha(crypto, "SHA-256", seed)).slice(0, 16);
  bytes[0] = (bytes[0] as number) & 0x7f || 0x01;
  return bytes;
}

/** Encodes and signs a certificate for `subjectSpki` (self-signed when `issuer` names the same key). */
export async function buildCertificate(template: CertificateTemplate, subjectSpki: Uint8Array, issuer: IssuerKey, crypto: Crypto): Promise<Uint8Array> {
  if (template.notAfter.getTime() <= template.notBefore.getTime()) throw new TrustError("notAfter must be after notBefore");
  const subjectName = encodeName(template.subject);
  const subjectKeyId = await keyIdentifier(subjectSpki, crypto);
  const sans = template.sans ? { uris: [...template.sans.uris].sort(compareStrings), dnsNames: [...template.sans.dnsNames].sort(compareStrings) } : undefined;
  const serial = template.serialNumber
    ? fromHex(template.serialNumber)
    : await deriveSerial([toHex(issuer.name), toHex(subjectName), sans?.dnsNames.join(",") ?? "", sans?.uris.join(",") ?? "", template.notBefore.toISOString(), toHex(subjectKeyId)].join("|"), crypto);
  const exts: Uint8Array[] = [];
  if (template.ca) {
    const bc = template.ca.pathLenConstraint === null ? sequence(boolean(true)) : sequence(boolean(true), smallInteger(template.ca.pathLenConstraint));
    exts.push(extension(OID_EXT.basicConstraints, true, bc));
  } else {
    exts.push(extension(OID_EXT.basicConstraints, true, sequence()));
  }
  if (template.keyUsage.length > 0) exts.push(extension(OID_EXT.keyUsage, true, namedBits(template.keyUsage.map((k) => KEY_USAGE_BIT[k]))));
  if (template.extendedKeyUsage && template.extendedKeyUsage.length > 0) exts.push(extension(OID_EXT.extKeyUsage, false, sequence(...template.extendedKeyUsage.map((e) => oid(EKU_OID[e])))));
  exts.push(extension(OID_EXT.subjectKeyId, false, octetString(subjectKeyId)));
  exts.push(extension(OID_EXT.authorityKeyId, false, sequence(implicitPrimitive(0, issuer.keyId))));
  if (sans && sans.uris.length + sans.dnsNames.length > 0) {
    // RFC 5280 §4.2.1.6: critical when the subject is empty.
    exts.push(extension(OID_EXT.subjectAltName, template.subject.commonName === undefined && template.subject.organization === undefined, sanValue(sans)));
  }
  const sigAlg = signatureAlgorithm(issuer.spec);
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    sigAlg,
    issuer.name,
    sequence(time(template.notBefore), time(template.notAfter)),
    subjectName,
    subjectSpki,
    explicit(3, sequence(...exts)),
  );
  const signature = await signBytes(issuer.privateKey, issuer.spec, tbs, crypto);
  return sequence(tbs, sigAlg, bitString(signature));
}

/** Encodes and signs a PKCS#10 request; SANs travel in an `extensionRequest` attribute. */
export async function buildCsr(subject: SubjectSpec, sans: SubjectAltNames, spki: Uint8Array, privateKey: CryptoKey, spec: KeySpec, crypto: Crypto): Promise<Uint8Array> {
  const attributes: Uint8Array[] = [];
  if (sans.uris.length + sans.dnsNames.length > 0) {
    attributes.push(sequence(oid(OID_EXTENSION_REQUEST), set(sequence(extension(OID_EXT.subjectAltName, false, sanValue(sans))))));
  }
  const info = sequence(smallInteger(0), encodeName(subject), spki, explicit(0, concat(attributes)));
  const sigAlg = signatureAlgorithm(spec);
  const signature = await signBytes(privateKey, spec, info, crypto);
  return sequence(info, sigAlg, bitString(signature));
}

// ---- parsing ----------------------------------------------------------------------------------------------

function parseSans(extnValue: Uint8Array): { uris: string[]; dnsNames: string[] } {
  const out = { uris: [] as string[], dnsNames: [] as string[] };
  for (const gn of expectChildren(decode(extnValue), TAG.SEQUENCE, "SubjectAltName")) {
    if (gn.tag === 0x86) out.uris.push(readString(gn));
    else if (gn.tag === 0x82) out.dnsNames.push(readString(gn));
  }
  return out;
}

function parseExtensions(list: readonly DerNode[]): Map<string, { critical: boolean; value: Uint8Array }> {
  const out = new Map<string, { critical: boolean; value: Uint8Array }>();
  for (const ext of list) {
    const parts = expectChildren(ext, TAG.SEQUENCE, "Extension");
    const id = readOid(child(parts, 0, "Extension"));
    const critical = parts.length === 3 && (parts[1] as DerNode).tag === TAG.BOOLEAN && (parts[1] as DerNode).content[0] !== 0;
    const value = (parts[parts.length - 1] as DerNode).content;
    out.set(id, { critical, value });
  }
  return out;
}

/** What meshhub reads from a certificate. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly serialNumber: string;
  readonly issuerName: Uint8Array;
  readonly subjectName: Uint8Array;
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly keyAlgorithm: KeyAlgorithm | undefined;
  readonly subjectKeyId: Uint8Array | undefined;
  readonly ca: boolean;
  readonly pathLenConstraint: number | undefined;
  readonly sans: { readonly uris: readonly string[]; readonly dnsNames: readonly string[] };
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const top = expectChildren(decode(der), TAG.SEQUENCE, "Certificate");
  const tbsNode = child(top, 0, "Certificate");
  const tbs = expectChildren(tbsNode, TAG.SEQUENCE, "TBSCertificate");
  const off = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const at = (i: number): DerNode => child(tbs, i + off, "TBSCertificate");
  const validity = expectChildren(at(3), TAG.SEQUENCE, "Validity");
  const spki = at(5).raw;
  let exts = new Map<string, { critical: boolean; value: Uint8Array }>();
  const extNode = tbs.find((n) => n.tag === 0xa3);
  if (extNode) exts = parseExtensions(expectChildren(child(children(extNode), 0, "extensions"), TAG.SEQUENCE, "Extensions"));
  let ca = false;
  let pathLen: number | undefined;
  const bc = exts.get(OID_EXT.basicConstraints);
  if (bc) {
    const parts = children(decode(bc.value));
    for (const p of parts) {
      if (p.tag === TAG.BOOLEAN) ca = p.content[0] !== 0;
      if (p.tag === TAG.INTEGER) pathLen = Number.parseInt(toHex(readUnsigned(p)) || "0", 16);
    }
  }
  const ski = exts.get(OID_EXT.subjectKeyId);
  const sanExt = exts.get(OID_EXT.subjectAltName);
  return {
    der,
    tbs: tbsNode.raw,
    serialNumber: toHex(readUnsigned(at(0))),
    issuerName: at(2).raw,
    subjectName: at(4).raw,
    issuer: nameToText(at(2)),
    subject: nameToText(at(4)),
    notBefore: readTime(child(validity, 0, "Validity")),
    notAfter: readTime(child(validity, 1, "Validity")),
    spki,
    keyAlgorithm: keyAlgorithmOfSpki(spki),
    subjectKeyId: ski ? decode(ski.value).content : undefined,
    ca,
    pathLenConstraint: pathLen,
    sans: sanExt ? parseSans(sanExt.value) : { uris: [], dnsNames: [] },
    signatureAlgorithm: readOid(child(expectChildren(child(top, 1, "Certificate"), TAG.SEQUENCE, "AlgorithmIdentifier"), 0, "AlgorithmIdentifier")),
    signature: readBitStringBytes(child(top, 2, "Certificate")),
  };
}

/** What meshhub reads from a certificate request. */
export interface ParsedCsr {
  readonly info: Uint8Array;
  readonly subject: string;
  readonly spki: Uint8Array;
  readonly keyAlgorithm: KeyAlgorithm | undefined;
  readonly sans: { readonly uris: readonly string[]; readonly dnsNames: readonly string[] };
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

export function parseCsr(der: Uint8Array): ParsedCsr {
  const top = expectChildren(decode(der), TAG.SEQUENCE, "CertificationRequest");
  const infoNode = child(top, 0, "CertificationRequest");
  const info = expectChildren(infoNode, TAG.SEQUENCE, "CertificationRequestInfo");
  const spki = child(info, 2, "CertificationRequestInfo").raw;
  let sans = { uris: [] as string[], dnsNames: [] as string[] };
  const attrs = info[3];
  if (attrs && attrs.tag === 0xa0) {
    for (const attr of children(attrs)) {
      const [type, values] = expectChildren(attr, TAG.SEQUENCE, "Attribute");
      if (!type || !values || readOid(type) !== OID_EXTENSION_REQUEST) continue;
      for (const extsNode of children(values)) {
        const san = parseExtensions(expectChildren(extsNode, TAG.SEQUENCE, "Extensions")).get(OID_EXT.subjectAltName);
        if (san) sans = parseSans(san.value);
      }
    }
  }
  return {
    info: infoNode.raw,
    subject: nameToText(child(info, 1, "CertificationRequestInfo")),
    spki,
    keyAlgorithm: keyAlgorithmOfSpki(spki),
    sans,
    signatureAlgorithm: readOid(child(expectChildren(child(top, 1, "CertificationRequest"), TAG.SEQUENCE, "AlgorithmIdentifier"), 0, "AlgorithmIdentifier")),
    signature: readBitStringBytes(child(top, 2, "CertificationRequest")),
  };
}
