// The purpose-built FastLedgerDecoder against the SDK-backed reference decoder, on every ledger of
// every shared lake: the same ledger model, the same `ttp_events` and `ledgers` rows in every TTP mode.
import { describe, expect, test } from "bun:test";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";
import { FastLedgerDecoder } from "../../src/stellar/xdr/fast-ledger-decoder.ts";
import { TTP_MODES } from "../../src/ttp/ledger-events.ts";
import type { RecordBatch } from "apache-arrow";
import type { ProcessedStats } from "../../src/arrow/processed-batch.ts";
import { lakeSequences } from "../support/ledger-models.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

const LAKES = ["pubnet", "testnet", "standalone-p23", "standalone-p24"];

/** Plain, comparable form of a model: byte values (Buffer or Uint8Array views) as hex. */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "bigint") return `${v}n`;
      if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
      if (v && typeof v === "object" && (v as { type?: unknown }).type === "Buffer") return `0x${Buffer.from((v as { data: number[] }).data).toString("hex")}`;
      return v;
    }),
  );
}

function rows(batch: RecordBatch): unknown[] {
  return comparable(batch.toArray().map((row) => row.toJSON())) as unknown[];
}

/** Every ledger of a lake as the data lake source hands it on (one raw-ledger batch each). */
async function lakeBatches(lake: string): Promise<{ passphrase: string; batches: RecordBatch[] }> {
  const source = await openFolderLake(lakePath(lake));
  const batches: RecordBatch[] = [];
  for (const sequence of await lakeSequences(lake)) {
    for await (const batch of source.batches({ start: sequence, end: sequence })) batches.push(batch);
  }
  return { passphrase: source.networkPassphrase, batches };
}

/** A batch's stats without the per-ledger timings, which differ from run to run. */
function counts({ decodeSeconds, extractSeconds, ...stats }: ProcessedStats): Omit<ProcessedStats, "decodeSeconds" | "extractSeconds"> {
  expect(decodeSeconds?.length).toBe(extractSeconds?.length);
  return stats;
}

describe("FastLedgerDecoder matches SdkLedgerDecoder", () => {
  for (const lake of LAKES) {
    test(`${lake}: same models, same ttp_events and ledgers rows in every mode`, async () => {
      const { passphrase, batches } = await lakeBatches(lake);
      expect(batches.length).toBeGreaterThan(0);
      const sdk = new SdkLedgerDecoder(passphrase);
      const fast = new FastLedgerDecoder(passphrase);
      for (const batch of batches) {
        for (const { sequence, xdr } of rawLedgersOf(batch)) {
          expect({ sequence, model: comparable(fast.decode(xdr)) }).toEqual({ sequence, model: comparable(sdk.decode(xdr)) });
        }
      }
      for (const batch of batches) for (const mode of TTP_MODES) {
        const expected = new TtpProcessor({ networkPassphrase: passphrase, decoder: sdk, mode }).process(batch);
        const actual = new TtpProcessor({ networkPassphrase: passphrase, decoder: fast, mode }).process(batch);
        expect(actual.failure?.message ?? null).toBe(expected.failure?.message ?? null);
        expect(actual.ledgers.numRows).toBe(expected.ledgers.numRows);
        expect(rows(actual.ledgers)).toEqual(rows(expected.ledgers));
        expect(rows(actual.events)).toEqual(rows(expected.events));
        expect(counts(actual.stats)).toEqual(counts(expected.stats));
      }
    });
  }
});
