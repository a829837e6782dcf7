// The in-process shard queue, and `--parallel N` child processes fed from it.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { runLocalShards } from "../../src/backfill/local/run-local-shards.ts";
import { LocalShardQueue } from "../../src/backfill/local-shard-queue.ts";
import { planShards } from "../../src/backfill/shard-plan.ts";
import { taskOf, type ShardTask } from "../../src/backfill/shard-queue.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { corruptPubnetLake, duck, tempDir } from "./support.ts";

setDefaultTimeout(60_000);

const PUBNET = NETWORK_PASSPHRASES.pubnet;
const RANGE = { start: 30_822_015, end: 30_822_025 };
const dir = tempDir();
const tasks = (size: number, dataset = "/data/out"): ShardTask[] => planShards(RANGE, size).map((r) => taskOf(r, PUBNET, dataset));
let reference: string;

beforeAll(async () => {
  reference = join(dir.path, "reference");
  const source = await openDataLake(lakePath("pubnet"));
  await runShard({ source, processor: shardProcessor(PUBNET), store: new FolderDatasetStore(reference), shard: RANGE });
});
afterAll(() => dir.remove());

describe("LocalShardQueue", () => {
  test("planning twice adds nothing; a shard taken and done is not handed out again", async () => {
    const queue = new LocalShardQueue();
    expect(await queue.plan(tasks(7))).toEqual({ added: 2, skipped: 0 });
    expect(await queue.plan(tasks(7))).toEqual({ added: 0, skipped: 2 });
    const first = (await queue.take())!;
    expect([first.task.start, first.attempt]).toEqual([30_822_015, 1]);
    await first.working({ ledgers: 2, events: 9 });
    expect((await queue.status()).shards[0]).toMatchObject({ state: "running", ledgers: 2, events: 9 });
    await first.done({ ledgers: 7, events: 400 });
    const second = (await queue.take())!;
    expect(second.task.start).toBe(30_822_022);
    await second.done({ ledgers: 4, events: 268 });
    expect(await queue.take()).toBeNull();
    expect((await queue.status()).counts).toEqual({ queued: 0, running: 0, retrying: 0, done: 2, failed: 0 });
  });

  test("failed attempts are retried up to maxAttempts, then the shard is failed with its last error; planned again it is queued", async () => {
    const queue = new LocalShardQueue({ maxAttempts: 2 });
    await queue.plan(tasks(10_000));
    await (await queue.take())!.failed(new Error("ledger 30822017: corrupt object (1)"));
    expect((await queue.status()).counts.retrying).toBe(1);
    const second = (await queue.take())!;
    expect(second.attempt).toBe(2);
    await second.failed(new Error("ledger 30822017: corrupt object (2)"));
    expect(await queue.take()).toBeNull();
    expect((await queue.status()).shards[0]).toMatchObject({ state: "failed", attempts: 2, error: "ledger 30822017: corrupt object (2)" });
    expect(await queue.plan(tasks(10_000))).toEqual({ added: 1, skipped: 0 });
    expect((await queue.take())!.attempt).toBe(1);
  });

  test("a lease nobody keeps alive is handed out again after leaseMs; the old holder's word no longer counts", async () => {
    let now = 0;
    const queue = new LocalShardQueue({ leaseMs: 1_000, now: () => now });
    await queue.plan(tasks(10_000));
    const lost = (await queue.take())!;
    now = 999;
    expect(await queue.take()).toBeNull();
    now = 1_001;
    const again = (await queue.take())!;
    expect(again.attempt).toBe(2);
    await lost.failed(new Error("late"));
    await expect(lost.done({ ledgers: 1, events: 1 })).rejects.toThrow("attempt 1 lost its lease");
    await again.done({ ledgers: 11, events: 668 });
    expect((await queue.status()).shards[0]).toMatchObject({ state: "done", attempts: 2, error: null });
  });

  test("untilSettled: a take waits while a shard runs elsewhere, gets its retry when it fails, and answers null once every shard is done or failed", async () => {
    const queue = new LocalShardQueue();
    await queue.plan(tasks(10_000));
    const running = (await queue.take())!;
    const idle = queue.take({ untilSettled: true });
    await running.failed(new Error("attempt 1 failed"));
    const retry = (await idle)!;
    expect(retry.attempt).toBe(2);
    const waiting = queue.take({ untilSettled: true });
    await retry.done({ ledgers: 11, events: 668 });
    expect(await waiting).toBeNull();
    expect(queue.settled).toBe(true);
  });

  test("a take waits for a shard planned meanwhile, and gives up at its wait", async () => {
    const queue = new LocalShardQueue();
    const waiting = queue.take({ waitMs: 5_000 });
    await queue.plan(tasks(10_000));
    expect((await waiting)?.task.start).toBe(30_822_015);
    expect(await queue.take({ waitMs: 50 })).toBeNull();
  });
});

