// The header's txSetHash and txSetResultHash against the bytes of every shared ledger: how
// stellar-core computes them, which ledgers match, exactly why four load-test ledgers cannot, and
// that one flipped bit in an envelope or a result is caught.
import { describe, expect, test } from "bun:test";
import { ledgerDecoder } from "../../src/processor/ledger-decoders.ts";
import { sha256, toHex } from "../../src/stellar/hash.ts";
import { FastLedgerDecoder } from "../../src/stellar/xdr/fast-ledger-decoder.ts";
import { LedgerHashMismatchError, transactionResultSetHash, transactionSetHash } from "../../src/stellar/xdr/ledger-commitments.ts";
import { readLedgerHeader, splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { readEnvelope, readTransactionSet } from "../../src/stellar/xdr/read-envelopes.ts";
import { readEntryChanges } from "../../src/stellar/xdr/read-entries.ts";
import { readTransactionResultPair } from "../../src/stellar/xdr/read-results.ts";
import { readTransactionMeta } from "../../src/stellar/xdr/read-transaction-meta.ts";
import { XdrReader } from "../../src/stellar/xdr/xdr-reader.ts";
import { LAKES, lakeObjectKeys, sampleBatchXdr, sequenceOfKey } from "../source/lake-fixtures.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { recommitLedger } from "../../scripts/fixtures/chained-ledgers/ledger-template.ts";
import { validateLedger } from "../../src/source/ledger-validation.ts";
import { ledgerLayout, withFeeChargedFlipped, withPaymentAmountFlipped } from "../support/tamper.ts";

const PUBNET = "Public Global Stellar Network ; September 2015";

/** Load-test ledgers whose transaction set has extra phases appended (see the test below). */
const ASSEMBLED: Record<string, number[]> = { "standalone-p23": [85, 88], "standalone-p24": [63, 66] };

async function passphraseOf(lake: string): Promise<string> {
  return ((await Bun.file(`${lakePath(lake)}/.config.json`).json()) as { networkPassphrase: string }).networkPassphrase;
}

async function ledgerXdr(lake: string, sequence: number): Promise<Uint8Array> {
  const key = (await lakeObjectKeys(lake)).find((k) => sequenceOfKey(k) === sequence)!;
  return splitLedgerCloseMetaBatch(await sampleBatchXdr(lake, key)).ledgerCloseMetas[0]!;
}

function decodeError(decode: () => unknown): unknown {
  try {
    decode();
  } catch (error) {
    return error;
  }
  return null;
}

describe("txSetHash and txSetResultHash", () => {
  for (const lake of LAKES) {
    test(`${lake}: every ledger matches its header, but for the load-test ledgers assembled from several`, async () => {
      const passphrase = await passphraseOf(lake);
      const decoder = new FastLedgerDecoder(passphrase, { checkHashes: true });
      const failed: number[] = [];
      for (const key of await lakeObjectKeys(lake)) {
        const lcm = splitLedgerCloseMetaBatch(await sampleBatchXdr(lake, key)).ledgerCloseMetas[0]!;
        const error = decodeError(() => decoder.decode(lcm));
        if (error === null) continue;
        expect(error).toBeInstanceOf(LedgerHashMismatchError);
        expect((error as LedgerHashMismatchError).field).toBe("txSetHash");
        expect((error as Error).message).toMatch(/stellar-core builds 2 phases, this set has [46]\)/);
        failed.push(sequenceOfKey(key));
      }
      expect(failed.sort((a, b) => a - b)).toEqual(ASSEMBLED[lake] ?? []);
    });
  }

  test("the assembled ledgers: their header covers the first two phases and the results of those transactions only", async () => {
    for (const [lake, sequences] of Object.entries(ASSEMBLED)) {
      const hashing = { networkId: sha256(new TextEncoder().encode(await passphraseOf(lake))), sha256 };
      for (const sequence of sequences) {
        const lcm = await ledgerXdr(lake, sequence);
        const header = readLedgerHeader(lcm);
        const r = new XdrReader(lcm);
        const setStart = header.headerBytes.byteOffset - lcm.byteOffset + header.headerBytes.byteLength + 4;
        r.pos = setStart + 4 + 32;
        const phases = r.u32("phases");
        expect(phases).toBeGreaterThan(2);
        // Read phases 0 (classic, empty) and 1 (Soroban, one parallel stage) to find where phase 1 ends.
        let transactionsInFirstTwo = 0;
        for (let phase = 0; phase < 2; phase++) {
          if (r.arm("TransactionPhase", 0, 1) === 0) {
            expect(r.u32("v0Components")).toBe(0);
            continue;
          }
          if (r.present("baseFee")) r.skip(8, "baseFee");
          for (let stages = r.u32("stages"); stages > 0; stages--) {
            for (let clusters = r.u32("clusters"); clusters > 0; clusters--) {
              for (let txs = r.u32("txs"); txs > 0; txs--, transactionsInFirstTwo++) readEnvelope(r, hashing);
            }
          }
        }
        const firstTwoPhases = new Uint8Array([...lcm.subarray(setStart, setStart + 36), 0, 0, 0, 2, ...lcm.subarray(setStart + 40, r.pos)]);
        expect(toHex(sha256(firstTwoPhases))).toBe(toHex(header.txSetHash));

        // The results of those transactions come first in txProcessing, and hash to txSetResultHash.
        const layout = ledgerLayout(lcm, await passphraseOf(lake));
        const results = new XdrReader(lcm);
        results.pos = layout.setEnd;
        const ranges: number[] = [];
        for (let count = results.u32("txProcessing"); count > 0; count--) {
          results.ext0("TransactionResultMetaV1.ext");
          const at = results.pos;
          readTransactionResultPair(results);
          ranges.push(at, results.pos);
          readEntryChanges(results);
          readTransactionMeta(results);
          readEntryChanges(results);
        }
        expect(ranges.length).toBe(200);
        const firstPairs = { xdr: lcm, ranges: ranges.slice(0, 2 * transactionsInFirstTwo) };
        expect(toHex(transactionResultSetHash(firstPairs, sha256))).toBe(toHex(header.txSetResultHash));
        expect(toHex(transactionResultSetHash({ xdr: lcm, ranges }, sha256))).not.toBe(toHex(header.txSetResultHash));
      }
    }
  });

  test("a legacy set is hashed with its envelopes in order of SHA-256 of their XDR, whatever order it is stored in", async () => {
    const hashing = { networkId: sha256(new TextEncoder().encode(PUBNET)), sha256 };
    // 30822015 was rebuilt with its envelopes in apply order; 46154623 is as the archives store it.
    for (const [sequence, storedInHashOrder] of [[30822015, false], [46154623, true]] as const) {
      const lcm = await ledgerXdr("pubnet", sequence);
      const header = readLedgerHeader(lcm);
      const r = new XdrReader(lcm);
      const setStart = header.headerBytes.byteOffset - lcm.byteOffset + header.headerBytes.byteLength + 4;
      r.pos = setStart;
      const envelopeRanges: number[] = [];
      const envelopes = readTransactionSet(r, hashing, envelopeRanges);
      const envelopeBytes = envelopes.map((_, i) => lcm.subarray(envelopeRanges[2 * i]!, envelopeRanges[2 * i + 1]!));
      const previousLedgerHash = lcm.subarray(setStart, setStart + 32);
      const hashOf = (parts: Uint8Array[]) => toHex(sha256(new Uint8Array([...previousLedgerHash, ...parts.flatMap((p) => [...p])])));
      const byFullHash = [...envelopeBytes].sort((a, b) => toHex(sha256(a)).localeCompare(toHex(sha256(b))));
      const byTransactionHash = envelopeBytes.map((bytes, i) => ({ bytes, hash: envelopes[i]!.hash })).sort((a, b) => a.hash.localeCompare(b.hash));

      expect(hashOf(byFullHash)).toBe(toHex(header.txSetHash));
      expect(hashOf(byTransactionHash.map((e) => e.bytes))).not.toBe(toHex(header.txSetHash));
      expect(hashOf(envelopeBytes) === toHex(header.txSetHash)).toBe(storedInHashOrder);
      const set = { kind: "legacy" as const, xdr: lcm, start: setStart, envelopeRanges };
      expect(toHex(transactionSetHash(set, sha256))).toBe(toHex(header.txSetHash));
      expect(toHex(transactionSetHash(set, sha256, header.txSetHash))).toBe(toHex(header.txSetHash));
    }
  });

  for (const [lake, sequence] of [["pubnet", 30822017], ["pubnet", 56065483], ["testnet", 998]] as const) {
    test(`${lake} ${sequence}: one flipped bit in an envelope fails txSetHash, in a result txSetResultHash, with either decoder`, async () => {
      const passphrase = await passphraseOf(lake);
      const lcm = await ledgerXdr(lake, sequence);
      const envelope = withPaymentAmountFlipped(lcm, passphrase).lcm;
      const result = withFeeChargedFlipped(lcm, passphrase);
      for (const name of ["fast", "sdk"] as const) {
        const checking = ledgerDecoder(name, passphrase);
        expect(checking.decode(lcm).sequence).toBe(sequence);
        const envelopeError = decodeError(() => checking.decode(envelope));
        expect(envelopeError).toBeInstanceOf(LedgerHashMismatchError);
        expect((envelopeError as LedgerHashMismatchError).field).toBe("txSetHash");
        expect((envelopeError as Error).message).toContain(`the header's scpValue.txSetHash is ${toHex(readLedgerHeader(lcm).txSetHash)} but SHA-256 of the`);
        const resultError = decodeError(() => checking.decode(result));
        expect(resultError).toBeInstanceOf(LedgerHashMismatchError);
        expect((resultError as LedgerHashMismatchError).field).toBe("txSetResultHash");
        expect((resultError as Error).message).toMatch(/TransactionResultSet \(\d+ TransactionResultPairs in apply order\)/);

        // The opt-out reads both as they are.
        const trusting = ledgerDecoder(name, passphrase, { checkHashes: false });
        expect(trusting.decode(envelope).sequence).toBe(sequence);
        expect(trusting.decode(result).sequence).toBe(sequence);
      }
    });
  }

  test("commitments() gives what a header must hold; recommitLedger makes an assembled ledger pass the check and the header check", async () => {
    const real = await ledgerXdr("pubnet", 56065483);
    const decoder = new FastLedgerDecoder(PUBNET, { checkHashes: true });
    const computed = decoder.commitments(real);
    expect([toHex(computed.txSetHash), toHex(computed.txSetResultHash)]).toEqual([toHex(readLedgerHeader(real).txSetHash), toHex(readLedgerHeader(real).txSetResultHash)]);

    const passphrase = await passphraseOf("standalone-p23");
    const assembled = await ledgerXdr("standalone-p23", 85);
    const recommitted = recommitLedger(assembled);
    expect(new FastLedgerDecoder(passphrase, { checkHashes: true }).decode(recommitted).transactions).toHaveLength(100);
    const raw = validateLedger(recommitted, 85, null, "recommitted");
    expect(raw.hash).not.toBe(readLedgerHeader(assembled).hash);
    expect(recommitted.length).toBe(assembled.length);
  });
});
