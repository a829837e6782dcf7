// Reads the ledger header out of LedgerCloseMeta XDR bytes without decoding the rest, and splits a
// LedgerCloseMetaBatch into the raw bytes of its LedgerCloseMetas. Pure: web-standard APIs only.
//
// Layout read here (stellar-xdr, Stellar-ledger.x):
//   LedgerCloseMetaBatch { uint32 startSequence; uint32 endSequence; LedgerCloseMeta ledgerCloseMetas<>; }
//   LedgerCloseMeta = union (int v) { 0: V0; 1: V1; 2: V2 }
//     V0 { LedgerHeaderHistoryEntry ledgerHeader; ... }
//     V1, V2 { LedgerCloseMetaExt ext; LedgerHeaderHistoryEntry ledgerHeader; ... }
//     LedgerCloseMetaExt = union (int v) { 0: void; 1: { ExtensionPoint ext; int64 sorobanFeeWrite1KB; } }
//   LedgerHeaderHistoryEntry { Hash hash; LedgerHeader header; union (int v) { 0: void } ext; }
import { messageOf } from "../../common/message-of.ts";

/** Malformed or truncated XDR: names the field being read and the byte offset where it starts. */
export class XdrReadError extends Error {
  override readonly name = "XdrReadError";
  constructor(
    message: string,
    readonly field: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** What `readLedgerHeader` returns: the header fields a source validates and hands on. */
export interface LedgerHeaderSummary {
  /** LedgerCloseMeta union arm: 0, 1 or 2. */
  readonly metaVersion: 0 | 1 | 2;
  /** LedgerHeaderHistoryEntry.hash, 64 lowercase hex; equals sha256(headerBytes) for an intact ledger. */
  readonly hash: string;
  /** header.previousLedgerHash, 64 lowercase hex. */
  readonly previousHash: string;
  readonly sequence: number;
  /** scpValue.closeTime, seconds since the Unix epoch. */
  readonly closeTime: number;
  /** header.ledgerVersion. */
  readonly protocolVersion: number;
  /** The LedgerHeader XDR (a view into the input, not a copy). */
  readonly headerBytes: Uint8Array;
  /** scpValue.txSetHash: what the ledger's transaction set hashes to (a 32-byte view into the input). */
  readonly txSetHash: Uint8Array;
  /** txSetResultHash: what the TransactionResultSet of the ledger hashes to (a 32-byte view into the input). */
  readonly txSetResultHash: Uint8Array;
}

export interface LedgerCloseMetaBatchPrefix {
  readonly startSequence: number;
  readonly endSequence: number;
  /** Element count of `ledgerCloseMetas<>`. */
  readonly count: number;
}

export interface SplitLedgerCloseMetaBatch {
  readonly startSequence: number;
  readonly endSequence: number;
  /** Raw XDR of each LedgerCloseMeta, in batch order (views into the input). */
  readonly ledgerCloseMetas: readonly Uint8Array[];
}

/**
 * Byte length of the LedgerCloseMeta that starts at the beginning of `bytes` (which may run on
 * past it). Needed to split batches holding more than one ledger; throws on malformed XDR.
 */
export type LedgerCloseMetaMeasure = (bytes: Uint8Array) => number;

/** Size of the LedgerCloseMetaBatch fields before the first LedgerCloseMeta. */
export const LEDGER_CLOSE_META_BATCH_PREFIX_BYTES = 12;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

class Cursor {
  readonly #view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(size: number, field: string): number {
    const at = this.offset;
    if (at + size > this.bytes.length) {
      throw new XdrReadError(
        `${field} cut short at offset ${at}: needs ${size} byte(s), ${this.bytes.length - at} left`,
        field,
        at,
      );
    }
    this.offset = at + size;
    return at;
  }

  u32(field: string): number {
    return this.#view.getUint32(this.#need(4, field));
  }

  /** An unsigned 64-bit value as a Number (exact below 2^53, which close times are). */
  u64(field: string): number {
    const at = this.#need(8, field);
    return this.#view.getUint32(at) * 0x1_0000_0000 + this.#view.getUint32(at + 4);
  }

  bytesOf(size: number, field: string): Uint8Array {
    const at = this.#need(size, field);
    return this.bytes.subarray(at, at + size);
  }

  skip(size: number, field: string): void {
    this.#need(size, field);
  }

  /** An XDR union discriminant that must be one of `allowed`. */
  arm(field: string, allowed: readonly number[]): number {
    const at = this.offset;
    const v = this.u32(field);
    if (!allowed.includes(v)) {
      throw new XdrReadError(`${field} has unknown value ${v} at offset ${at} (expected ${allowed.join(" or ")})`, field, at);
    }
    return v;
  }

  /** Variable-length opaque<max>: length, bytes, zero padding to a multiple of 4. */
  varOpaque(max: number, field: string): void {
    const at = this.offset;
    const length = this.u32(`${field} length`);
    if (length > max) {
      throw new XdrReadError(`${field} length ${length} at offset ${at} exceeds its maximum ${max}`, field, at);
    }
    this.skip(length, field);
    const padding = (4 - (length % 4)) % 4;
    const padAt = this.offset;
    const pad = this.bytesOf(padding, `${field} padding`);
    if (pad.some((b) => b !== 0)) throw new XdrReadError(`${field} padding at offset ${padAt} is not zero`, field, padAt);
  }
}

/** LedgerCloseValueSignature { NodeID nodeID (PublicKey: ed25519 only); Signature signature (opaque<64>) }. */
function skipLedgerCloseValueSignature(c: Cursor, field: string): void {
  c.arm(`${field}.nodeID type`, [0]);
  c.skip(32, `${field}.nodeID`);
  c.varOpaque(64, `${field}.signature`);
}

/** Reads the header of one LedgerCloseMeta; the bytes may run on past the header (they usually do). */
export function readLedgerHeader(lcm: Uint8Array): LedgerHeaderSummary {
  const c = new Cursor(lcm);
  const metaVersion = c.arm("LedgerCloseMeta.v", [0, 1, 2]) as 0 | 1 | 2;
  if (metaVersion !== 0) {
    const ext = c.arm("LedgerCloseMetaExt.v", [0, 1]);
    if (ext === 1) {
      c.arm("LedgerCloseMetaExtV1.ext.v", [0]);
      c.skip(8, "LedgerCloseMetaExtV1.sorobanFeeWrite1KB");
    }
  }
  const hash = hex(c.bytesOf(32, "LedgerHeaderHistoryEntry.hash"));

  const headerStart = c.offset;
  const protocolVersion = c.u32("LedgerHeader.ledgerVersion");
  const previousHash = hex(c.bytesOf(32, "LedgerHeader.previousLedgerHash"));
  // StellarValue scpValue
  const txSetHash = c.bytesOf(32, "StellarValue.txSetHash");
  const closeTime = c.u64("StellarValue.closeTime");
  const upgradesAt = c.offset;
  const upgrades = c.u32("StellarValue.upgrades length");
  if (upgrades > 6) {
    throw new XdrReadError(`StellarValue.upgrades length ${upgrades} at offset ${upgradesAt} exceeds its maximum 6`, "StellarValue.upgrades", upgradesAt);
  }
  for (let i = 0; i < upgrades; i++) c.varOpaque(128, `StellarValue.upgrades[${i}]`);
  const valueType = c.arm("StellarValue.ext.v", [0, 1, 2]);
  if (valueType === 1) skipLedgerCloseValueSignature(c, "StellarValue.ext.lcValueSignature");
  if (valueType === 2) {
    c.skip(32 + 32 + 4, "StellarValue.ext.proposedValue");
    skipLedgerCloseValueSignature(c, "StellarValue.ext.proposedValue.lcValueSignature");
  }
  const txSetResultHash = c.bytesOf(32, "LedgerHeader.txSetResultHash");
  c.skip(32, "LedgerHeader.bucketListHash");
  const sequence = c.u32("LedgerHeader.ledgerSeq");
  // totalCoins, feePool, inflationSeq, idPool, baseFee, baseReserve, maxTxSetSize, skipList[4]
  c.skip(8 + 8 + 4 + 8 + 4 + 4 + 4 + 4 * 32, "LedgerHeader fields after ledgerSeq");
  if (c.arm("LedgerHeader.ext.v", [0, 1]) === 1) {
    c.skip(4, "LedgerHeaderExtensionV1.flags");
    c.arm("LedgerHeaderExtensionV1.ext.v", [0]);
  }
  const headerBytes = lcm.subarray(headerStart, c.offset);
  c.arm("LedgerHeaderHistoryEntry.ext.v", [0]);

  return { metaVersion, hash, previousHash, sequence, closeTime, protocolVersion, headerBytes, txSetHash, txSetResultHash };
}

export function readLedgerCloseMetaBatchPrefix(batch: Uint8Array): LedgerCloseMetaBatchPrefix {
  const c = new Cursor(batch);
  const startSequence = c.u32("LedgerCloseMetaBatch.startSequence");
  const endSequence = c.u32("LedgerCloseMetaBatch.endSequence");
  const count = c.u32("LedgerCloseMetaBatch.ledgerCloseMetas length");
  return { startSequence, endSequence, count };
}

/**
 * Splits a LedgerCloseMetaBatch into the raw bytes of each LedgerCloseMeta. A batch of one ledger
 * needs no decoding (its LedgerCloseMeta is everything after the 12-byte prefix); a longer batch
 * needs `measure` to find where each LedgerCloseMeta ends (the last one runs to the end).
 */
export function splitLedgerCloseMetaBatch(batch: Uint8Array, measure?: LedgerCloseMetaMeasure): SplitLedgerCloseMetaBatch {
  const { startSequence, endSequence, count } = readLedgerCloseMetaBatchPrefix(batch);
  const ledgerCloseMetas: Uint8Array[] = [];
  let offset = LEDGER_CLOSE_META_BATCH_PREFIX_BYTES;
  for (let i = 0; i < count; i++) {
    const field = `LedgerCloseMetaBatch.ledgerCloseMetas[${i}]`;
    const rest = batch.subarray(offset);
    if (rest.length === 0) throw new XdrReadError(`${field} cut short at offset ${offset}: no bytes left`, field, offset);
    if (i === count - 1) {
      ledgerCloseMetas.push(rest);
      break;
    }
    if (!measure) {
      throw new XdrReadError(`${field}: a batch of ${count} ledgers needs a LedgerCloseMeta measure to split`, field, offset);
    }
    let length: number;
    try {
      length = measure(rest);
    } catch (error) {
      throw new XdrReadError(`${field} at offset ${offset}: ${messageOf(error)}`, field, offset);
    }
    if (!Number.isInteger(length) || length <= 0 || length > rest.length) {
      throw new XdrReadError(`${field} at offset ${offset}: measured length ${length} does not fit the ${rest.length} bytes left`, field, offset);
    }
    ledgerCloseMetas.push(rest.subarray(0, length));
    offset += length;
  }
  return { startSequence, endSequence, ledgerCloseMetas };
}
