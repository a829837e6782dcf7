// Decode + extract on the main thread, without source or sink: the decoder comparison.
import { SacAddressBook } from "../../src/stellar/asset.ts";
import type { LedgerDecoder } from "../../src/stellar/ledger-decoder.ts";
import { splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { ledgerEvents } from "../../src/ttp/ledger-events.ts";
import type { LakeObjects } from "./lake-objects.ts";
import { recommitLedger } from "../fixtures/chained-ledgers/ledger-template.ts";

export interface DecodeExtractResult {
  readonly xdrMb: number;
  readonly ledgers: number;
  readonly events: number;
  readonly decodeMs: number;
  readonly extractMs: number;
}

/**
 * Decodes and extracts the lake's ledgers round after round until `minXdrMb` went through each
 * decoder. Several decoders take turns, a round each, so that a change in the machine's load
 * falls on all of them alike.
 */
export function decodeExtract<K extends string>(lake: LakeObjects, decoders: Record<K, LedgerDecoder>, minXdrMb: number): Record<K, DecodeExtractResult> {
  // Headers committing to what the ledgers carry, so that a decoder checking them decodes every one.
  const lcms = lake.objects.map((o) => recommitLedger(splitLedgerCloseMetaBatch(Bun.zstdDecompressSync(o.compressed)).ledgerCloseMetas[0]!));
  const sac = SacAddressBook.forPassphrase(lake.networkPassphrase);
  const names = Object.keys(decoders) as K[];
  const totals = {} as Record<K, { xdrMb: number; ledgers: number; events: number; decodeMs: number; extractMs: number }>;
  for (const name of names) {
    for (const lcm of lcms) ledgerEvents(decoders[name].decode(lcm), sac, "auto"); // warm up
    totals[name] = { xdrMb: 0, ledgers: 0, events: 0, decodeMs: 0, extractMs: 0 };
  }
  for (let round = 0; totals[names[0]!].xdrMb < minXdrMb; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      const total = totals[name];
      for (const lcm of lcms) {
        const t0 = performance.now();
        const model = decoders[name].decode(lcm);
        const t1 = performance.now();
        total.events += ledgerEvents(model, sac, "auto").length;
        total.extractMs += performance.now() - t1;
        total.decodeMs += t1 - t0;
        total.xdrMb += lcm.byteLength / 1e6;
        total.ledgers++;
      }
    }
  }
  return totals;
}
