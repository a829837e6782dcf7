// Damaged input never hangs or crashes the FastLedgerDecoder: truncations fail with an XdrReadError
// naming the type and offset; byte flips either fail with an Error or decode to some model.
import { describe, expect, test } from "bun:test";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { XdrReadError } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { FastLedgerDecoder } from "../../src/stellar/xdr/fast-ledger-decoder.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

async function ledgerXdr(lake: string, sequence: number): Promise<{ passphrase: string; xdr: Uint8Array }> {
  const source = await openFolderLake(lakePath(lake));
  for await (const batch of source.batches({ start: sequence, end: sequence })) {
    for (const raw of rawLedgersOf(batch)) return { passphrase: source.networkPassphrase, xdr: raw.xdr.slice() };
  }
  throw new Error(`ledger ${sequence} not in ${lake}`);
}

/** A small deterministic PRNG (mulberry32), so every run damages the same bytes. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CASES = [
  ["standalone-p23", 85],
  ["pubnet", 56065483],
  ["pubnet", 30822020],
] as const;

describe("FastLedgerDecoder on damaged ledgers", () => {
  for (const [lake, sequence] of CASES) {
    test(`${lake} ${sequence}: truncated XDR fails with the type and offset`, async () => {
      const { passphrase, xdr } = await ledgerXdr(lake, sequence);
      const decoder = new FastLedgerDecoder(passphrase);
      for (const fraction of [0, 0.001, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9]) {
        const cut = Math.floor(xdr.length * fraction);
        let error: unknown = null;
        try {
          decoder.decode(xdr.subarray(0, cut));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(XdrReadError);
        expect((error as Error).message).toMatch(/(cut short|cannot fit).* at offset \d+/);
      }
    });

    test(`${lake} ${sequence}: random byte flips fail with an Error or decode, never hang`, async () => {
      const { passphrase, xdr } = await ledgerXdr(lake, sequence);
      const decoder = new FastLedgerDecoder(passphrase);
      const random = prng(sequence);
      let failures = 0;
      for (let round = 0; round < 40; round++) {
        const damaged = xdr.slice();
        for (let flip = 0; flip < 4; flip++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        try {
          decoder.decode(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          failures++;
        }
      }
      // Most flips land in lengths, discriminants or hashes the reader checks or matches.
      expect(failures).toBeGreaterThan(0);
    });
  }
});
