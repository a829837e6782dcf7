import { xdr } from "@stellar/stellar-sdk";
import type { LedgerModel, OperationModel, TransactionModel } from "../model.ts";
import type { LedgerDecoder } from "../ledger-decoder.ts";
import { sha256, toHex } from "../hash.ts";
import { baseAccountOf } from "../strkey.ts";
import { sequenceBumpKey } from "../sequence-bump.ts";
import { entryChanges } from "./wire-entries.ts";
import { transactionMetaParts } from "./wire-meta.ts";
import { envelopeFields, envelopeHash, envelopesOf } from "./wire-envelopes.ts";
import { operationBody, operationResult } from "./wire-operations.ts";
import { muxedAccountStrkey } from "./wire-values.ts";

function operationResults(result: xdr.TransactionResultWire): { successful: boolean; results: readonly xdr.OperationResultWire[] } {
  const outer = result.result;
  if (outer.code === 1 || outer.code === -13) {
    const inner = outer.innerResultPair.result.result;
    return { successful: outer.code === 1, results: inner.code === 0 || inner.code === -1 ? inner.results : [] };
  }
  if (outer.code === 0 || outer.code === -1) return { successful: outer.code === 0, results: outer.results };
  return { successful: false, results: [] };
}

/**
 * Some ledgers (synthetic load tests) carry result hashes that no envelope hashes to. A
 * transaction is also identified by its source account and sequence number, which its
 * sequence-number bump records: fall back to that pairing.
 */
function envelopesBySequence(byHash: Map<string, xdr.TransactionEnvelopeWire>): Map<string, xdr.TransactionEnvelopeWire> {
  const out = new Map<string, xdr.TransactionEnvelopeWire>();
  for (const envelope of byHash.values()) {
    const fields = envelopeFields(envelope);
    out.set(`${baseAccountOf(fields.sourceAccount)}:${fields.sequenceNumber}`, envelope);
  }
  return out;
}

/** Decodes LedgerCloseMeta XDR with the Stellar SDK's generic XDR reader (plain "wire" objects). */
export class SdkLedgerDecoder implements LedgerDecoder {
  private readonly networkId: Uint8Array;

  constructor(networkPassphrase: string) {
    this.networkId = sha256(new TextEncoder().encode(networkPassphrase));
  }

  decode(lcmXdr: Uint8Array): LedgerModel {
    return this.fromWire(xdr.LedgerCloseMeta.schema.decode(lcmXdr));
  }

  fromWire(meta: xdr.LedgerCloseMetaWire): LedgerModel {
    const body = meta.v === 0 ? meta.v0 : meta.v === 1 ? meta.v1 : meta.v2;
    const header = body.ledgerHeader.header;
    const envelopesByHash = new Map<string, xdr.TransactionEnvelopeWire>();
    for (const envelope of envelopesOf(meta)) envelopesByHash.set(envelopeHash(envelope, this.networkId), envelope);
    let bySequence: Map<string, xdr.TransactionEnvelopeWire> | undefined;

    const transactions: TransactionModel[] = body.txProcessing.map((processing, i) => {
      const hash = toHex(processing.result.transactionHash);
      const parts = transactionMetaParts(processing.txApplyProcessing);
      const feeChanges = entryChanges(processing.feeProcessing);
      const txChangesBefore = parts.txChangesBefore;
      const envelope =
        envelopesByHash.get(hash) ?? (bySequence ??= envelopesBySequence(envelopesByHash)).get(sequenceBumpKey(feeChanges, txChangesBefore) ?? "");
      if (!envelope) {
        throw new Error(`transaction ${hash} (index ${i + 1}) has no envelope in the transaction set for this network`);
      }
      const fields = envelopeFields(envelope);
      const { successful, results } = operationResults(processing.result.result);
      const operations: OperationModel[] = fields.operations.map((op, index) => ({
        index,
        source: op.sourceAccount ? muxedAccountStrkey(op.sourceAccount) : null,
        body: operationBody(op.body),
        result: operationResult(results[index]),
        changes: parts.operations[index]?.changes ?? [],
        events: parts.operations[index]?.events ?? [],
      }));
      return {
        index: i + 1,
        hash,
        successful,
        feeCharged: processing.result.result.feeCharged,
        feeAccount: fields.feeAccount,
        sourceAccount: fields.sourceAccount,
        sequenceNumber: fields.sequenceNumber,
        memo: fields.memo,
        isFeeBump: fields.isFeeBump,
        isSoroban: fields.isSoroban,
        metaVersion: parts.metaVersion,
        operations,
        feeChanges,
        txChangesBefore,
        txChangesAfter: parts.txChangesAfter,
        postTxApplyFeeChanges: "postTxApplyFeeProcessing" in processing ? entryChanges(processing.postTxApplyFeeProcessing) : [],
        transactionEvents: parts.transactionEvents,
      };
    });

    return {
      sequence: header.ledgerSeq,
      hash: toHex(body.ledgerHeader.hash),
      previousHash: toHex(header.previousLedgerHash),
      closedAt: Number(header.scpValue.closeTime),
      protocolVersion: header.ledgerVersion,
      metaVersion: meta.v,
      transactions,
    };
  }
}
