// The dataset sink: openSink's `dataset:DIR` writes what a pipeline commits as backfill shards
// (aligned as bun run backfill aligns them), its cursor is the highest manifest, and a run killed
// mid-shard leaves no partial shard and resumes without a gap or a duplicate.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatasetMismatchError, ensureDataset } from "../../src/backfill/dataset-descriptor.ts";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { openSink } from "../../src/sink/open-sink.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { DEFAULT_GROUP_COMMIT } from "../../src/stages/commit-group.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { REPO, runBunScript } from "../support/cli.ts";
import { duck, tempDir } from "../backfill/support.ts";
import { processedBatch } from "./fixtures.ts";

setDefaultTimeout(60_000);

const PUBNET = NETWORK_PASSPHRASES.pubnet;
const LAKE = lakePath("pubnet");
const RANGE = { start: 30_822_015, end: 30_822_025 };
const dir = tempDir("stellar-flow-dataset-sink-");
const reference = join(dir.path, "reference");

const rows = (out: string, table: "ttp_events" | "ledgers") =>
  duck(`SELECT * FROM read_parquet('${out}/${table}/*.parquet') ORDER BY ${table === "ledgers" ? "sequence" : "ledger_sequence, event_index"}`);

beforeAll(async () => {
  // one shard written by the shard runner: its rows are the pipeline's (tests/backfill/shard-runner.test.ts)
  const source = await openDataLake(LAKE);
  await runShard({ source, processor: shardProcessor(PUBNET), store: new FolderDatasetStore(reference), shard: RANGE });
});
afterAll(() => dir.remove());

async function pipelineInto(target: string, range: { start: number; end: number }, shardSize: number, startOver = true): Promise<void> {
  const source = await openDataLake(LAKE, { ledgersPerArrowBatch: 4 });
  const opened = await openSink(target, { network: PUBNET, settings: { shard_size: String(shardSize) } });
  try {
    await runPipeline({ source, processor: shardProcessor(PUBNET), sink: opened.sink, range, startOver, groupCommit: DEFAULT_GROUP_COMMIT });
  } finally {
    await opened.close();
  }
}

describe("openSink(dataset:DIR)", () => {
  test("commits shards aligned to the shard size (batches split at their ends), with the pipeline's rows; cursor and resume point from the manifests", async () => {
    const out = join(dir.path, "aligned");
    // batches of 4 ledgers: 30822019-30822022 straddles the end of the block 30822015-30822021
    await pipelineInto(`dataset:${out}`, { start: 30_822_015, end: 30_822_023 }, 7);
    expect(readdirSync(join(out, "manifests")).sort()).toEqual(["0030822015-0030822021.json", "0030822022-0030822023.json"]);
    const opened = await openSink(out, { settings: { shard_size: "7" } });
    const cursor = await opened.sink.cursor();
    expect(cursor?.sequence).toBe(30_822_023);
    expect(await opened.sink.resumePoint()).toEqual({ cursor: 30_822_023, next: 30_822_024, previousHash: cursor!.hash, startPending: false });
    await opened.close();
    // resumed without a start: the next shard begins after the highest manifest and chains to it
    await pipelineInto(out, { start: 30_822_024, end: 30_822_025 }, 7, false);
    expect(readdirSync(join(out, "manifests")).sort()).toEqual(["0030822015-0030822021.json", "0030822022-0030822023.json", "0030822024-0030822025.json"]);
    expect(await rows(out, "ttp_events")).toEqual(await rows(reference, "ttp_events"));
    expect(await rows(out, "ledgers")).toEqual(await rows(reference, "ledgers"));
    expect((await verifyDataset(new FolderDatasetStore(out))).problems).toEqual([]);
  });

  test("an explicit start is recorded until a shard begins; it chains to the shard ending before it", async () => {
    const out = join(dir.path, "start");
    await pipelineInto(`dataset:${out}`, { start: 30_822_015, end: 30_822_021 }, 7);
    const opened = await openSink(out);
    await opened.sink.startOver(30_822_022);
    const hash = (await opened.sink.cursor())!.hash;
    expect(await opened.sink.resumePoint()).toEqual({ cursor: 30_822_021, next: 30_822_022, previousHash: hash, startPending: true });
    expect(existsSync(join(out, "start.json"))).toBe(true);
    await opened.close();
    await pipelineInto(out, { start: 30_822_022, end: 30_822_025 }, 7, false);
    expect(existsSync(join(out, "start.json"))).toBe(false);
    expect(await rows(out, "ttp_events")).toEqual(await rows(reference, "ttp_events"));
  });

  test("a start.json that is not JSON: resumePoint names the file and what to do; an empty batch places nothing", async () => {
    const out = join(dir.path, "bad-start");
    await pipelineInto(`dataset:${out}`, { start: 30_822_015, end: 30_822_021 }, 7);
    writeFileSync(join(out, "start.json"), "{\"at\": 3082");
    const opened = await openSink(out);
    try {
      await expect(opened.sink.resumePoint()).rejects.toThrow(`${join(out, "start.json")} is not the start a run asked for`);
      await opened.sink.writeMany([{ ...processedBatch(1, 0, []), firstLedger: 0, lastLedger: 0 }]); // an empty batch, as a stage may send one
      await opened.sink.flush?.();
      expect(readdirSync(join(out, "manifests"))).toEqual(["0030822015-0030822021.json"]);
    } finally {
      await opened.close();
    }
  });

  test("a dataset of another network is refused when opened for a run", async () => {
    const out = join(dir.path, "testnet");
    await ensureDataset(new FolderDatasetStore(out), NETWORK_PASSPHRASES.testnet);
    const refused = openSink(`dataset:${out}`, { network: PUBNET });
    await expect(refused).rejects.toThrow(DatasetMismatchError);
    await expect(refused).rejects.toThrow(`--db ${out} holds a dataset of ledgers of testnet`);
  });
});

describe("bun run pipeline --db dataset:DIR", () => {
  test("SIGKILLed mid-shard: no manifest for the partial shard; run again without --start, it resumes, sweeps the dead run's staged files, and holds every row once", async () => {
    const out = join(dir.path, "killed");
    const args = ["--datalake", LAKE, "--db", `dataset:${out}`, "--batch-size", "1", "--health-ports", "off", "--flowctl", "off"];
    const proc = Bun.spawn(["bun", "src/cli/pipeline.ts", ...args, "--start", String(RANGE.start), "--end", String(RANGE.end), "--max-ledgers-per-second", "2"], {
      cwd: REPO,
      stdout: "ignore",
      stderr: "ignore",
    });
    // a shard is staged once ledgers have been written: wait for its files, then kill the run
    const staging = join(out, ".staging");
    for (let i = 0; i < 200 && !(existsSync(staging) && readdirSync(staging).length >= 2); i++) await Bun.sleep(50);
    proc.kill("SIGKILL");
    await proc.exited;
    expect(readdirSync(staging).length).toBe(2); // the open shard's two staged files
    expect(existsSync(join(out, "manifests"))).toBe(false);
    const resumed = await runBunScript("src/cli/pipeline.ts", [...args, "--end", String(RANGE.end)]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`continuing the run that asked for ledger ${RANGE.start} on`);
    expect(readdirSync(staging)).toEqual([]);
    expect(await rows(out, "ttp_events")).toEqual(await rows(reference, "ttp_events"));
    expect(await rows(out, "ledgers")).toEqual(await rows(reference, "ledgers"));
  });
});
