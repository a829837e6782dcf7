// A purpose-built LedgerCloseMeta reader: one pass over the bytes, materialising exactly the
// ledger model and skipping by structure what TTP and the ledgers table never read.
//
// LedgerCloseMeta = union (int v) {
//   0: { LedgerHeaderHistoryEntry; TransactionSet; TransactionResultMeta txProcessing<>; ... }
//   1: { LedgerCloseMetaExt; LedgerHeaderHistoryEntry; GeneralizedTransactionSet; TransactionResultMeta txProcessing<>; ... }
//   2: { LedgerCloseMetaExt; LedgerHeaderHistoryEntry; GeneralizedTransactionSet; TransactionResultMetaV1 txProcessing<>; ... }
// }
// Everything after txProcessing (upgrades, SCP info, evicted keys) feeds neither TTP nor the
// ledgers table and is not read.
import type { LedgerModel, OperationModel, TransactionModel } from "../model.ts";
import type { LedgerDecoder } from "../ledger-decoder.ts";
import { sha256 } from "../hash.ts";
import { readLedgerHeader } from "./ledger-header-reader.ts";
import { checkLedgerCommitments, transactionResultSetHash, transactionSetHash, type ResultPairRanges, type TransactionSetBytes } from "./ledger-commitments.ts";
import { XdrReader } from "./xdr-reader.ts";
import { readGeneralizedTransactionSet, readTransactionSet, type Envelope, type EnvelopeHashing } from "./read-envelopes.ts";
import { FAILED_OPERATION, readTransactionResultPair } from "./read-results.ts";
import { readEntryChanges } from "./read-entries.ts";
import { readTransactionMeta } from "./read-transaction-meta.ts";
import { accountStrkey } from "./strkey-writer.ts";
import { sequenceBumpKey } from "../sequence-bump.ts";

const NONE: never[] = [];

/**
 * Some ledgers (synthetic load tests) carry result hashes that no envelope hashes to. A
 * transaction is also identified by its source account and sequence number: fall back to that.
 */
function envelopesBySequence(envelopes: readonly Envelope[]): Map<string, Envelope> {
  const out = new Map<string, Envelope>();
  for (const envelope of envelopes) out.set(`${accountStrkey(envelope.sourceEd25519, 0)}:${envelope.sequenceNumber}`, envelope);
  return out;
}

export interface FastLedgerDecoderOptions {
  /**
   * Synchronous SHA-256 for the envelope hashes (default: the portable one of ../hash.ts). A
   * runtime's native digest is several times faster; pass it from the runtime adapter.
   */
  readonly sha256?: (data: Uint8Array) => Uint8Array;
  /**
   * Check that the transaction set and the results hash to the header's scpValue.txSetHash and
   * txSetResultHash (./ledger-commitments.ts); a mismatch throws a LedgerHashMismatchError.
   * Default false here; the pipeline turns it on.
   */
  readonly checkHashes?: boolean;
}

export class FastLedgerDecoder implements LedgerDecoder {
  private readonly hashing: EnvelopeHashing;
  private readonly checkHashes: boolean;

  constructor(networkPassphrase: string, options: FastLedgerDecoderOptions = {}) {
    this.hashing = { networkId: sha256(new TextEncoder().encode(networkPassphrase)), sha256: options.sha256 ?? sha256 };
    this.checkHashes = options.checkHashes ?? false;
  }

  decode(lcmXdr: Uint8Array): LedgerModel {
    return this.read(lcmXdr, this.checkHashes).ledger;
  }

  /**
   * What the header's txSetHash and txSetResultHash would be for the transaction set and results
   * this ledger carries (whatever its header says): for tools that build ledgers (replays, tests).
   */
  commitments(lcmXdr: Uint8Array): { readonly txSetHash: Uint8Array; readonly txSetResultHash: Uint8Array } {
    const { txSet, results } = this.read(lcmXdr, false, true);
    return { txSetHash: transactionSetHash(txSet!, this.hashing.sha256), txSetResultHash: transactionResultSetHash(results!, this.hashing.sha256) };
  }

