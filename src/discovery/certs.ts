import { X509Certificate, createHash } from "node:crypto";
import type { TrustAnchorInfo } from "../model/discovery.js";

/**
 * Reads PEM certificates without trusting them blindly: each certificate's SHA-256 fingerprint over the DER bytes,
 * subject and validity. Pure (parsing only). Node's built-in X.509 parser is enough for reading; signing lives in
 * src/trust on @peculiar/x509.
 */

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** One parsed certificate, or the reason it could not be parsed. */
export type ParsedCertificate = { readonly ok: true; readonly info: TrustAnchorInfo } | { readonly ok: false; readonly index: number; readonly error: string };

const MONTHS: Readonly<Record<string, string>> = { Jan: "01", Feb: "02", Mar: "03", Apr: "04", May: "05", Jun: "06", Jul: "07", Aug: "08", Sep: "09", Oct: "10", Nov: "11", Dec: "12" };

/** `Aug 26 07:12:47 2030 GMT` (OpenSSL's format, as node prints it) → `2030-08-26T07:12:47Z`. */
export function opensslDateToIso(text: string): string | undefined {
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s+(\d{4})\s+GMT$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS[m[1] as string];
  if (month === undefined) return undefined;
  return `${m[6]}-${month}-${(m[2] as string).padStart(2, "0")}T${m[3]}:${m[4]}:${m[5]}Z`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Parses every certificate in a PEM bundle. `pemSha256` is the SHA-256 of the certificate's PEM block plus a newline
 * (what Linkerd's `linkerd.io/trust-root-sha256` pod annotation holds for a one-certificate bundle); `fingerprintSha256`
 * is over the DER bytes, like `openssl x509 -fingerprint -sha256`.
 */
export function parsePemBundle(bundle: string, options: { keepPem?: boolean; source?: string } = {}): ParsedCertificate[] {
  const blocks = bundle.match(PEM_BLOCK) ?? [];
  const out: ParsedCertificate[] = [];
  blocks.forEach((pem, index) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (e) {
      out.push({ ok: false, index, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const info: TrustAnchorInfo = {
      fingerprintSha256: sha256Hex(cert.raw),
      subject: cert.subject.split("\n").filter((s) => s !== "").join(", "),
      notBefore: opensslDateToIso(cert.validFrom),
      notAfter: opensslDateToIso(cert.validTo),
      pemSha256: sha256Hex(`${pem}\n`),
    };
    if (options.keepPem) info.pem = `${pem}\n`;
    if (options.source !== undefined) info.source = options.source;
    out.push({ ok: true, info });
  });
  return out;
}
