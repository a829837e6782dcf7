// What a ledger header commits to besides the previous ledger: its transaction set
// (scpValue.txSetHash) and the results of applying it (txSetResultHash). Recomputing both from the
// bytes of a LedgerCloseMeta shows that no envelope and no result was altered after the ledger
// closed. The TransactionMeta (balance changes, events) is committed to by nothing in the header.
// Pure: the caller passes a synchronous SHA-256 (a runtime's native one is several times faster).
//
// How stellar-core computes them (checked against every shared ledger, protocols 2 to 24):
// - Legacy TransactionSet (LedgerCloseMeta v0): SHA-256 of previousLedgerHash followed by the XDR of
//   each TransactionEnvelope, no length prefix, the envelopes in ascending order of SHA-256 of their
//   own XDR (core's "full hash", signatures included; not the transaction hash). History archives
//   store them in that order; sets rebuilt in apply order hash the same once sorted.
// - GeneralizedTransactionSet (v1, v2): SHA-256 of its whole XDR, as stored.
// - txSetResultHash: SHA-256 of the XDR of TransactionResultSet { TransactionResultPair results<> },
//   i.e. a 4-byte count, then each txProcessing[i].result, in apply order.

import { toHex } from "../hash.ts";

export type Sha256 = (data: Uint8Array) => Uint8Array;

/** Which of the two header hashes a ledger's bytes do not match. */
export type CommittedHash = "txSetHash" | "txSetResultHash";

/**
 * A transaction set where it lies in a LedgerCloseMeta's bytes: a GeneralizedTransactionSet as its
 * XDR; a legacy TransactionSet by where it starts in `xdr` and where each envelope starts and ends
 * ([start, end) offsets into `xdr`, flat; they follow previousLedgerHash and the count, back to back).
 */
export type TransactionSetBytes =
  | { readonly kind: "legacy"; readonly xdr: Uint8Array; readonly start: number; readonly envelopeRanges: readonly number[] }
  | { readonly kind: "generalized"; readonly bytes: Uint8Array };

/** The TransactionResultPairs of a ledger, in apply order: [start, end) offsets into `xdr`, flat. */
export interface ResultPairRanges {
  readonly xdr: Uint8Array;
  readonly ranges: readonly number[];
}

