// Makes a LedgerCloseMeta's header commit to the transaction set and results it carries. The shared
// load-test lakes hold ledgers assembled from several (more phases than their header's txSetHash
// covers: src/stellar/xdr/ledger-commitments.ts), which the production path's hash check refuses;
// replays patch their headers as a generator of replay lakes would, so that the check runs over
// every byte as it does on a real ledger.
import { sha256 } from "../../src/stellar/hash.ts";
import { FastLedgerDecoder } from "../../src/stellar/xdr/fast-ledger-decoder.ts";
import { readLedgerHeader } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { nativeSha256 } from "../../src/processor/native-sha256.ts";

/** Where a ledger's txSetHash and txSetResultHash sit, and the values that match its contents. */
export interface HeaderPatch {
  readonly txSetHashAt: number;
  readonly txSetResultHashAt: number;
  readonly txSetHash: Uint8Array;
  readonly txSetResultHash: Uint8Array;
}

export function headerPatch(lcm: Uint8Array, networkPassphrase: string): HeaderPatch {
  const header = readLedgerHeader(lcm);
  const computed = new FastLedgerDecoder(networkPassphrase, { sha256: nativeSha256 }).commitments(lcm);
  return {
    txSetHashAt: header.txSetHash.byteOffset - lcm.byteOffset,
    txSetResultHashAt: header.txSetResultHash.byteOffset - lcm.byteOffset,
    ...computed,
  };
}

/** Writes the patch into `lcm` (in place). The header's own hash is left as it was. */
export function applyHeaderPatch(lcm: Uint8Array, patch: HeaderPatch): void {
  lcm.set(patch.txSetHash, patch.txSetHashAt);
  lcm.set(patch.txSetResultHash, patch.txSetResultHashAt);
}

/**
 * A copy of `lcm` whose header commits to its contents, with LedgerHeaderHistoryEntry.hash
 * recomputed so that the source's header check passes too (the next ledger's previousLedgerHash
 * must then be set to it to keep the chain).
 */
export function recommitLedger(lcm: Uint8Array, networkPassphrase: string): Uint8Array {
  const out = new Uint8Array(lcm);
  applyHeaderPatch(out, headerPatch(out, networkPassphrase));
  const header = readLedgerHeader(out);
  out.set(sha256(header.headerBytes), header.headerBytes.byteOffset - out.byteOffset - 32);
  return out;
}
