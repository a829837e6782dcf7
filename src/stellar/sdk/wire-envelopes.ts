// Transaction envelopes of a LedgerCloseMeta: listing them, hashing them, reading their fields.
import { xdr } from "@stellar/stellar-sdk";
import type { Memo } from "../model.ts";
import { sha256, toHex } from "../hash.ts";
import { encodeAccountId } from "../strkey.ts";
import { muxedAccountStrkey } from "./wire-values.ts";

const ENVELOPE_TYPE_TX = 2;
const ENVELOPE_TYPE_TX_FEE_BUMP = 5;

/** Every envelope of the ledger's transaction set, in set order (not apply order). */
export function envelopesOf(meta: xdr.LedgerCloseMetaWire): xdr.TransactionEnvelopeWire[] {
  if (meta.v === 0) return meta.v0.txSet.txs;
  const txSet = meta.v === 1 ? meta.v1.txSet : meta.v2.txSet;
  const out: xdr.TransactionEnvelopeWire[] = [];
  for (const phase of txSet.v1TxSet.phases) {
    if (phase.v === 0) {
      for (const component of phase.v0Components) out.push(...component.txsMaybeDiscountedFee.txs);
    } else {
      for (const stage of phase.parallelTxsComponent.executionStages) for (const cluster of stage) out.push(...cluster);
    }
  }
  return out;
}

function signaturePayloadHash(networkId: Uint8Array, envelopeType: number, body: Uint8Array): string {
  const payload = new Uint8Array(32 + 4 + body.length);
  payload.set(networkId, 0);
  new DataView(payload.buffer).setUint32(32, envelopeType);
  payload.set(body, 36);
  return toHex(sha256(payload));
}

/** The transaction hash (what TransactionResultPair.transactionHash holds) of an envelope. */
export function envelopeHash(envelope: xdr.TransactionEnvelopeWire, networkId: Uint8Array): string {
  switch (envelope.type) {
    case 0: {
      // A v0 transaction is signed as a v1 Transaction: its bytes are those of TransactionV0
      // preceded by KEY_TYPE_ED25519 (0), the optional timeBounds lining up with PRECOND_NONE/TIME.
      const v0 = xdr.TransactionV0.schema.encode(envelope.v0.tx);
      const body = new Uint8Array(4 + v0.length);
      body.set(v0, 4);
      return signaturePayloadHash(networkId, ENVELOPE_TYPE_TX, body);
    }
    case 2:
      return signaturePayloadHash(networkId, ENVELOPE_TYPE_TX, xdr.Transaction.schema.encode(envelope.v1.tx));
    case 5:
      return signaturePayloadHash(networkId, ENVELOPE_TYPE_TX_FEE_BUMP, xdr.FeeBumpTransaction.schema.encode(envelope.feeBump.tx));
  }
}

export interface EnvelopeFields {
  readonly sourceAccount: string;
  readonly feeAccount: string;
  readonly sequenceNumber: bigint;
  readonly memo: Memo;
  readonly operations: readonly xdr.OperationWire[];
  readonly isFeeBump: boolean;
  readonly isSoroban: boolean;
}

function memoOf(memo: xdr.MemoWire): Memo {
  switch (memo.type) {
    case 0:
      return { type: "none" };
    case 1:
      return { type: "text", value: memo.text.toString() };
    case 2:
      return { type: "id", value: memo.id };
    case 3:
      return { type: "hash", value: toHex(memo.hash) };
    case 4:
      return { type: "return", value: toHex(memo.retHash) };
  }
}

export function envelopeFields(envelope: xdr.TransactionEnvelopeWire): EnvelopeFields {
  switch (envelope.type) {
    case 0: {
      const tx = envelope.v0.tx;
      const source = encodeAccountId(tx.sourceAccountEd25519);
      return {
        sourceAccount: source,
        feeAccount: source,
        sequenceNumber: tx.seqNum,
        memo: memoOf(tx.memo),
        operations: tx.operations,
        isFeeBump: false,
        isSoroban: false,
      };
    }
    case 2: {
      const tx = envelope.v1.tx;
      const source = muxedAccountStrkey(tx.sourceAccount);
      return {
        sourceAccount: source,
        feeAccount: source,
        sequenceNumber: tx.seqNum,
        memo: memoOf(tx.memo),
        operations: tx.operations,
        isFeeBump: false,
        isSoroban: tx.ext.v === 1,
      };
    }
    case 5: {
      const inner = envelope.feeBump.tx.innerTx.v1.tx;
      return {
        sourceAccount: muxedAccountStrkey(inner.sourceAccount),
        feeAccount: muxedAccountStrkey(envelope.feeBump.tx.feeSource),
        sequenceNumber: inner.seqNum,
        memo: memoOf(inner.memo),
        operations: inner.operations,
        isFeeBump: true,
        isSoroban: inner.ext.v === 1,
      };
    }
  }
}
