// Lowercase hex of byte ranges of the input, one string per call (no per-byte concatenation).
const DIGITS = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const latin1 = new TextDecoder("latin1");
const chars = new Uint8Array(128);
const views: Uint8Array[] = [];

/** Hex of bytes[at, at + size); size at most 64. */
export function hexOf(bytes: Uint8Array, at: number, size: number): string {
  for (let i = 0; i < size; i++) {
    const b = bytes[at + i]!;
    chars[2 * i] = DIGITS[b >> 4]!;
    chars[2 * i + 1] = DIGITS[b & 15]!;
  }
  return latin1.decode(views[size] ??= chars.subarray(0, 2 * size));
}
