/**
 * Key pairs on an injected WebCrypto: generation, and private keys in the traditional containers Istio and Linkerd
 * both read (`RSA PRIVATE KEY` = PKCS#1, `EC PRIVATE KEY` = SEC 1 with the curve named; Linkerd's issuer loader
 * accepts only the latter for ECDSA). WebCrypto speaks PKCS#8 only, so these convert between PKCS#8 and the
 * traditional containers with the `@peculiar/asn1-*` schemas.
 */
import { ECParameters, ECPrivateKey, id_ecPublicKey, id_secp256r1, id_secp384r1 } from "@peculiar/asn1-ecc";
import { PrivateKey, PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { id_rsaEncryption, rsaEncryption } from "@peculiar/asn1-rsa";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import type { webcrypto } from "node:crypto";
import { keySpecOf, TrustError } from "./common.js";
import type { Crypto, CryptoKey, CryptoKeyPair, KeyAlgorithm, KeySpec } from "./types.js";

const CURVE_OID: Readonly<Record<"P-256" | "P-384", string>> = { "P-256": id_secp256r1, "P-384": id_secp384r1 };

/** Private key PEM labels meshhub reads; it writes the last two. */
export const PRIVATE_KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"] as const;
export type PrivateKeyLabel = (typeof PRIVATE_KEY_LABELS)[number];

/** How keys from an RSA private key container are imported: for PKCS#1 v1.5 signatures (meshhub signs with SHA-256). */
const RSA_IMPORT: webcrypto.RsaHashedImportParams = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

/** The parameters X.509 signatures made with a key of this spec use (the hash rides along for ECDSA). */
export function signingAlgorithm(spec: KeySpec): webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams {
  return spec.type === "RSA" ? { name: "RSASSA-PKCS1-v1_5", hash: spec.signatureHash } : { name: "ECDSA", hash: spec.signatureHash };
}

/** Generates an extractable signing key pair. */
export async function generateKeyPair(key: KeySpec | KeyAlgorithm, crypto: Crypto): Promise<CryptoKeyPair> {
  const spec = typeof key === "string" ? keySpecOf(key) : key;
  if (spec.type === "RSA") {
    return crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", hash: spec.signatureHash, modulusLength: spec.rsaModulusBits ?? 4096, publicExponent: Uint8Array.of(1, 0, 1) }, true, ["sign", "verify"]);
  }
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: spec.namedCurve ?? "P-256" }, true, ["sign", "verify"]);
}

/** The supported key algorithm a WebCrypto algorithm description names (a key's, or an X.509 public key's). */
export function keyAlgorithmOf(algorithm: { readonly name?: string; readonly modulusLength?: number; readonly namedCurve?: string }): KeyAlgorithm | undefined {
  const { name, modulusLength: bits, namedCurve: curve } = algorithm;
  if (name === "RSASSA-PKCS1-v1_5" && (bits === 2048 || bits === 3072 || bits === 4096)) return `RSA-${bits}`;
  if (name === "ECDSA" && (curve === "P-256" || curve === "P-384")) return curve === "P-256" ? "ECDSA-P256" : "ECDSA-P384";
  return undefined;
}

/** The key algorithm of a key (from its WebCrypto algorithm description). */
export function keySpecOfKey(key: CryptoKey): KeySpec {
  const a = key.algorithm as Partial<webcrypto.RsaHashedKeyAlgorithm & webcrypto.EcKeyAlgorithm>;
  const algorithm = keyAlgorithmOf(a);
  if (!algorithm) throw new TrustError(`unsupported key: ${a.name ?? "unknown"} ${a.modulusLength ?? a.namedCurve ?? ""} (supported: RSA 2048/3072/4096, ECDSA P-256/P-384)`);
  return keySpecOf(algorithm);
}

