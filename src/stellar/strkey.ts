// Stellar strkeys (SEP-23): version byte + payload + CRC16-XModem, base32 without padding.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export const VersionByte = {
  accountId: 6 << 3, // G
  muxedAccount: 12 << 3, // M
  contract: 2 << 3, // C
  liquidityPool: 11 << 3, // L
  claimableBalance: 1 << 3, // B
} as const;

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export function encodeStrkey(versionByte: number, payload: Uint8Array): string {
  const data = new Uint8Array(payload.length + 3);
  data[0] = versionByte;
  data.set(payload, 1);
  const checksum = crc16(data.subarray(0, payload.length + 1));
  data[payload.length + 1] = checksum & 0xff;
  data[payload.length + 2] = checksum >> 8;
  return base32(data);
}

export const encodeAccountId = (ed25519: Uint8Array) => encodeStrkey(VersionByte.accountId, ed25519);
export const encodeContractId = (hash: Uint8Array) => encodeStrkey(VersionByte.contract, hash);
export const encodeLiquidityPoolId = (hash: Uint8Array) => encodeStrkey(VersionByte.liquidityPool, hash);

/** B... strkey of a ClaimableBalanceID (type byte 0 for V0, then the hash). */
export function encodeClaimableBalanceId(hash: Uint8Array, type = 0): string {
  const payload = new Uint8Array(33);
  payload[0] = type;
  payload.set(hash, 1);
  return encodeStrkey(VersionByte.claimableBalance, payload);
}

export function encodeMuxedAccount(ed25519: Uint8Array, id: bigint): string {
  const payload = new Uint8Array(40);
  payload.set(ed25519, 0);
  new DataView(payload.buffer).setBigUint64(32, id, false);
  return encodeStrkey(VersionByte.muxedAccount, payload);
}

function base32Decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`invalid strkey character '${char}'`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
      buffer &= (1 << bits) - 1;
    }
  }
  return out;
}

/** Decodes and checks a strkey; returns its version byte and payload. */
export function decodeStrkey(strkey: string): { versionByte: number; payload: Uint8Array } {
  const data = base32Decode(strkey);
  if (data.length < 3) throw new Error(`strkey too short: ${strkey}`);
  const body = data.subarray(0, data.length - 2);
  const checksum = data[data.length - 2]! | (data[data.length - 1]! << 8);
  if (crc16(body) !== checksum) throw new Error(`invalid strkey checksum: ${strkey}`);
  return { versionByte: body[0]!, payload: body.slice(1) };
}

export function isAccountStrkey(address: string | null): boolean {
  return address !== null && (address.startsWith("G") || address.startsWith("M")) && address.length >= 56;
}

/** The G address behind a G or M strkey. */
export function baseAccountOf(address: string): string {
  if (!address.startsWith("M")) return address;
  const { payload } = decodeStrkey(address);
  return encodeAccountId(payload.subarray(0, 32));
}

/** The muxed id of an M strkey. */
export function muxedIdOf(address: string): bigint {
  const { payload } = decodeStrkey(address);
  return new DataView(payload.buffer, payload.byteOffset).getBigUint64(32, false);
}
