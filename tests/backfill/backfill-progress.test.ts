// What bun run backfill prints about its shards (pure), and which shards of a plan are still to write.
import { describe, expect, test } from "bun:test";
import { covered } from "../../src/backfill/pending-shards.ts";
import { countStates, type ShardRecord, type ShardState } from "../../src/backfill/shard-queue.ts";
import { duration, progressLine, progressOf, statusLines } from "../../src/cli/backfill-progress.ts";

const record = (start: number, end: number, state: ShardState, ledgers: number, extra: Partial<ShardRecord> = {}): ShardRecord => ({
  task: { start, end, network: "n", dataset: "/d" },
  state,
  attempts: state === "queued" ? 0 : 1,
  error: null,
  worker: null,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ledgers,
  events: ledgers * 10,
  ...extra,
});

describe("progress", () => {
  test("counts shards by state, ledgers written (done and running), rate and ETA from the elapsed time", () => {
    const shards = [record(1, 100, "done", 100), record(101, 200, "running", 50), record(201, 300, "queued", 0), record(301, 400, "retrying", 0), record(401, 500, "failed", 0)];
    const p = progressOf({ counts: countStates(shards), shards }, 500, 10_000);
    expect(p).toMatchObject({ shards: 5, ledgersDone: 150, events: 1500 });
    // 150 ledgers in 10 s: 15 ledgers/s, 350 left: about 23 s
    expect(progressLine(p)).toBe("shards 1/5 done, 1 running, 1 failed, 2 waiting | 150/500 ledgers | 15 ledgers/s | ETA 23 s");
    expect(progressLine({ ...p, ledgersDone: 0 })).toContain("0.0 ledgers/s | ETA -");
  });

  test("durations read as seconds, minutes or hours", () => {
    expect([duration(420), duration(45_000), duration(725_000), duration(12_000_000)]).toEqual(["0.4 s", "45 s", "12 min 5 s", "3 h 20 min"]);
  });

  test("status: the counts, then each shard that is not done, failed ones with their error", () => {
    const shards = [record(1, 100, "done", 100), record(101, 200, "failed", 0, { attempts: 3, worker: "h:1", error: "ledger 150: corrupt object" })];
    expect(statusLines({ counts: countStates(shards), shards }, "nats://x queue q")).toEqual([
      "nats://x queue q: 2 shards: 1 done, 0 running, 0 queued, 0 waiting for redelivery, 1 failed",
      "done: 100 ledgers, 1,000 events",
      "shard 0000000101-0000000200 (ledgers 101-200): FAILED after 3 attempt(s) on h:1: ledger 150: corrupt object",
    ]);
  });
});

describe("covered", () => {
  test("a shard is done only when finished shards hold every one of its ledgers", () => {
    const shard = { start: 10, end: 20 };
    expect(covered(shard, [{ start: 0, end: 20 }])).toBe(true);
    expect(covered(shard, [{ start: 15, end: 22 }, { start: 8, end: 14 }])).toBe(true);
    expect(covered(shard, [{ start: 10, end: 14 }, { start: 16, end: 20 }])).toBe(false);
    expect(covered(shard, [{ start: 11, end: 20 }])).toBe(false);
    expect(covered(shard, [])).toBe(false);
  });
});
