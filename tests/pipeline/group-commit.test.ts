// runPipeline with group commit: batches are committed together, `committed` is observed only once
// they are, and every way a run stops still commits exactly the ledgers before the failure.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { ProcessedBatch } from "../../src/arrow/processed-batch.ts";
import { runPipeline, type PipelineObserver } from "../../src/pipeline/run-pipeline.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import type { LedgerSink } from "../../src/sink/ledger-sink.ts";
import { fakeProcessor, fakeSource } from "./fake-stages.ts";

const source = fakeSource;
const processor = (failAt?: number) => fakeProcessor({ failAt });

let sink: DuckDbSink;
let calls: string[];
let committed: { lastLedger: number; cursorAtCommit: number | null }[];
let failed: ("source" | "processor" | "sink")[];

/** The sink, recording its calls; `committed` notes what the database held when each batch was observed committed. */
function recordingSink(failOnBatchStarting?: number): LedgerSink {
  return {
    description: sink.description,
    location: sink.location,
    cursor: () => sink.cursor(),
    resumePoint: () => sink.resumePoint(),
    startOver: (at: number | null) => sink.startOver(at),
    close: () => sink.close(),
    write: async (batch: ProcessedBatch) => {
      calls.push(`write ${batch.firstLedger}-${batch.lastLedger}`);
      if (batch.firstLedger === failOnBatchStarting) throw new Error(`disk full at ${batch.firstLedger}`);
      await sink.write(batch);
      cursorNow = (await sink.cursor())?.sequence ?? null;
    },
    writeMany: async (batches: readonly ProcessedBatch[]) => {
      calls.push(`writeMany ${batches.map((b) => `${b.firstLedger}-${b.lastLedger}`).join(",")}`);
      if (batches.some((b) => b.firstLedger === failOnBatchStarting)) throw new Error("disk full");
      await sink.writeMany(batches);
      cursorNow = (await sink.cursor())?.sequence ?? null;
    },
  };
}
let cursorNow: number | null = null;

const observer: PipelineObserver = {
  source: { failed: () => failed.push("source") },
  processor: { failed: () => failed.push("processor") },
  sink: { committed: (batch: ProcessedBatch) => committed.push({ lastLedger: batch.lastLedger, cursorAtCommit: cursorNow }), failed: () => failed.push("sink") },
};

beforeEach(async () => {
  sink = await DuckDbSink.open(":memory:");
  calls = [];
  committed = [];
  failed = [];
  cursorNow = null;
});

afterEach(async () => {
  await sink.close();
});

const policy = { ledgers: 6, ms: 60_000 };

describe("runPipeline with group commit", () => {
  test("commits 2-ledger batches three at a time, observes each batch after its commit, and commits the rest at the end", async () => {
    const summary = await runPipeline({ source: source(2), processor: processor(), sink: recordingSink(), range: { start: 100, end: 113 }, groupCommit: policy, observer });
    expect(calls).toEqual(["writeMany 100-101,102-103,104-105", "writeMany 106-107,108-109,110-111", "write 112-113"]);
    expect(committed.map((c) => c.lastLedger)).toEqual([101, 103, 105, 107, 109, 111, 113]);
    for (const c of committed) expect(c.cursorAtCommit! >= c.lastLedger).toBe(true);
    expect((await sink.cursor())?.sequence).toBe(113);
    expect(summary.ledgers).toBe(14);
  });

  test("a rows limit closes a group before its ledgers limit", async () => {
    await runPipeline({ source: source(2), processor: processor(), sink: recordingSink(), range: { start: 100, end: 105 }, groupCommit: { ...policy, rows: 20 }, observer });
    expect(calls).toEqual(["writeMany 100-101,102-103", "write 104-105"]); // 2 ledgers + 8 events: 10 rows per batch
  });

  test("without group commit, every batch is written on its own", async () => {
    await runPipeline({ source: source(2), processor: processor(), sink: recordingSink(), range: { start: 100, end: 105 }, observer });
    expect(calls).toEqual(["write 100-101", "write 102-103", "write 104-105"]);
  });

  test("a failing ledger: everything before it is committed, in the same run, and nothing after", async () => {
    const run = runPipeline({ source: source(2), processor: processor(105), sink: recordingSink(), range: { start: 100, end: 113 }, groupCommit: policy, observer });
    await expect(run).rejects.toThrow(/bad ledger \(ledger 105\)/);
    expect(calls).toEqual(["writeMany 100-101,102-103,104-104"]);
    expect((await sink.cursor())?.sequence).toBe(104);
    expect(failed).toEqual(["processor"]);
  });

  test("a source failure: the batches read before it are committed before the error propagates", async () => {
    const run = runPipeline({ source: source(2, { failAfter: 103 }), processor: processor(), sink: recordingSink(), range: { start: 100, end: 113 }, groupCommit: policy, observer });
    await expect(run).rejects.toThrow("source broke at ledger 104");
    expect((await sink.cursor())?.sequence).toBe(103);
    expect(committed.map((c) => c.lastLedger)).toEqual([101, 103]);
    expect(failed).toEqual(["source"]);
  });

  test("a group the sink refuses is written batch by batch: the batches before the bad one are committed, its error is reported", async () => {
    const run = runPipeline({ source: source(2), processor: processor(), sink: recordingSink(104), range: { start: 100, end: 113 }, groupCommit: policy, observer });
    await expect(run).rejects.toThrow("disk full at 104");
    expect(calls).toEqual(["writeMany 100-101,102-103,104-105", "write 100-101", "write 102-103", "write 104-105"]);
    expect((await sink.cursor())?.sequence).toBe(103);
    expect(committed.map((c) => c.lastLedger)).toEqual([101, 103]);
    expect(failed).toEqual(["sink"]);
  });

  test("while the source waits, rows waiting longer than `ms` are committed without the next batch", async () => {
    const waitForCommit = async (first: number) => {
      if (first === 100) return;
      for (let i = 0; i < 500 && (await sink.cursor())?.sequence !== first - 1; i++) await Bun.sleep(10);
    };
    await runPipeline({ source: source(2, { before: waitForCommit }), processor: processor(), sink: recordingSink(), range: { start: 100, end: 103 }, groupCommit: { ledgers: 100, ms: 20 }, observer });
    expect(calls).toEqual(["write 100-101", "write 102-103"]); // the first was committed while the source held the second back
  });

  test("an interrupted run commits what it processed before the interruption", async () => {
    const abort = new AbortController();
    const stopAt = async (first: number) => {
      if (first === 104) abort.abort(new Error("interrupted"));
    };
    const run = runPipeline({ source: source(2, { before: stopAt }), processor: processor(), sink: recordingSink(), range: { start: 100, end: 113 }, groupCommit: policy, observer, signal: abort.signal });
    await expect(run).rejects.toThrow("interrupted");
    expect((await sink.cursor())?.sequence).toBeGreaterThanOrEqual(103);
    expect(failed).toEqual([]);
  });
});
