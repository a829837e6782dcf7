// ParallelTtpProcessor through the in-process pipeline: the same rows as the sequential processor,
// in ledger order; a failing ledger stops the run with the same ProcessorError, everything before
// it committed and nothing after it.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { ParallelTtpProcessor } from "../../src/processor/parallel-processor.ts";
import { ProcessorError, TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { TempLake } from "../source/lake-fixtures.ts";

const processors: ParallelTtpProcessor[] = [];
afterAll(() => {
  for (const p of processors) p.close();
});

async function tableRows(sink: DuckDbSink): Promise<{ ledgers: unknown[][]; events: unknown[][] }> {
  const connection = await sink.connect();
  const ledgers = (await connection.runAndReadAll("SELECT * FROM ledgers ORDER BY sequence")).getRows();
  const events = (await connection.runAndReadAll("SELECT * FROM ttp_events ORDER BY ledger_sequence, event_index")).getRows();
  return { ledgers, events };
}

async function runInto(lake: string, range: { start: number; end: number }, workers: number | null, ledgersPerArrowBatch: number, maxInFlight = 3, checkHashes = true) {
  const source = await openFolderLake(lake, { ledgersPerArrowBatch });
  const sink = await DuckDbSink.open(":memory:");
  const passphrase = source.networkPassphrase;
  let error: unknown = null;
  try {
    if (workers === null) {
      const processor = new TtpProcessor({ networkPassphrase: passphrase, decoder: new SdkLedgerDecoder(passphrase), mode: "auto" });
      await runPipeline({ source, processor, sink, range });
    } else {
      const parallel = new ParallelTtpProcessor({ networkPassphrase: passphrase, mode: "auto", workers, maxInFlight, checkHashes });
      processors.push(parallel);
      await runPipeline({ source: parallel.readAhead(source), processor: parallel, sink, range }).finally(() => parallel.close());
    }
  } catch (e) {
    error = e;
  }
  const rows = await tableRows(sink);
  const cursor = (await sink.cursor())?.sequence ?? null;
  await sink.close();
  return { ...rows, cursor, error };
}

const KEY = (seq: number) => `FE2A45FF--30784000-30847999/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`;

describe("ParallelTtpProcessor in the pipeline", () => {
  test("pubnet 30822015-30822025 with 2 workers and 3 batches in flight: the same rows as the sequential SDK path", async () => {
    const range = { start: 30822015, end: 30822025 };
    const expected = await runInto(lakePath("pubnet"), range, null, 2);
    const actual = await runInto(lakePath("pubnet"), range, 2, 2);
    expect(actual.error).toBeNull();
    expect(actual.ledgers.length).toBe(11);
    expect(actual.events.length).toBeGreaterThan(600);
    expect(actual.ledgers).toEqual(expected.ledgers);
    expect(actual.events).toEqual(expected.events);
    expect(actual.cursor).toBe(30822025);
  });

  test("a ledger per batch and 8 in flight (each worker holds two batches at a time): the same rows, in order", async () => {
    const range = { start: 30822015, end: 30822025 };
    const expected = await runInto(lakePath("pubnet"), range, null, 1);
    for (const workers of [1, 2]) {
      const actual = await runInto(lakePath("pubnet"), range, workers, 1, 8);
      expect(actual.error).toBeNull();
      expect(actual.ledgers).toEqual(expected.ledgers);
      expect(actual.events).toEqual(expected.events);
    }
  });

  test("standalone-p23 84-85 (2000 SAC transfer rows) with 1 worker: the same rows", async () => {
    const range = { start: 84, end: 85 };
    const expected = await runInto(lakePath("standalone-p23"), range, null, 1);
    // Ledger 85 carries more phases than its header's txSetHash covers (assembled from several
    // ledgers; see src/stellar/xdr/ledger-commitments.ts): read with the check off.
    const actual = await runInto(lakePath("standalone-p23"), range, 1, 1, 3, false);
    expect(actual.error).toBeNull();
    expect(actual.events).toEqual(expected.events);
    expect(actual.ledgers).toEqual(expected.ledgers);
  });

  test("a ledger with garbage transactions stops the run with a ProcessorError; earlier ledgers are committed, later ones are not", async () => {
    const lake = await TempLake.create();
    try {
      for (let seq = 30822015; seq <= 30822020; seq++) await lake.copy("pubnet", KEY(seq));
      const path = join(lake.dir, KEY(30822017));
      const xdr = Bun.zstdDecompressSync(await Bun.file(path).bytes());
      const garbled = xdr.slice();
      for (let i = 2000; i < garbled.length; i++) garbled[i] = (i * 7919) & 0xff;
      await writeFile(path, Bun.zstdCompressSync(garbled));

      const { ledgers, cursor, error } = await runInto(lake.dir, { start: 30822015, end: 30822020 }, 2, 1);
      expect(error).toBeInstanceOf(ProcessorError);
      expect((error as ProcessorError).ledger).toBe(30822017);
      expect((error as Error).message).toMatch(/^undecodable LedgerCloseMeta XDR: .* \(ledger 30822017, .*--30822017\.xdr\.zst\)$/);
      expect(ledgers.map((r) => Number(r[0]))).toEqual([30822015, 30822016]);
      expect(cursor).toBe(30822016);
    } finally {
      await lake.remove();
    }
  });
});
