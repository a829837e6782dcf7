// One source ledger, ready to be stamped as another ledger of a hash-chained replay: where its
// header fields and its transaction set's previousLedgerHash sit in the XDR, and the hash of its
// results (which never change), found once so that each stamp only patches bytes and hashes.
//
// What a stamp rewrites (Stellar-ledger.x):
//   LedgerCloseMetaBatch { startSequence; endSequence; ... }                     -> the new sequence
//   LedgerHeaderHistoryEntry.hash                                                -> sha256(LedgerHeader)
//   LedgerHeader.previousLedgerHash, .ledgerSeq, .scpValue.closeTime              -> the chain's
//   LedgerHeader.scpValue.txSetHash                                              -> hash of the tx set
//   LedgerHeader.txSetResultHash                                                 -> sha256(TransactionResultSet)
//   TransactionSet / TransactionSetV1 .previousLedgerHash                         -> the chain's
// The tx set hash is sha256 of the GeneralizedTransactionSet XDR (LCM v1, v2), and for the legacy
// TransactionSet (LCM v0) sha256 over previousLedgerHash then each envelope's XDR.
import { readLedgerHeader, splitLedgerCloseMetaBatch, XdrReadError, LEDGER_CLOSE_META_BATCH_PREFIX_BYTES } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { XdrReader } from "../../src/stellar/xdr/xdr-reader.ts";
import { readGeneralizedTransactionSet, readTransactionSet, type EnvelopeHashing } from "../../src/stellar/xdr/read-envelopes.ts";
import { readTransactionResultPair } from "../../src/stellar/xdr/read-results.ts";
import { readEntryChanges } from "../../src/stellar/xdr/read-entries.ts";
import { readTransactionMeta } from "../../src/stellar/xdr/read-transaction-meta.ts";
import { messageOf } from "../../src/common/message-of.ts";

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const part of parts) hasher.update(part);
  return new Uint8Array(hasher.digest()); // a copy: Bun's digest Buffer may sit in a shared pool
}

/** Byte offsets inside the batch (the 12-byte LedgerCloseMetaBatch prefix included). */
export interface TemplateOffsets {
  readonly entryHash: number;
  readonly headerStart: number;
  readonly headerEnd: number;
  readonly previousLedgerHash: number;
  readonly txSetHash: number;
  readonly closeTime: number;
  readonly txSetResultHash: number;
  readonly ledgerSeq: number;
  readonly txSetStart: number;
  readonly txSetEnd: number;
  /** TransactionSet(V1).previousLedgerHash. */
  readonly txSetPreviousLedgerHash: number;
}

export interface LedgerTemplate {
  /** The source ledger's sequence, and where it came from (for messages). */
  readonly sourceSequence: number;
  readonly location: string;
  /** The decompressed LedgerCloseMetaBatch holding this one ledger. */
  readonly batch: Uint8Array;
  /** LCM v0 carries the legacy TransactionSet. */
  readonly legacyTxSet: boolean;
  readonly closeTime: number;
  /** Transactions in the ledger. */
  readonly transactions: number;
  readonly offsets: TemplateOffsets;
  /** sha256 of the TransactionResultSet XDR (the results in apply order). */
  readonly resultSetHash: Uint8Array;
}

// Envelope hashes are not needed to find where things are; any network id will do.
const HASHING: EnvelopeHashing = { networkId: new Uint8Array(32), sha256: (data) => sha256(data) };

/** Offset just past LedgerHeader.scpValue (StellarValue), reading as readLedgerHeader does. */
function stellarValueEnd(lcm: Uint8Array, headerStart: number): number {
  const r = new XdrReader(lcm);
  r.pos = headerStart + 4 + 32 + 32 + 8; // ledgerVersion, previousLedgerHash, txSetHash, closeTime
  const upgrades = r.count("StellarValue.upgrades", 4, 6);
  for (let i = 0; i < upgrades; i++) r.skip((r.u32("UpgradeType length") + 3) & ~3, "UpgradeType");
  const skipSignature = () => {
    r.skip(4 + 32, "LedgerCloseValueSignature.nodeID");
    r.skip((r.u32("Signature length") + 3) & ~3, "Signature");
  };
  const ext = r.arm("StellarValue.ext", 0, 2);
  if (ext === 1) skipSignature();
  if (ext === 2) {
    r.skip(32 + 32 + 4, "StellarValue.ext.proposedValue");
    skipSignature();
  }
  return r.pos;
}

