/**
 * Key pairs on an injected WebCrypto: generation, signatures in X.509's encoding, and private-key PEM in the
 * traditional formats Istio and Linkerd both read (`RSA PRIVATE KEY` = PKCS#1, `EC PRIVATE KEY` = SEC 1 with the
 * curve named; Linkerd's issuer loader accepts only the latter for ECDSA).
 */
import { keySpecOf } from "./common.js";
import {
  child,
  children,
  concat,
  decode,
  derNull,
  expectChildren,
  explicit,
  octetString,
  oid,
  readOid,
  readUnsigned,
  sequence,
  singlePem,
  smallInteger,
  TAG,
  toPem,
  TrustError,
  unsignedInteger,
  type DerNode,
} from "./der.js";
import type { webcrypto } from "node:crypto";
import type { Crypto, CryptoKey, CryptoKeyPair, KeyAlgorithm, KeySpec } from "./types.js";

export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  sha384WithRSA: "1.2.840.113549.1.1.12",
  sha512WithRSA: "1.2.840.113549.1.1.13",
  ecPublicKey: "1.2.840.10045.2.1",
  prime256v1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ecdsaSha384: "1.2.840.10045.4.3.3",
  ecdsaSha512: "1.2.840.10045.4.3.4",
} as const;

const CURVE_OID: Record<"P-256" | "P-384", string> = { "P-256": OID.prime256v1, "P-384": OID.secp384r1 };
const CURVE_SIZE: Record<"P-256" | "P-384", number> = { "P-256": 32, "P-384": 48 };

function rsaParams(spec: KeySpec): webcrypto.RsaHashedImportParams {
  return { name: "RSASSA-PKCS1-v1_5", hash: spec.signatureHash };
}

function ecParams(spec: KeySpec): webcrypto.EcKeyImportParams {
  return { name: "ECDSA", namedCurve: spec.namedCurve ?? "P-256" };
}

/** Generates an extractable signing key pair. */
export async function generateKeyPair(key: KeySpec | KeyAlgorithm, crypto: Crypto): Promise<CryptoKeyPair> {
  const spec = typeof key === "string" ? keySpecOf(key) : key;
  if (spec.type === "RSA") {
    return crypto.subtle.generateKey({ ...rsaParams(spec), modulusLength: spec.rsaModulusBits ?? 4096, publicExponent: Uint8Array.of(1, 0, 1) }, true, ["sign", "verify"]);
  }
  return crypto.subtle.generateKey(ecParams(spec), true, ["sign", "verify"]);
}

/** The key algorithm of a key (from its WebCrypto algorithm description). */
export function keySpecOfKey(key: CryptoKey): KeySpec {
  const a = key.algorithm as Partial<webcrypto.RsaHashedKeyAlgorithm & webcrypto.EcKeyAlgorithm>;
  if (a.name === "RSASSA-PKCS1-v1_5" && (a.modulusLength === 2048 || a.modulusLength === 3072 || a.modulusLength === 4096)) return keySpecOf(`RSA-${a.modulusLength}` as KeyAlgorithm);
  if (a.name === "ECDSA" && a.namedCurve === "P-256") return keySpecOf("ECDSA-P256");
  if (a.name === "ECDSA" && a.namedCurve === "P-384") return keySpecOf("ECDSA-P384");
  throw new TrustError(`unsupported key: ${a.name ?? "unknown"} ${a.modulusLength ?? a.namedCurve ?? ""} (supported: RSA 2048/3072/4096, ECDSA P-256/P-384)`);
}

/** AlgorithmIdentifier of signatures made with a key of this spec. */
export function signatureAlgorithm(spec: KeySpec): Uint8Array {
  if (spec.type === "RSA") return sequence(oid(spec.signatureHash === "SHA-384" ? OID.sha384WithRSA : OID.sha256WithRSA), derNull());
  return sequence(oid(spec.signatureHash === "SHA-384" ? OID.ecdsaSha384 : OID.ecdsaSha256));
}

/** Signs and returns the signature as X.509 carries it (ECDSA: DER `SEQUENCE { r, s }`). */
export async function signBytes(privateKey: CryptoKey, spec: KeySpec, data: Uint8Array, crypto: Crypto): Promise<Uint8Array> {
  if (spec.type === "RSA") return new Uint8Array(await crypto.subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, privateKey, data));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: spec.signatureHash }, privateKey, data));
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}

