// Transaction envelopes and transaction sets (Stellar-transaction.x, Stellar-ledger.x). Each
// envelope is hashed straight from its byte range in the input (no re-encoding).
import type { Memo, OperationBody } from "../model.ts";
import { hexOf } from "./hex-writer.ts";
import type { XdrReader } from "./xdr-reader.ts";
import { readMuxedAccount } from "./read-values.ts";
import { readOperationBody } from "./read-operations.ts";
import { skipLedgerKey, skipSignerKey } from "./read-entries.ts";
import { accountStrkey } from "./strkey-writer.ts";

const ENVELOPE_TYPE_TX = 2;
const ENVELOPE_TYPE_TX_FEE_BUMP = 5;

/** What envelope hashes need: the network id and a synchronous SHA-256. */
export interface EnvelopeHashing {
  readonly networkId: Uint8Array;
  readonly sha256: (data: Uint8Array) => Uint8Array;
}

export interface EnvelopeOperation {
  readonly source: string | null;
  readonly body: OperationBody;
}

export interface Envelope {
  /** sha256 of the signature payload, lowercase hex: what TransactionResultPair.transactionHash holds. */
  readonly hash: string;
  readonly sourceAccount: string;
  /** Raw ed25519 key of the (inner) source account, for the sequence-number fallback. */
  readonly sourceEd25519: Uint8Array;
  readonly feeAccount: string;
  readonly sequenceNumber: bigint;
  readonly memo: Memo;
  readonly operations: readonly EnvelopeOperation[];
  readonly isFeeBump: boolean;
  readonly isSoroban: boolean;
}

const MEMO_NONE: Memo = { type: "none" };

function readMemo(r: XdrReader): Memo {
  switch (r.arm("Memo", 0, 4)) {
    case 0:
      return MEMO_NONE;
    case 1:
      return { type: "text", value: r.string("Memo.text", 28) };
    case 2:
      return { type: "id", value: r.u64("Memo.id") };
    case 3:
      return { type: "hash", value: hexOf(r.bytes, r.take(32, "Memo.hash"), 32) };
    default:
      return { type: "return", value: hexOf(r.bytes, r.take(32, "Memo.retHash"), 32) };
  }
}

function readOperations(r: XdrReader): EnvelopeOperation[] {
  const n = r.count("Transaction.operations", 8, 100);
  const out: EnvelopeOperation[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const source = r.present("Operation.sourceAccount") ? readMuxedAccount(r) : null;
    out[i] = { source, body: readOperationBody(r) };
  }
  return out;
}

/** Preconditions: NONE, TIME (TimeBounds), V2. */
function skipPreconditions(r: XdrReader): void {
  const type = r.arm("Preconditions", 0, 2);
  if (type === 1) return r.skip(16, "TimeBounds");
  if (type === 0) return;
  if (r.present("PreconditionsV2.timeBounds")) r.skip(16, "TimeBounds");
  if (r.present("PreconditionsV2.ledgerBounds")) r.skip(8, "LedgerBounds");
  if (r.present("PreconditionsV2.minSeqNum")) r.skip(8, "PreconditionsV2.minSeqNum");
  r.skip(12, "PreconditionsV2.minSeqAge/minSeqLedgerGap");
  const n = r.count("PreconditionsV2.extraSigners", 36, 2);
  for (let i = 0; i < n; i++) skipSignerKey(r);
}

/** SorobanTransactionData { union ext (0, or 1: uint32 archivedSorobanEntries<>); SorobanResources; int64 resourceFee }. */
function skipSorobanTransactionData(r: XdrReader): void {
  if (r.arm("SorobanTransactionData.ext", 0, 1) === 1) {
    const n = r.count("SorobanResourcesExtV0.archivedSorobanEntries", 4);
    r.skip(n * 4, "SorobanResourcesExtV0.archivedSorobanEntries");
  }
  for (const list of ["LedgerFootprint.readOnly", "LedgerFootprint.readWrite"]) {
    const n = r.count(list, 8);
    for (let i = 0; i < n; i++) skipLedgerKey(r);
  }
  r.skip(12 + 8, "SorobanResources/resourceFee");
}

function skipSignatures(r: XdrReader): void {
  const n = r.count("DecoratedSignature", 8, 20);
  for (let i = 0; i < n; i++) {
    r.skip(4, "DecoratedSignature.hint");
    r.skipOpaque("DecoratedSignature.signature", 64);
  }
}

interface TransactionFields {
  readonly sourceAccount: string;
  readonly sourceEd25519: Uint8Array;
  readonly sequenceNumber: bigint;
  readonly memo: Memo;
  readonly operations: EnvelopeOperation[];
  readonly isSoroban: boolean;
}

/** Transaction (v1) { MuxedAccount sourceAccount; uint32 fee; SequenceNumber seqNum; Preconditions cond; Memo; Operation<100>; ext }. */
function readTransaction(r: XdrReader): TransactionFields {
  const sourceAccount = readMuxedAccount(r);
  const sourceEd25519 = r.bytes.subarray(r.pos - 32, r.pos);
  r.skip(4, "Transaction.fee");
  const sequenceNumber = r.i64("Transaction.seqNum");
  skipPreconditions(r);
  const memo = readMemo(r);
  const operations = readOperations(r);
  const isSoroban = r.arm("Transaction.ext", 0, 1) === 1;
  if (isSoroban) skipSorobanTransactionData(r);
  return { sourceAccount, sourceEd25519, sequenceNumber, memo, operations, isSoroban };
}