/** True when both keys hold the same public key (compared as JWK, so independent of the encoding). */
export async function sameKeyPair(privateKey: CryptoKey, publicKey: CryptoKey, crypto: Crypto): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.exportKey("jwk", privateKey), crypto.subtle.exportKey("jwk", publicKey)]);
  return a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y && a.n === b.n && a.e === b.e;
}

/** Private key as DER in PKCS#1 (`RSA PRIVATE KEY`) or SEC 1 with the named curve (`EC PRIVATE KEY`). Only Secrets carry it. */
export async function exportPrivateKey(privateKey: CryptoKey, crypto: Crypto): Promise<{ label: PrivateKeyLabel; der: ArrayBuffer }> {
  const spec = keySpecOfKey(privateKey);
  const info = AsnConvert.parse(await crypto.subtle.exportKey("pkcs8", privateKey), PrivateKeyInfo);
  // PKCS#8 wraps exactly the PKCS#1 / SEC 1 structure; SEC 1 additionally names the curve (PKCS#8 has it outside).
  if (spec.type === "RSA") return { label: "RSA PRIVATE KEY", der: info.privateKey.buffer };
  const ec = AsnConvert.parse(info.privateKey.buffer, ECPrivateKey);
  ec.parameters = new ECParameters({ namedCurve: CURVE_OID[spec.namedCurve ?? "P-256"] });
  return { label: "EC PRIVATE KEY", der: AsnConvert.serialize(ec) };
}

function curveOf(oid: string | undefined): "P-256" | "P-384" {
  if (oid === id_secp256r1) return "P-256";
  if (oid === id_secp384r1) return "P-384";
  throw new TrustError("EC private key: the curve is missing or not P-256/P-384");
}

/** The PKCS#8 `PrivateKeyInfo` of a private key container, and how WebCrypto imports it. */
function pkcs8Of(label: PrivateKeyLabel, der: ArrayBuffer): { info: PrivateKeyInfo; params: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams } {
  if (label === "RSA PRIVATE KEY") return { info: new PrivateKeyInfo({ privateKeyAlgorithm: rsaEncryption, privateKey: new PrivateKey(der) }), params: RSA_IMPORT };
  if (label === "EC PRIVATE KEY") {
    const namedCurve = curveOf(AsnConvert.parse(der, ECPrivateKey).parameters?.namedCurve);
    const algorithm = new AlgorithmIdentifier({ algorithm: id_ecPublicKey, parameters: AsnConvert.serialize(new ECParameters({ namedCurve: CURVE_OID[namedCurve] })) });
    return { info: new PrivateKeyInfo({ privateKeyAlgorithm: algorithm, privateKey: new PrivateKey(der) }), params: { name: "ECDSA", namedCurve } };
  }
  const info = AsnConvert.parse(der, PrivateKeyInfo);
  const { algorithm, parameters } = info.privateKeyAlgorithm;
  if (algorithm === id_rsaEncryption) return { info, params: RSA_IMPORT };
  if (algorithm !== id_ecPublicKey) throw new TrustError(`unsupported private key algorithm ${algorithm}`);
  return { info, params: { name: "ECDSA", namedCurve: curveOf(parameters ? AsnConvert.parse(parameters, ECParameters).namedCurve : undefined) } };
}

/** Imports a private key (`PRIVATE KEY` = PKCS#8, `RSA PRIVATE KEY` or `EC PRIVATE KEY`) for signing. */
export async function importPrivateKey(label: PrivateKeyLabel, der: ArrayBuffer, crypto: Crypto): Promise<CryptoKey> {
  let pkcs8: ReturnType<typeof pkcs8Of>;
  try {
    pkcs8 = pkcs8Of(label, der);
  } catch (e) {
    throw e instanceof TrustError ? e : new TrustError("the private key cannot be read (corrupt or unsupported)");
  }
  try {
    return await crypto.subtle.importKey("pkcs8", AsnConvert.serialize(pkcs8.info), pkcs8.params, true, ["sign"]);
  } catch {
    throw new TrustError("the private key cannot be imported (corrupt or unsupported)");
  }
}