/** Finds the template's offsets and result hash; throws naming `location` on XDR it cannot read. */
export function ledgerTemplate(batch: Uint8Array, location: string): LedgerTemplate {
  const split = splitLedgerCloseMetaBatch(batch);
  if (split.ledgerCloseMetas.length !== 1) throw new Error(`${location}: a replay lake is made from objects of one ledger each`);
  const base = LEDGER_CLOSE_META_BATCH_PREFIX_BYTES;
  const lcm = split.ledgerCloseMetas[0]!;
  try {
    const header = readLedgerHeader(lcm);
    const headerStart = header.headerBytes.byteOffset - lcm.byteOffset;
    const headerEnd = headerStart + header.headerBytes.byteLength;
    const scpEnd = stellarValueEnd(lcm, headerStart);
    const ledgerSeq = scpEnd + 64; // txSetResultHash, bucketListHash
    if (new DataView(lcm.buffer, lcm.byteOffset).getUint32(ledgerSeq) !== header.sequence) {
      throw new Error(`ledgerSeq not found where the header layout puts it (offset ${ledgerSeq})`);
    }
    const r = new XdrReader(lcm);
    r.pos = headerEnd + 4; // LedgerHeaderHistoryEntry.ext
    const txSetStart = r.pos;
    const legacyTxSet = header.metaVersion === 0;
    if (legacyTxSet) readTransactionSet(r, HASHING);
    else readGeneralizedTransactionSet(r, HASHING);
    const txSetEnd = r.pos;
    // TransactionResultSet { TransactionResultPair results<> }: the pairs of txProcessing, in order.
    const count = r.count("txProcessing", 52);
    const results = new Bun.CryptoHasher("sha256");
    const countBytes = new Uint8Array(4);
    new DataView(countBytes.buffer).setUint32(0, count);
    results.update(countBytes);
    for (let i = 0; i < count; i++) {
      if (header.metaVersion === 2) r.ext0("TransactionResultMetaV1.ext");
      const pairStart = r.pos;
      readTransactionResultPair(r);
      results.update(lcm.subarray(pairStart, r.pos));
      readEntryChanges(r);
      readTransactionMeta(r);
      if (header.metaVersion === 2) readEntryChanges(r);
    }
    return {
      sourceSequence: header.sequence,
      location,
      batch,
      legacyTxSet,
      closeTime: header.closeTime,
      transactions: count,
      offsets: {
        entryHash: base + headerStart - 32,
        headerStart: base + headerStart,
        headerEnd: base + headerEnd,
        previousLedgerHash: base + headerStart + 4,
        txSetHash: base + headerStart + 36,
        closeTime: base + headerStart + 68,
        txSetResultHash: base + scpEnd,
        ledgerSeq: base + ledgerSeq,
        txSetStart: base + txSetStart,
        txSetEnd: base + txSetEnd,
        txSetPreviousLedgerHash: base + txSetStart + (legacyTxSet ? 0 : 4),
      },
      resultSetHash: new Uint8Array(results.digest()),
    };
  } catch (error) {
    const what = error instanceof XdrReadError || messageOf(error);
    throw new Error(`${location}: cannot read the LedgerCloseMeta to replay it: ${what}`, { cause: error });
  }
}

export interface StampedLedger {
  /** The LedgerCloseMetaBatch XDR of the new ledger (a copy; the template is left as it was). */
  readonly batch: Uint8Array;
  /** Its ledger hash: sha256 of its LedgerHeader. */
  readonly hash: Uint8Array;
}

/** The template as ledger `sequence`, chained to `previousHash`, closed at `closeTime` (seconds). */
export function stampLedger(template: LedgerTemplate, sequence: number, previousHash: Uint8Array, closeTime: number): StampedLedger {
  const o = template.offsets;
  const out = new Uint8Array(template.batch); // a copy (Buffer.slice would be a view)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, sequence); // LedgerCloseMetaBatch.startSequence
  view.setUint32(4, sequence); // .endSequence
  view.setUint32(o.ledgerSeq, sequence);
  view.setBigUint64(o.closeTime, BigInt(closeTime));
  out.set(previousHash, o.previousLedgerHash);
  out.set(previousHash, o.txSetPreviousLedgerHash);
  const txSetHash = template.legacyTxSet
    ? sha256(previousHash, out.subarray(o.txSetPreviousLedgerHash + 32 + 4, o.txSetEnd)) // the envelopes, without their count
    : sha256(out.subarray(o.txSetStart, o.txSetEnd));
  out.set(txSetHash, o.txSetHash);
  out.set(template.resultSetHash, o.txSetResultHash);
  const hash = sha256(out.subarray(o.headerStart, o.headerEnd));
  out.set(hash, o.entryHash);
  return { batch: out, hash };
}