describe("runLocalShards", () => {
  const rows = (path: string) => duck(`SELECT * FROM read_parquet('${path}/ttp_events/*.parquet') ORDER BY ledger_sequence, event_index`);

  test("a slot with nothing to take stays while a shard runs elsewhere, and takes that shard's retry", async () => {
    const { lake, fix } = corruptPubnetLake(dir.path, "retry-lake");
    const out = join(dir.path, "retry");
    const queue = new LocalShardQueue();
    await queue.plan(tasks(10_000, out)); // one shard, two slots: the second finds nothing at first
    const started: { child: number; attempt: number }[] = [];
    await runLocalShards({
      queue,
      parallel: 2,
      config: { lake },
      onEvent: (e) => {
        if (e.kind === "started") started.push({ child: e.child, attempt: e.attempt });
        if (e.kind === "failed") fix(); // fixed: the retry succeeds
      },
    });
    expect(started).toEqual([
      { child: 1, attempt: 1 },
      { child: 2, attempt: 2 }, // the idle slot took it (before the fix it had gone, and slot 1 took its own retry)
    ]);
    expect((await queue.status()).counts).toMatchObject({ done: 1, failed: 0 });
    expect(await rows(out)).toEqual(await rows(reference));
  });

  test("--parallel 2: two child processes write the shards; the dataset equals one written directly", async () => {
    const out = join(dir.path, "parallel");
    const queue = new LocalShardQueue();
    await queue.plan(tasks(3, out));
    const pids = new Set<number>();
    const figures = await runLocalShards({ queue, parallel: 2, config: { lake: lakePath("pubnet") }, onEvent: (e) => pids.add(e.pid) });
    expect(pids.size).toBe(2);
    expect(figures.reduce((n, f) => n + f.shards, 0)).toBe(4);
    for (const f of figures) expect(f.peakRssMb).toBeGreaterThan(0);
    expect((await queue.status()).counts).toMatchObject({ done: 4, failed: 0 });
    expect((await verifyDataset(new FolderDatasetStore(out))).ok).toBe(true);
    expect(await rows(out)).toEqual(await rows(reference));
  });

  test("a child that hangs (SIGSTOPped mid-shard) is killed once silent for silenceMs; its shard is written by a new child", async () => {
    const out = join(dir.path, "hung");
    const queue = new LocalShardQueue();
    await queue.plan(tasks(10_000, out));
    let stopped = 0;
    const failures: string[] = [];
    await runLocalShards({
      queue,
      parallel: 1,
      silenceMs: 1_000,
      config: { lake: lakePath("pubnet") },
      onEvent: (e) => {
        if (e.kind === "started" && stopped === 0) {
          stopped = e.pid;
          process.kill(e.pid, "SIGSTOP");
        }
        if (e.kind === "failed") failures.push(e.error.message);
      },
    });
    expect(failures).toEqual(["the child process writing it said nothing for 1000 ms: killed"]);
    expect((await queue.status()).counts).toMatchObject({ done: 1, failed: 0 });
    expect(await rows(out)).toEqual(await rows(reference));
  });

  test("a child killed mid-shard: its shard is written again by a new child, nothing lost or duplicated", async () => {
    const out = join(dir.path, "killed");
    const queue = new LocalShardQueue();
    await queue.plan(tasks(1, out));
    let killed = 0;
    const failures: string[] = [];
    await runLocalShards({
      queue,
      parallel: 2,
      config: { lake: lakePath("pubnet") },
      onEvent: (e) => {
        if (e.kind === "started" && e.task.start === 30_822_020 && killed === 0) {
          killed = e.pid;
          process.kill(e.pid, "SIGKILL");
        }
        if (e.kind === "failed") failures.push(e.error.message);
      },
    });
    expect(killed).toBeGreaterThan(0);
    expect(failures).toEqual([expect.stringContaining("the child process writing it exited")]);
    const status = await queue.status();
    expect(status.counts).toMatchObject({ done: 11, failed: 0 });
    expect(status.shards.find((s) => s.task.start === 30_822_020)?.attempts).toBe(2);
    expect((await verifyDataset(new FolderDatasetStore(out))).ok).toBe(true);
    expect(await rows(out)).toEqual(await rows(reference));
  });
});
