// The gap rule in runPipeline: a run begins at the sink's resume point (cursor + 1 with the committed
// hash, or a start asked for before), and every ledger it commits follows the one before it; only an
// explicit start over may open a gap, and it is recorded before anything is read.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { processedBatch, scalar } from "../sink/fixtures.ts";
import { fakeProcessor, fakeSource } from "./fake-stages.ts";

let sink: DuckDbSink;

beforeEach(async () => {
  sink = await DuckDbSink.open(":memory:");
  await sink.write(processedBatch(100, 105)); // the database holds 100-105
});
afterEach(async () => {
  await sink.close();
});

const held = async () => {
  const connection = await sink.connect();
  try {
    return (await connection.runAndReadAll("SELECT sequence FROM ledgers ORDER BY sequence")).getRows().map((r) => r[0]);
  } finally {
    connection.closeSync();
  }
};
const range = (start: number, end: number) => Array.from({ length: end - start + 1 }, (_, i) => start + i);
const groupCommit = { ledgers: 6, ms: 60_000 };

describe("runPipeline and the sink's cursor", () => {
  test("a run that would begin past cursor + 1 is refused before anything is read, naming the cursor and the ledger", async () => {
    const source = fakeSource(2);
    const run = runPipeline({ source, processor: fakeProcessor(), sink, range: { start: 110, end: 113 }, groupCommit });
    await expect(run).rejects.toThrow("the sink holds ledgers through 105 (its cursor), but ledger 110 arrived next: ledgers 106-109 would be missing");
    expect(source.asked).toEqual([]);
    expect(await held()).toEqual(range(100, 105));
  });

  test("a source that jumps mid-run: the ledgers before the jump are committed, nothing after it", async () => {
    const run = runPipeline({ source: fakeSource(2, { jump: { after: 109, to: 120 } }), processor: fakeProcessor(), sink, range: { start: 106, end: 125 }, groupCommit });
    await expect(run).rejects.toThrow("ledger 120 came after ledger 109 (expected 110): ledgers 110-119 would be missing; nothing from ledger 120 on was committed");
    expect(await held()).toEqual(range(100, 109));
    expect((await sink.cursor())?.sequence).toBe(109);
  });

  test("a first ledger that does not chain to the committed one is refused", async () => {
    const run = runPipeline({ source: fakeSource(2), processor: fakeProcessor({ foreignPreviousHash: 106 }), sink, range: { start: 106, end: 109 }, groupCommit });
    await expect(run).rejects.toThrow(/ledger 106 does not chain to ledger 105 committed in the sink: its previous hash is e{64}, that ledger's hash is f+69\b/);
    expect(await held()).toEqual(range(100, 105));
  });

  test("a start over asked for explicitly opens the gap, and is recorded before any ledger is read", async () => {
    const failing = runPipeline({ source: fakeSource(2, { failAfter: 109 }), processor: fakeProcessor(), sink, range: { start: 110, end: 113 }, startOver: true, groupCommit });
    await expect(failing).rejects.toThrow("source broke at ledger 110");
    // nothing was read, but the start was remembered: a resume goes on from it, not from the cursor
    expect(await sink.resumePoint()).toEqual({ cursor: 105, next: 110, previousHash: null, startPending: true });
    await expect(runPipeline({ source: fakeSource(2), processor: fakeProcessor(), sink, range: { start: 106, end: 113 }, groupCommit })).rejects.toThrow(
      "the sink was asked to start at ledger 110 (--start), but ledger 106 arrived first",
    );
    const summary = await runPipeline({ source: fakeSource(2), processor: fakeProcessor(), sink, range: { start: 110, end: 113 }, groupCommit });
    expect(summary.ledgers).toBe(4);
    expect(await held()).toEqual([...range(100, 105), ...range(110, 113)]);
    const next = await sink.resumePoint();
    expect(next).toEqual({ cursor: 113, next: 114, previousHash: "71".padStart(64, "f"), startPending: false });
  });

  test("an explicit start below the cursor rewrites that range; the cursor stays the highest committed ledger", async () => {
    await runPipeline({ source: fakeSource(2), processor: fakeProcessor(), sink, range: { start: 102, end: 103 }, startOver: true, groupCommit });
    expect(await held()).toEqual(range(100, 105));
    expect((await sink.cursor())?.sequence).toBe(105);
    const connection = await sink.connect();
    expect(await scalar(connection, "SELECT count(*) FROM ttp_events")).toBe(24n); // 4 per ledger, not duplicated
    connection.closeSync();
  });
});
