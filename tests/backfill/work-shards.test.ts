// The worker loop's bookkeeping: a shard whose writing succeeded is never recorded as failed because
// the queue could not be told (e.g. NATS restarting as the ack goes out).
import { expect, test } from "bun:test";
import { workShards, type WorkerEvent } from "../../src/backfill/work-shards.ts";
import type { ShardLease, ShardQueue, ShardTask } from "../../src/backfill/shard-queue.ts";

test("a shard written whose done() cannot reach the queue: reported done with the queue's error, never failed", async () => {
  const task: ShardTask = { start: 1, end: 4, network: "n", dataset: "d" };
  const calls: string[] = [];
  let taken = false;
  const lease: ShardLease = {
    task,
    attempt: 1,
    working: async () => undefined,
    done: async () => {
      calls.push("done");
      throw new Error("connection closed");
    },
    failed: async (error) => {
      calls.push(`failed: ${error.message}`);
    },
  };
  const queue: ShardQueue = {
    plan: async () => ({ added: 0, skipped: 0 }),
    take: async () => (taken ? null : ((taken = true), lease)),
    status: async () => ({ counts: { queued: 0, running: 0, retrying: 0, done: 0, failed: 0 }, shards: [] }),
    close: async () => undefined,
  };
  const events: WorkerEvent[] = [];
  const result = await workShards({ queue, run: async () => ({ ledgers: 4, events: 9 }), heartbeatMs: 1000, waitMs: 10, stopWhenIdle: true, onEvent: (e) => events.push(e) });
  expect(result).toEqual({ done: 1, failed: 0 });
  expect(calls).toEqual(["done"]);
  const done = events.find((e) => e.kind === "done");
  expect(done?.kind === "done" && done.unrecorded?.message).toBe("connection closed");
  expect(events.some((e) => e.kind === "failed")).toBe(false);
});
