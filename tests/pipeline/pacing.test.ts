// --max-ledgers-per-second paces a run a ledger at a time, whatever the batch size: the README's
// dashboard demo (11 pubnet ledgers at 1 ledger/s) commits one ledger a second for 10 s instead of
// all 11 in the first second and then waiting. Time is a ManualClock's: no wall-clock bounds.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runPipeline, type PipelineProgress } from "../../src/pipeline/run-pipeline.ts";
import { openProcessor } from "../../src/processor/open-processor.ts";
import { openSink } from "../../src/sink/open-sink.ts";
import { openSource } from "../../src/source/open-source.ts";
import { DEFAULT_GROUP_COMMIT } from "../../src/stages/commit-group.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { ManualClock } from "../support/manual-clock.ts";
import { tempDir } from "../sink/fixtures.ts";

const work = tempDir("stellar-flow-pacing-");
afterAll(() => work.remove());

/** The demo's run: pubnet 30822015-30822025 in one batch of 16, as the CLI commits it; when each ledger was committed, on `clock`. */
async function run(name: string, maxLedgersPerSecond: number | undefined, clock: ManualClock) {
  const { source } = await openSource({ datalake: lakePath("pubnet"), rpcUrl: null, s3Endpoint: null, concurrency: 8, maxObjectBytes: null }, { network: null, ledgersPerArrowBatch: 16 });
  const processing = openProcessor(source.networkPassphrase, { decoder: "fast", mode: "auto", verify: false, checkHashes: true, filter: null, workers: 0 });
  const opened = await openSink(join(work.path, `${name}.duckdb`));
  const commits: [number, number][] = [];
  try {
    const pipeline = runPipeline({
      source,
      processor: processing.processor,
      sink: opened.sink,
      range: { start: 30822015, end: 30822025 },
      maxLedgersPerSecond,
      clock,
      groupCommit: DEFAULT_GROUP_COMMIT,
      startOver: true,
      observer: { sink: { committed: (batch) => commits.push([batch.lastLedger, clock.now()]) } },
    });
    const summary: PipelineProgress = await clock.runToEnd(pipeline);
    return { summary, commits };
  } finally {
    processing.close();
    await opened.close();
  }
}

describe("--max-ledgers-per-second", () => {
  test("1 ledger/s commits the 11 demo ledgers one a second, not all at once, and counts them as an unpaced run does", async () => {
    const clock = new ManualClock();
    const paced = await run("paced", 1, clock);
    expect(paced.commits).toEqual(Array.from({ length: 11 }, (_, i) => [30822015 + i, i * 1000]));
    expect(clock.now()).toBe(11_000); // the run takes N / rate: the last ledger's second included

    const unpaced = await run("unpaced", undefined, new ManualClock());
    expect(unpaced.commits).toEqual([[30822025, 0]]);
    const totals = (p: PipelineProgress) => ({ ...p, elapsedMs: 0 });
    expect(totals(paced.summary)).toEqual(totals(unpaced.summary));
    expect(paced.summary.eventsByType).toEqual({ fee: 650, transfer: 18 });
  });

  test("0.5 ledger/s waits two seconds between ledgers", async () => {
    const clock = new ManualClock();
    const { commits } = await run("half", 0.5, clock);
    expect(commits.slice(0, 3)).toEqual([
      [30822015, 0],
      [30822016, 2000],
      [30822017, 4000],
    ]);
  });
});