/** sha256(networkId ‖ envelopeType ‖ `prefix` zero bytes ‖ body), lowercase hex. */
function payloadHash(hashing: EnvelopeHashing, envelopeType: number, prefix: number, body: Uint8Array): string {
  const payload = new Uint8Array(32 + 4 + prefix + body.length);
  payload.set(hashing.networkId, 0);
  new DataView(payload.buffer).setUint32(32, envelopeType);
  payload.set(body, 36 + prefix);
  return hexOf(hashing.sha256(payload), 0, 32);
}

export function readEnvelope(r: XdrReader, hashing: EnvelopeHashing): Envelope {
  const type = r.u32("EnvelopeType");
  const typeAt = r.pos - 4;
  if (type === 0) {
    // A v0 transaction is signed as a v1 Transaction: KEY_TYPE_ED25519 (0) before its bytes, the
    // optional timeBounds lining up with PRECOND_NONE / PRECOND_TIME.
    const start = r.pos;
    const sourceEd25519 = r.fixed(32, "TransactionV0.sourceAccountEd25519");
    r.skip(4, "TransactionV0.fee");
    const sequenceNumber = r.i64("TransactionV0.seqNum");
    if (r.present("TransactionV0.timeBounds")) r.skip(16, "TimeBounds");
    const memo = readMemo(r);
    const operations = readOperations(r);
    r.ext0("TransactionV0.ext");
    const hash = payloadHash(hashing, ENVELOPE_TYPE_TX, 4, r.bytes.subarray(start, r.pos));
    skipSignatures(r);
    const source = accountStrkey(sourceEd25519, 0);
    return { hash, sourceAccount: source, sourceEd25519, feeAccount: source, sequenceNumber, memo, operations, isFeeBump: false, isSoroban: false };
  }
  if (type === 2) {
    const start = r.pos;
    const tx = readTransaction(r);
    const hash = payloadHash(hashing, ENVELOPE_TYPE_TX, 0, r.bytes.subarray(start, r.pos));
    skipSignatures(r);
    return { hash, feeAccount: tx.sourceAccount, isFeeBump: false, ...tx };
  }
  if (type === 5) {
    const start = r.pos;
    const feeAccount = readMuxedAccount(r);
    r.skip(8, "FeeBumpTransaction.fee");
    if (r.u32("FeeBumpTransaction.innerTx") !== ENVELOPE_TYPE_TX) r.fail("unknown union arm", "FeeBumpTransaction.innerTx", r.pos - 4);
    const tx = readTransaction(r);
    skipSignatures(r);
    r.ext0("FeeBumpTransaction.ext");
    const hash = payloadHash(hashing, ENVELOPE_TYPE_TX_FEE_BUMP, 0, r.bytes.subarray(start, r.pos));
    skipSignatures(r);
    return { hash, feeAccount, isFeeBump: true, ...tx };
  }
  return r.fail(`unknown union arm ${type}`, "TransactionEnvelope", typeAt);
}

function readEnvelopeList(r: XdrReader, hashing: EnvelopeHashing, out: Envelope[], type: string, ranges?: number[]): void {
  const n = r.count(type, 44);
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    out.push(readEnvelope(r, hashing));
    ranges?.push(start, r.pos);
  }
}

/**
 * TransactionSet (LCM v0): { Hash previousLedgerHash; TransactionEnvelope txs<> }. With `ranges`,
 * where each envelope starts and ends (offsets in the reader's bytes) is pushed there, in stored order.
 */
export function readTransactionSet(r: XdrReader, hashing: EnvelopeHashing, ranges?: number[]): Envelope[] {
  r.skip(32, "TransactionSet.previousLedgerHash");
  const out: Envelope[] = [];
  readEnvelopeList(r, hashing, out, "TransactionSet.txs", ranges);
  return out;
}

/**
 * GeneralizedTransactionSet (LCM v1, v2): v1 { Hash previousLedgerHash; TransactionPhase phases<> }.
 * With `ranges`, where each envelope starts and ends (offsets in the reader's bytes) is pushed there, in stored order.
 */
export function readGeneralizedTransactionSet(r: XdrReader, hashing: EnvelopeHashing, ranges?: number[]): Envelope[] {
  r.arm("GeneralizedTransactionSet", 1, 1);
  r.skip(32, "TransactionSetV1.previousLedgerHash");
  const out: Envelope[] = [];
  const phases = r.count("TransactionSetV1.phases", 4);
  for (let p = 0; p < phases; p++) {
    if (r.arm("TransactionPhase", 0, 1) === 0) {
      const components = r.count("TransactionPhase.v0Components", 8);
      for (let c = 0; c < components; c++) {
        r.arm("TxSetComponentType", 0, 0);
        if (r.present("TxSetComponent.baseFee")) r.skip(8, "TxSetComponent.baseFee");
        readEnvelopeList(r, hashing, out, "TxSetComponent.txs", ranges);
      }
    } else {
      if (r.present("ParallelTxsComponent.baseFee")) r.skip(8, "ParallelTxsComponent.baseFee");
      const stages = r.count("ParallelTxsComponent.executionStages", 4);
      for (let s = 0; s < stages; s++) {
        const clusters = r.count("ParallelTxExecutionStage", 4);
        for (let c = 0; c < clusters; c++) readEnvelopeList(r, hashing, out, "DependentTxCluster", ranges);
      }
    }
  }
  return out;
}