/** Parsed SubjectPublicKeyInfo: the key algorithm when supported. */
export function keyAlgorithmOfSpki(spki: Uint8Array): KeyAlgorithm | undefined {
  const top = expectChildren(decode(spki), TAG.SEQUENCE, "SubjectPublicKeyInfo");
  const alg = expectChildren(child(top, 0, "SubjectPublicKeyInfo"), TAG.SEQUENCE, "AlgorithmIdentifier");
  const algOid = readOid(child(alg, 0, "AlgorithmIdentifier"));
  if (algOid === OID.rsaEncryption) {
    const bits = child(top, 1, "SubjectPublicKeyInfo").content.subarray(1);
    const modulus = readUnsigned(child(expectChildren(decode(bits), TAG.SEQUENCE, "RSAPublicKey"), 0, "RSAPublicKey"));
    const size = modulus.length * 8;
    return size === 2048 || size === 3072 || size === 4096 ? (`RSA-${size}` as KeyAlgorithm) : undefined;
  }
  if (algOid === OID.ecPublicKey) {
    const curve = readOid(child(alg, 1, "AlgorithmIdentifier"));
    return curve === OID.prime256v1 ? "ECDSA-P256" : curve === OID.secp384r1 ? "ECDSA-P384" : undefined;
  }
  return undefined;
}

/** Verifies an X.509-encoded signature with a public key given as SPKI DER. */
export async function verifySignature(spki: Uint8Array, signatureAlgorithmOid: string, signature: Uint8Array, data: Uint8Array, crypto: Crypto): Promise<boolean> {
  const hash =
    signatureAlgorithmOid === OID.sha256WithRSA || signatureAlgorithmOid === OID.ecdsaSha256
      ? "SHA-256"
      : signatureAlgorithmOid === OID.sha384WithRSA || signatureAlgorithmOid === OID.ecdsaSha384
        ? "SHA-384"
        : signatureAlgorithmOid === OID.sha512WithRSA || signatureAlgorithmOid === OID.ecdsaSha512
          ? "SHA-512"
          : undefined;
  if (!hash) throw new TrustError(`unsupported signature algorithm ${signatureAlgorithmOid}`);
  const algorithm = keyAlgorithmOfSpki(spki);
  if (!algorithm) throw new TrustError("unsupported public key (supported: RSA 2048/3072/4096, ECDSA P-256/P-384)");
  const spec = keySpecOf(algorithm);
  if (spec.type === "RSA") {
    if (!signatureAlgorithmOid.startsWith("1.2.840.113549.")) return false;
    const key = await crypto.subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["verify"]);
    return crypto.subtle.verify({ name: "RSASSA-PKCS1-v1_5" }, key, signature, data);
  }
  if (!signatureAlgorithmOid.startsWith("1.2.840.10045.")) return false;
  const key = await crypto.subtle.importKey("spki", spki, ecParams(spec), false, ["verify"]);
  const size = CURVE_SIZE[spec.namedCurve ?? "P-256"];
  let raw: Uint8Array;
  try {
    const rs = expectChildren(decode(signature), TAG.SEQUENCE, "ECDSA signature");
    const fit = (n: DerNode): Uint8Array => {
      const v = readUnsigned(n);
      if (v.length > size) throw new TrustError("ECDSA signature component too long");
      return concat([new Uint8Array(size - v.length), v]);
    };
    raw = concat([fit(child(rs, 0, "ECDSA signature")), fit(child(rs, 1, "ECDSA signature"))]);
  } catch {
    return false;
  }
  return crypto.subtle.verify({ name: "ECDSA", hash }, key, raw, data);
}