/** The transaction set or the results of a ledger do not hash to what its header says. */
export class LedgerHashMismatchError extends Error {
  override readonly name = "LedgerHashMismatchError";
  constructor(
    message: string,
    /** The header field that does not match. */
    readonly field: CommittedHash,
    /** The hash in the header, hex. */
    readonly committed: string,
    /** The hash of the bytes, hex. */
    readonly computed: string,
  ) {
    super(message);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Each envelope of a legacy set, in stored order (views). */
function legacyEnvelopes(set: Extract<TransactionSetBytes, { kind: "legacy" }>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < set.envelopeRanges.length; i += 2) out.push(set.xdr.subarray(set.envelopeRanges[i]!, set.envelopeRanges[i + 1]!));
  return out;
}

/** SHA-256 of previousLedgerHash followed by `envelopes`. */
function legacyHash(previousLedgerHash: Uint8Array, envelopes: readonly Uint8Array[], sha256: Sha256): Uint8Array {
  let length = 32;
  for (const envelope of envelopes) length += envelope.length;
  const contents = new Uint8Array(length);
  contents.set(previousLedgerHash, 0);
  let at = 32;
  for (const envelope of envelopes) {
    contents.set(envelope, at);
    at += envelope.length;
  }
  return sha256(contents);
}

/** The stored order's hash: the envelopes lie back to back, so one copy without the count. */
function storedOrderHash(set: Extract<TransactionSetBytes, { kind: "legacy" }>, sha256: Sha256): Uint8Array {
  const ranges = set.envelopeRanges;
  const end = ranges.length > 0 ? ranges[ranges.length - 1]! : set.start + 36;
  return legacyHash(set.xdr.subarray(set.start, set.start + 32), [set.xdr.subarray(set.start + 36, end)], sha256);
}

/** Envelopes in stellar-core's hashing order: ascending SHA-256 of each envelope's XDR. */
function inFullHashOrder(envelopes: readonly Uint8Array[], sha256: Sha256): Uint8Array[] {
  return envelopes
    .map((bytes) => ({ bytes, full: sha256(bytes) }))
    .sort((a, b) => compareBytes(a.full, b.full))
    .map((e) => e.bytes);
}

/**
 * The hash stellar-core gives this transaction set. Given the `committed` hash, a legacy set stored
 * in hash order (as archives store it) costs one pass; one stored in another order (apply order,
 * say) is sorted and hashed again. A stored order that hashes to the committed value is the
 * committed sequence of bytes, so accepting it first is as strict as sorting.
 */
export function transactionSetHash(set: TransactionSetBytes, sha256: Sha256, committed?: Uint8Array): Uint8Array {
  if (set.kind === "generalized") return sha256(set.bytes);
  if (set.envelopeRanges.length < 4) return storedOrderHash(set, sha256);
  if (committed !== undefined) {
    const stored = storedOrderHash(set, sha256);
    if (sameBytes(stored, committed)) return stored;
  }
  return legacyHash(set.xdr.subarray(set.start, set.start + 32), inFullHashOrder(legacyEnvelopes(set), sha256), sha256);
}

/** SHA-256 of the TransactionResultSet XDR of these TransactionResultPairs: a 4-byte count, then each pair. */
export function transactionResultSetHash(results: ResultPairRanges, sha256: Sha256): Uint8Array {
  const { xdr, ranges } = results;
  let length = 4;
  for (let i = 0; i < ranges.length; i += 2) length += ranges[i + 1]! - ranges[i]!;
  const out = new Uint8Array(length);
  new DataView(out.buffer).setUint32(0, ranges.length / 2);
  let at = 4;
  for (let i = 0; i < ranges.length; i += 2) {
    out.set(xdr.subarray(ranges[i]!, ranges[i + 1]!), at);
    at += ranges[i + 1]! - ranges[i]!;
  }
  return sha256(out);
}

function describeSet(set: TransactionSetBytes): string {
  if (set.kind === "legacy") return `the TransactionSet (previousLedgerHash and ${set.envelopeRanges.length / 2} envelopes in hash order)`;
  // GeneralizedTransactionSet v1: union arm (4), previousLedgerHash (32), then the phase count.
  const phases = set.bytes.length >= 40 ? new DataView(set.bytes.buffer, set.bytes.byteOffset + 36, 4).getUint32(0) : 0;
  const note = phases !== 2 ? `; stellar-core builds 2 phases, this set has ${phases}` : "";
  return `the GeneralizedTransactionSet (${set.bytes.length} bytes${note})`;
}

/**
 * Throws a LedgerHashMismatchError when the transaction set or the results do not hash to
 * `txSetHash` or `txSetResultHash`. The message names the field, both hashes and what was hashed.
 */
export function checkLedgerCommitments(
  header: { readonly txSetHash: Uint8Array; readonly txSetResultHash: Uint8Array },
  set: TransactionSetBytes,
  results: ResultPairRanges,
  sha256: Sha256,
): void {
  const setHash = transactionSetHash(set, sha256, header.txSetHash);
  if (!sameBytes(setHash, header.txSetHash)) {
    const committed = toHex(header.txSetHash);
    const computed = toHex(setHash);
    throw new LedgerHashMismatchError(
      `the transaction set does not match the header: the header's scpValue.txSetHash is ${committed} but SHA-256 of ${describeSet(set)} is ${computed}`,
      "txSetHash",
      committed,
      computed,
    );
  }
  const resultHash = transactionResultSetHash(results, sha256);
  if (!sameBytes(resultHash, header.txSetResultHash)) {
    const committed = toHex(header.txSetResultHash);
    const computed = toHex(resultHash);
    throw new LedgerHashMismatchError(
      `the transaction results do not match the header: the header's txSetResultHash is ${committed} but SHA-256 of the TransactionResultSet (${results.ranges.length / 2} TransactionResultPairs in apply order) is ${computed}`,
      "txSetResultHash",
      committed,
      computed,
    );
  }
}
