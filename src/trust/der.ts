/**
 * A minimal DER (ASN.1 Distinguished Encoding Rules) encoder and decoder: just what X.509 certificates, PKCS#10
 * certificate requests and private-key containers need. Pure: no I/O, no clock, no randomness.
 *
 * Why not `@peculiar/x509`: it pulls in `tsyringe`, which throws at import time unless a global `reflect-metadata`
 * polyfill is installed first. The pure core must not patch globals, so certificates are encoded here and signed
 * with the injected WebCrypto.
 */

/** Raised for malformed DER/PEM input and invalid certificate requests. Never carries key material. */
export class TrustError extends Error {
  override readonly name = "TrustError";
}

// ---- encoding -----------------------------------------------------------------------------------------

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(tag), encodeLength(content.length), content]);
}

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, concat(items));
export const set = (...items: readonly Uint8Array[]): Uint8Array => tlv(TAG.SET, concat(items));
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, bytes);
export const bitString = (bytes: Uint8Array, unusedBits = 0): Uint8Array => tlv(TAG.BIT_STRING, concat([Uint8Array.of(unusedBits), bytes]));
export const derNull = (): Uint8Array => Uint8Array.of(TAG.NULL, 0);
export const boolean = (value: boolean): Uint8Array => Uint8Array.of(TAG.BOOLEAN, 1, value ? 0xff : 0);
export const utf8String = (s: string): Uint8Array => tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
/** `[n] EXPLICIT` wrapper (constructed, context-specific). */
export const explicit = (n: number, content: Uint8Array): Uint8Array => tlv(0xa0 | n, content);
/** `[n] IMPLICIT` primitive (context-specific). */
export const implicitPrimitive = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);

export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e) throw new TrustError(`not an ASCII string: ${JSON.stringify(s)}`);
    out[i] = c;
  }
  return out;
}

/** INTEGER from unsigned big-endian bytes: strips leading zeros, adds one when the high bit is set. */
export function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  const content = (trimmed[0] ?? 0) & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed.length === 0 ? Uint8Array.of(0) : trimmed;
  return tlv(TAG.INTEGER, content);
}

export function smallInteger(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new TrustError(`integer out of range: ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return unsignedInteger(Uint8Array.from(bytes.length ? bytes : [0]));
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0)) throw new TrustError(`not an object identifier: ${dotted}`);
  const out: number[] = [(parts[0] as number) * 40 + (parts[1] as number)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always UTC, whole seconds. */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const rest = `${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, asciiBytes(`${pad2(y % 100)}${rest}`));
  return tlv(TAG.GENERALIZED_TIME, asciiBytes(`${String(y).padStart(4, "0")}${rest}`));
}

/** BIT STRING of named bits (bit 0 = most significant bit of the first byte), DER-minimal. */
export function namedBits(bits: readonly number[]): Uint8Array {
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)]! |= 0x80 >> (b % 8);
  const last = bytes[bytes.length - 1] as number;
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return bitString(bytes, unused);
}

// ---- decoding -----------------------------------------------------------------------------------------

/** A decoded TLV. `raw` is the whole encoding (tag + length + content), `content` the value bytes. */
export interface DerNode {
  readonly tag: number;
  readonly raw: Uint8Array;
  readonly content: Uint8Array;
}

function readNode(bytes: Uint8Array, at: number): { node: DerNode; next: number } {
  const tag = bytes[at];
  if (tag === undefined) throw new TrustError("truncated DER: missing tag");
  if ((tag & 0x1f) === 0x1f) throw new TrustError("unsupported DER: multi-byte tag");
  let pos = at + 1;
  const first = bytes[pos++];
  if (first === undefined) throw new TrustError("truncated DER: missing length");
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new TrustError("unsupported DER length");
    length = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[pos++];
      if (b === undefined) throw new TrustError("truncated DER: length");
      length = length * 256 + b;
    }
  }
  const end = pos + length;
  if (end > bytes.length) throw new TrustError("truncated DER: content is shorter than its length");
  return { node: { tag, raw: bytes.subarray(at, end), content: bytes.subarray(pos, end) }, next: end };
}

/** Decodes exactly one TLV spanning all of `bytes`. */
export function decode(bytes: Uint8Array): DerNode {
  const { node, next } = readNode(bytes, 0);
  if (next !== bytes.length) throw new TrustError("trailing bytes after DER value");
  return node;
}

/** The TLVs inside a constructed node. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let at = 0; at < node.content.length; ) {
    const r = readNode(node.content, at);
    out.push(r.node);
    at = r.next;
  }
  return out;
}

/** `children(node)` checked against the expected tag, throwing a readable error otherwise. */
export function expectChildren(node: DerNode, tag: number, what: string): DerNode[] {
  if (node.tag !== tag) throw new TrustError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return children(node);
}

export function child(list: readonly DerNode[], index: number, what: string): DerNode {
  const n = list[index];
  if (!n) throw new TrustError(`${what}: missing element ${index}`);
  return n;
}

export function readOid(node: DerNode): string {
  if (node.tag !== TAG.OID) throw new TrustError("expected an object identifier");
  const b = node.content;
  const first = b[0] ?? 0;
  const parts: number[] = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const byte = b[i] as number;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

export function readTime(node: DerNode): Date {
  const s = new TextDecoder().decode(node.content);
  let m: RegExpExecArray | null;
  if (node.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (node.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new TrustError(`unsupported time encoding ${JSON.stringify(s)}`);
}

export function readString(node: DerNode): string {
  return new TextDecoder().decode(node.content);
}

/** Content of a BIT STRING with no unused bits. */
export function readBitStringBytes(node: DerNode): Uint8Array {
  if (node.tag !== TAG.BIT_STRING || node.content[0] !== 0) throw new TrustError("expected a byte-aligned BIT STRING");
  return node.content.subarray(1);
}

/** Unsigned big-endian bytes of an INTEGER (sign byte removed). */
export function readUnsigned(node: DerNode): Uint8Array {
  if (node.tag !== TAG.INTEGER) throw new TrustError("expected an INTEGER");
  let i = 0;
  while (i < node.content.length - 1 && node.content[i] === 0) i++;
  return node.content.subarray(i);
}

// ---- PEM, hex, base64 ------------------------------------------------------------------------------------

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) throw new TrustError("not a hex string");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** PEM block with 64-character lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in a text, in order. */
export function pemBlocks(text: string): { label: string; der: Uint8Array; pem: string }[] {
  const out: { label: string; der: Uint8Array; pem: string }[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const body = (m[2] as string).replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new TrustError(`PEM block ${m[1]} is not valid base64`);
    out.push({ label: m[1] as string, der: fromBase64(body), pem: `${m[0]}\n` });
  }
  return out;
}

/** The single PEM block with one of the given labels. */
export function singlePem(text: string, labels: readonly string[], what: string): { label: string; der: Uint8Array } {
  const blocks = pemBlocks(text).filter((b) => labels.includes(b.label));
  if (blocks.length !== 1) throw new TrustError(`${what}: expected one PEM block of ${labels.join(" / ")}, found ${blocks.length}`);
  return blocks[0] as { label: string; der: Uint8Array };
}
