// Every ledger of every shared lake goes through the whole in-process pipeline (data lake source,
// SDK decoder, TTP processor, DuckDB sink) without error, with reconciliation (--verify) on.
import { describe, expect, test } from "bun:test";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";
import { lakeSequences } from "../support/ledger-models.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

/** Maximal runs of consecutive sequences: [[start, end], ...]. */
function contiguousRanges(sequences: number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const s of sequences) {
    const last = ranges[ranges.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else ranges.push([s, s]);
  }
  return ranges;
}

describe("the pipeline over every shared lake", () => {
  for (const lake of ["pubnet", "testnet", "standalone-p23", "standalone-p24"]) {
    for (const mode of ["auto", "classic"] as const) {
      test(`${lake}, ${mode} mode: every ledger lands in DuckDB`, async () => {
        const source = await openFolderLake(lakePath(lake));
        // standalone-p24 was made under another network than its manifest's, so it cannot reconcile
        // (see tests/ttp/soroban-loadtest.test.ts).
        const verify = lake !== "standalone-p24";
        const processor = new TtpProcessor({ networkPassphrase: source.networkPassphrase, decoder: new SdkLedgerDecoder(source.networkPassphrase), mode, verify });
        const sink = await DuckDbSink.open(":memory:");
        try {
          const sequences = await lakeSequences(lake);
          let events = 0;
          for (const [start, end] of contiguousRanges(sequences)) {
            // each range asked for explicitly: the gaps between them are the operator's
            const summary = await runPipeline({ source, processor, sink, range: { start, end }, startOver: true });
            expect(summary.ledgers).toBe(end - start + 1);
            events += summary.events;
          }
          const connection = await sink.connect();
          const rows = (await connection.runAndReadAll("SELECT (SELECT count(*) FROM ledgers), (SELECT count(*) FROM ttp_events)")).getRows();
          expect(rows).toEqual([[BigInt(sequences.length), BigInt(events)]]);
          expect((await sink.cursor())?.sequence).toBe(sequences[sequences.length - 1]!);
        } finally {
          await sink.close();
        }
      });
    }
  }
});

describe("unified mode over the pubnet ledgers that carry CAP-67 events", () => {
  for (const [start, end] of [[30820015, 30820015], [30822015, 30822025]] as const) {
    test(`${start}-${end} reconciles`, async () => {
      const source = await openFolderLake(lakePath("pubnet"));
      const processor = new TtpProcessor({ networkPassphrase: source.networkPassphrase, decoder: new SdkLedgerDecoder(source.networkPassphrase), mode: "unified", verify: true });
      const sink = await DuckDbSink.open(":memory:");
      try {
        const summary = await runPipeline({ source, processor, sink, range: { start, end } });
        expect(summary.ledgers).toBe(end - start + 1);
      } finally {
        await sink.close();
      }
    });
  }
});