/** Private key as PEM: PKCS#1 `RSA PRIVATE KEY` or SEC 1 `EC PRIVATE KEY` (with the curve). Only Secrets carry it. */
export async function exportPrivateKeyPem(privateKey: CryptoKey, crypto: Crypto): Promise<string> {
  const spec = keySpecOfKey(privateKey);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey));
  const info = expectChildren(decode(pkcs8), TAG.SEQUENCE, "PrivateKeyInfo");
  const inner = child(info, 2, "PrivateKeyInfo").content;
  if (spec.type === "RSA") return toPem("RSA PRIVATE KEY", inner);
  const ec = expectChildren(decode(inner), TAG.SEQUENCE, "ECPrivateKey");
  const d = child(ec, 1, "ECPrivateKey");
  const publicKey = ec.find((n) => n.tag === 0xa1);
  let pub = publicKey?.raw;
  if (!pub) {
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", await publicFromPrivate(privateKey, crypto)));
    pub = explicit(1, child(expectChildren(decode(spki), TAG.SEQUENCE, "SubjectPublicKeyInfo"), 1, "SubjectPublicKeyInfo").raw);
  }
  const sec1 = sequence(smallInteger(1), d.raw, explicit(0, oid(CURVE_OID[spec.namedCurve ?? "P-256"])), pub);
  return toPem("EC PRIVATE KEY", sec1);
}

async function publicFromPrivate(privateKey: CryptoKey, crypto: Crypto): Promise<CryptoKey> {
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const { kty, crv, x, y, n, e } = jwk;
  const spec = keySpecOfKey(privateKey);
  return crypto.subtle.importKey("jwk", { kty, crv, x, y, n, e, ext: true }, spec.type === "RSA" ? rsaParams(spec) : ecParams(spec), true, ["verify"]);
}

/** The public key (SPKI DER) matching a private key. */
export async function publicKeySpki(privateOrPublic: CryptoKey, crypto: Crypto): Promise<Uint8Array> {
  const pub = privateOrPublic.type === "public" ? privateOrPublic : await publicFromPrivate(privateOrPublic, crypto);
  return new Uint8Array(await crypto.subtle.exportKey("spki", pub));
}

/** Imports a private key PEM (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`) for signing. */
export async function importPrivateKeyPem(pem: string, crypto: Crypto): Promise<CryptoKey> {
  const block = singlePem(pem, ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"], "private key");
  let pkcs8: Uint8Array;
  let isRsa: boolean;
  let curve: "P-256" | "P-384" | undefined;
  if (block.label === "RSA PRIVATE KEY") {
    pkcs8 = sequence(smallInteger(0), sequence(oid(OID.rsaEncryption), derNull()), octetString(block.der));
    isRsa = true;
  } else if (block.label === "EC PRIVATE KEY") {
    const ec = expectChildren(decode(block.der), TAG.SEQUENCE, "ECPrivateKey");
    const params = ec.find((n) => n.tag === 0xa0);
    const curveOid = params ? readOid(child(children(params), 0, "ECPrivateKey parameters")) : undefined;
    curve = curveOid === OID.prime256v1 ? "P-256" : curveOid === OID.secp384r1 ? "P-384" : undefined;
    if (!curve) throw new TrustError("EC private key: the curve is missing or not P-256/P-384");
    pkcs8 = sequence(smallInteger(0), sequence(oid(OID.ecPublicKey), oid(curveOid as string)), octetString(block.der));
    isRsa = false;
  } else {
    pkcs8 = block.der;
    const alg = expectChildren(child(expectChildren(decode(pkcs8), TAG.SEQUENCE, "PrivateKeyInfo"), 1, "PrivateKeyInfo"), TAG.SEQUENCE, "AlgorithmIdentifier");
    const algOid = readOid(child(alg, 0, "AlgorithmIdentifier"));
    isRsa = algOid === OID.rsaEncryption;
    if (!isRsa) {
      if (algOid !== OID.ecPublicKey) throw new TrustError(`unsupported private key algorithm ${algOid}`);
      const curveOid = readOid(child(alg, 1, "AlgorithmIdentifier"));
      curve = curveOid === OID.prime256v1 ? "P-256" : curveOid === OID.secp384r1 ? "P-384" : undefined;
      if (!curve) throw new TrustError(`unsupported curve ${curveOid}`);
    }
  }
  try {
    if (isRsa) return await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
    return await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: curve as string }, true, ["sign"]);
  } catch {
    throw new TrustError("the private key cannot be imported (corrupt or unsupported)");
  }
}

