/** 32-bit FNV-1a over the UTF-8 bytes of `text`, as 8 lower-case hex digits. Stable across runs and platforms. */
export function fnv1a32Hex(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** 32-bit FNV-1 (multiply, then xor) over the UTF-8 bytes of `text`: Gloo Mesh's virtual IP scheme uses it. */
export function fnv1_32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ byte) >>> 0;
  }
  return h;
}
