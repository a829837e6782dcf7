// Decode + extract on the main thread, without source or sink: the decoder comparison.
import { SacAddressBook } from "../../src/stellar/asset.ts";
import type { LedgerDecoder } from "../../src/stellar/ledger-decoder.ts";
import { splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { ledgerEvents } from "../../src/ttp/ledger-events.ts";
import type { LakeObjects } from "./lake-objects.ts";

export interface DecodeExtractResult {
  readonly xdrMb: number;
  readonly ledgers: number;
  readonly events: number;
  readonly decodeMs: number;
  readonly extractMs: number;
}

/** Decodes and extracts the lake's ledgers round after round until `minXdrMb` went through. */
export function decodeExtract(lake: LakeObjects, decoder: LedgerDecoder, minXdrMb: number): DecodeExtractResult {
  const lcms = lake.objects.map((o) => splitLedgerCloseMetaBatch(Bun.zstdDecompressSync(o.compressed)).ledgerCloseMetas[0]!);
  const sac = SacAddressBook.forPassphrase(lake.networkPassphrase);
  for (const lcm of lcms) ledgerEvents(decoder.decode(lcm), sac, "auto"); // warm up
  let bytes = 0;
  let ledgers = 0;
  let events = 0;
  let decodeMs = 0;
  let extractMs = 0;
  while (bytes < minXdrMb * 1e6) {
    for (const lcm of lcms) {
      const t0 = performance.now();
      const model = decoder.decode(lcm);
      const t1 = performance.now();
      events += ledgerEvents(model, sac, "auto").length;
      extractMs += performance.now() - t1;
      decodeMs += t1 - t0;
      bytes += lcm.byteLength;
      ledgers++;
    }
  }
  return { xdrMb: bytes / 1e6, ledgers, events, decodeMs, extractMs };
}
