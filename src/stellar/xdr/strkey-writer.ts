// SEP-23 strkeys straight from byte views of the input, with a table-driven CRC16 and one string
// built per key: the same output as ../strkey.ts, at a cost that suits millions of addresses.
import { VersionByte } from "../strkey.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

const CRC_TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  CRC_TABLE[i] = crc;
}

const MAX_PAYLOAD = 41;
const scratch = new Uint8Array(MAX_PAYLOAD + 3);
const chars = new Uint8Array(Math.ceil(((MAX_PAYLOAD + 3) * 8) / 5));
const latin1 = new TextDecoder("latin1");

/** The strkey of `versionByte`, bytes[at, at + size), then suffix[suffixAt, suffixAt + suffixSize). */
function strkeyOf(versionByte: number, bytes: Uint8Array, at: number, size: number, suffix?: Uint8Array, suffixAt = 0, suffixSize = 0): string {
  let n = 0;
  scratch[n++] = versionByte;
  for (let i = at; i < at + size; i++) scratch[n++] = bytes[i]!;
  if (suffix) for (let i = suffixAt; i < suffixAt + suffixSize; i++) scratch[n++] = suffix[i]!;
  let crc = 0;
  for (let i = 0; i < n; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ scratch[i]!) & 0xff]!;
  scratch[n++] = crc & 0xff;
  scratch[n++] = crc >> 8;
  let out = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    buffer = ((buffer << 8) | scratch[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      chars[out++] = ALPHABET_CODES[(buffer >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) chars[out++] = ALPHABET_CODES[(buffer << (5 - bits)) & 31]!;
  return latin1.decode(charViews[out] ??= chars.subarray(0, out));
}

/** Views of `chars` by length, so that no view is made per key. */
const charViews: Uint8Array[] = [];

// The same accounts and contracts recur all through a ledger (fee payers, trust lines, SACs):
// remember recent 32-byte keys, found by their first bytes and checked in full.
interface CachedKey {
  readonly versionByte: number;
  readonly bytes: Uint8Array;
  readonly strkey: string;
  readonly next: CachedKey | undefined;
}
const CACHE_LIMIT = 1 << 16;
const cache = new Map<number, CachedKey>();

function sameKey(entry: CachedKey, versionByte: number, bytes: Uint8Array, at: number): boolean {
  if (entry.versionByte !== versionByte) return false;
  const key = entry.bytes;
  for (let i = 0; i < 32; i++) if (key[i] !== bytes[at + i]) return false;
  return true;
}

function cachedStrkey(versionByte: number, bytes: Uint8Array, at: number): string {
  const slot = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) ^ (bytes[at + 4]! << 5) ^ versionByte;
  let head = cache.get(slot);
  for (let entry = head; entry; entry = entry.next) if (sameKey(entry, versionByte, bytes, at)) return entry.strkey;
  const strkey = strkeyOf(versionByte, bytes, at, 32);
  if (cache.size >= CACHE_LIMIT) {
    cache.clear();
    head = undefined;
  }
  cache.set(slot, { versionByte, bytes: bytes.slice(at, at + 32), strkey, next: head });
  return strkey;
}

// Each takes the input buffer and the offset of the key bytes, so no view is made per key.
export const accountStrkey = (bytes: Uint8Array, at: number): string => cachedStrkey(VersionByte.accountId, bytes, at);
export const contractStrkey = (bytes: Uint8Array, at: number): string => cachedStrkey(VersionByte.contract, bytes, at);
export const liquidityPoolStrkey = (bytes: Uint8Array, at: number): string => cachedStrkey(VersionByte.liquidityPool, bytes, at);

/** B strkey of a ClaimableBalanceID: the 4-byte type's low byte, then the hash at `at + 4`. */
export const claimableBalanceStrkey = (bytes: Uint8Array, typeAt: number): string => strkeyOf(VersionByte.claimableBalance, bytes, typeAt + 3, 33);

/** M strkey: the ed25519 key at `keyAt`, then the 8 big-endian id bytes at `idAt`. */
export const muxedStrkey = (bytes: Uint8Array, keyAt: number, idAt: number): string =>
  strkeyOf(VersionByte.muxedAccount, bytes, keyAt, 32, bytes, idAt, 8);
