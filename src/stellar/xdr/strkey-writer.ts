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

/** The strkey of `versionByte` followed by the `parts` bytes (each a view, concatenated). */
function strkeyOf(versionByte: number, a: Uint8Array, b?: Uint8Array): string {
  let n = 0;
  scratch[n++] = versionByte;
  for (let i = 0; i < a.length; i++) scratch[n++] = a[i]!;
  if (b) for (let i = 0; i < b.length; i++) scratch[n++] = b[i]!;
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
  return latin1.decode(chars.subarray(0, out));
}

export const accountStrkey = (ed25519: Uint8Array): string => strkeyOf(VersionByte.accountId, ed25519);
export const contractStrkey = (hash: Uint8Array): string => strkeyOf(VersionByte.contract, hash);
export const liquidityPoolStrkey = (hash: Uint8Array): string => strkeyOf(VersionByte.liquidityPool, hash);

/** B strkey of a ClaimableBalanceID: its type byte, then the hash. */
export const claimableBalanceStrkey = (type: number, hash: Uint8Array): string => strkeyOf(VersionByte.claimableBalance, Uint8Array.of(type), hash);

/** M strkey: the ed25519 key, then the id as 8 big-endian bytes (`idBytes` as found in XDR). */
export const muxedStrkey = (ed25519: Uint8Array, idBytes: Uint8Array): string => strkeyOf(VersionByte.muxedAccount, ed25519, idBytes);