  /** Decodes; with `collect`, keeps the byte ranges the header commits to, and with `check` checks them. */
  private read(lcmXdr: Uint8Array, check: boolean, collect = check): { ledger: LedgerModel; txSet: TransactionSetBytes | null; results: ResultPairRanges | null } {
    const header = readLedgerHeader(lcmXdr);
    const r = new XdrReader(lcmXdr);
    r.pos = header.headerBytes.byteOffset - lcmXdr.byteOffset + header.headerBytes.byteLength + 4;

    const setStart = r.pos;
    const envelopeRanges: number[] | undefined = collect && header.metaVersion === 0 ? [] : undefined;
    const envelopes =
      header.metaVersion === 0 ? readTransactionSet(r, this.hashing, envelopeRanges) : readGeneralizedTransactionSet(r, this.hashing);
    const txSet: TransactionSetBytes | null = !collect
      ? null
      : envelopeRanges
        ? { kind: "legacy", xdr: lcmXdr, start: setStart, envelopeRanges }
        : { kind: "generalized", bytes: lcmXdr.subarray(setStart, r.pos) };
    const byHash = new Map<string, Envelope>();
    for (const envelope of envelopes) byHash.set(envelope.hash, envelope);
    let bySequence: Map<string, Envelope> | undefined;

    const count = r.count("txProcessing", 52);
    const transactions: TransactionModel[] = new Array(count);
    const resultRanges: number[] | null = collect ? new Array(count * 2) : null;
    for (let i = 0; i < count; i++) {
      if (header.metaVersion === 2) r.ext0("TransactionResultMetaV1.ext");
      const resultStart = r.pos;
      const result = readTransactionResultPair(r);
      if (resultRanges) {
        resultRanges[2 * i] = resultStart;
        resultRanges[2 * i + 1] = r.pos;
      }
      const feeChanges = readEntryChanges(r);
      const meta = readTransactionMeta(r);
      const postTxApplyFeeChanges = header.metaVersion === 2 ? readEntryChanges(r) : NONE;

      const envelope =
        byHash.get(result.hash) ?? (bySequence ??= envelopesBySequence(envelopes)).get(sequenceBumpKey(feeChanges, meta.txChangesBefore) ?? "");
      if (!envelope) throw new Error(`transaction ${result.hash} (index ${i + 1}) has no envelope in the transaction set for this network`);

      const operations: OperationModel[] = new Array(envelope.operations.length);
      for (let index = 0; index < operations.length; index++) {
        const op = envelope.operations[index]!;
        const opMeta = meta.operations[index];
        operations[index] = {
          index,
          source: op.source,
          body: op.body,
          result: result.operations[index] ?? FAILED_OPERATION,
          changes: opMeta?.changes ?? NONE,
          events: opMeta?.events ?? NONE,
        };
      }
      transactions[i] = {
        index: i + 1,
        hash: result.hash,
        successful: result.successful,
        feeCharged: result.feeCharged,
        feeAccount: envelope.feeAccount,
        sourceAccount: envelope.sourceAccount,
        sequenceNumber: envelope.sequenceNumber,
        memo: envelope.memo,
        isFeeBump: envelope.isFeeBump,
        isSoroban: envelope.isSoroban,
        metaVersion: meta.metaVersion,
        operations,
        feeChanges,
        txChangesBefore: meta.txChangesBefore,
        txChangesAfter: meta.txChangesAfter,
        postTxApplyFeeChanges,
        transactionEvents: meta.transactionEvents,
      };
    }

    const results: ResultPairRanges | null = resultRanges ? { xdr: lcmXdr, ranges: resultRanges } : null;
    if (check) checkLedgerCommitments(header, txSet!, results!, this.hashing.sha256);

    const ledger: LedgerModel = {
      sequence: header.sequence,
      hash: header.hash,
      previousHash: header.previousHash,
      closedAt: header.closeTime,
      protocolVersion: header.protocolVersion,
      metaVersion: header.metaVersion,
      transactions,
    };
    return { ledger, txSet, results };
  }
}
