// The JetStream shard queue against a real nats-server (JetStream, file store) on a free port.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { NatsQueueError, NatsShardQueue, shardMessageId } from "../../src/backfill/nats/nats-shard-queue.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { planShards } from "../../src/backfill/shard-plan.ts";
import { taskOf, type ShardTask } from "../../src/backfill/shard-queue.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { workShards } from "../../src/backfill/work-shards.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { NatsTestServer } from "../support/nats-server.ts";
import { duck, tempDir } from "./support.ts";

const PUBNET = NETWORK_PASSPHRASES.pubnet;
setDefaultTimeout(60_000);

const RANGE = { start: 30_822_015, end: 30_822_025 };
let server: NatsTestServer;
const dir = tempDir();
const opened: NatsShardQueue[] = [];

async function queue(name: string, options: { ackWaitMs?: number; maxDeliver?: number; worker?: string } = {}): Promise<NatsShardQueue> {
  const q = await NatsShardQueue.connect({ url: server.url, queue: name, ...options });
  opened.push(q);
  return q;
}

const tasks = (size: number, dataset = "/data/out"): ShardTask[] => planShards(RANGE, size).map((r) => taskOf(r, PUBNET, dataset));

beforeAll(async () => {
  server = await NatsTestServer.start();
});
afterAll(async () => {
  for (const q of opened) await q.close().catch(() => undefined);
  await server.stop();
  dir.remove();
});

describe("NatsShardQueue", () => {
  test("planning twice adds nothing; message ids are network + range + dataset", async () => {
    const q = await queue("plan");
    expect(await q.plan(tasks(3))).toEqual({ added: 4, skipped: 0 });
    expect(await q.plan(tasks(3))).toEqual({ added: 0, skipped: 4 });
    const other = await queue("plan"); // another planner, same queue
    expect(await other.plan(tasks(3))).toEqual({ added: 0, skipped: 4 });
    expect((await q.status()).counts).toMatchObject({ queued: 4, running: 0, done: 0 });
    expect(shardMessageId(tasks(3)[0]!, 0)).toMatch(/^pubnet:30822015-30822017@[0-9a-f]{12}$/);
    expect(shardMessageId(taskOf({ start: 5, end: 9 }, "My Network ; 2026", "x"), 2)).toMatch(/^net-[0-9a-f]{12}:5-9@[0-9a-f]{12}:2$/);
    // the same range for another dataset is another shard
    expect(await q.plan(tasks(3, "/data/other"))).toEqual({ added: 4, skipped: 0 });
    expect((await q.status()).counts).toMatchObject({ queued: 8 });
  });

  test("a message that is no shard (a reversed or out-of-range ledger range, no dataset) is terminated and skipped, never worked on", async () => {
    const q = await queue("bogus");
    for (const bogus of [{ start: 9, end: 5, network: PUBNET, dataset: "/d" }, { start: 0, end: 5, network: PUBNET, dataset: "/d" }, { start: 1, end: 2 ** 33, network: PUBNET, dataset: "/d" }, { start: 1, end: 2, network: PUBNET, dataset: "" }]) {
      await (q as unknown as { js: { publish(subject: string, data: string): Promise<unknown> } }).js.publish("stellar-flow.backfill.bogus.shards", JSON.stringify(bogus));
    }
    await q.plan(tasks(10_000));
    const lease = await q.take({ waitMs: 2_000 });
    expect(lease?.task).toEqual(tasks(10_000)[0]!);
    await lease!.done({ ledgers: 11, events: 668 });
    expect(await q.take({ waitMs: 1_000 })).toBeNull();
  });

  test("two planners at once: the message id (network + range) keeps one copy of each shard", async () => {
    const [a, b] = [await queue("race"), await queue("race")];
    const [first, second] = await Promise.all([a.plan(tasks(3)), b.plan(tasks(3))]);
    expect(first.added + second.added).toBe(4);
    const taken: number[] = [];
    for (let lease = await a.take({ waitMs: 1_000 }); lease; lease = await a.take({ waitMs: 1_000 })) {
      taken.push(lease.task.start);
      await lease.done({ ledgers: 1, events: 1 });
    }
    expect(taken.sort()).toEqual(tasks(3).map((t) => t.start));
  });

  test("a shard taken, kept with in-progress acks past the ack wait, then done, is never delivered again", async () => {
    const q = await queue("keep", { ackWaitMs: 1_500 });
    const other = await queue("keep", { ackWaitMs: 1_500 });
    await q.plan([tasks(10_000)[0]!]);
    const lease = (await q.take({ waitMs: 2_000 }))!;
    expect(lease.attempt).toBe(1);
    const heartbeat = setInterval(() => void lease.working({ ledgers: 3, events: 30 }), 300);
    try {
      expect(await other.take({ waitMs: 3_500 })).toBeNull(); // twice the ack wait: still ours
      const running = (await q.status()).shards[0]!;
      expect(running).toMatchObject({ state: "running", attempts: 1, ledgers: 3, events: 30 });
    } finally {
      clearInterval(heartbeat);
    }
    await lease.done({ ledgers: 11, events: 668 });
    expect(await other.take({ waitMs: 2_500 })).toBeNull();
    expect((await q.status()).shards[0]).toMatchObject({ state: "done", attempts: 1, ledgers: 11, events: 668, error: null });
  });

  test("a worker that dies (no ack) has its shard redelivered after the ack wait", async () => {
    const dying = await NatsShardQueue.connect({ url: server.url, queue: "redeliver", ackWaitMs: 1_000 });
    const survivor = await queue("redeliver", { ackWaitMs: 1_000 });
    await dying.plan([tasks(10_000)[0]!]);
    const lost = (await dying.take({ waitMs: 2_000 }))!;
    expect(lost.attempt).toBe(1);
    await dying.close(); // gone without a word
    const again = await survivor.take({ waitMs: 5_000 });
    expect(again?.task).toEqual(lost.task);
    expect(again?.attempt).toBe(2);
    await again!.done({ ledgers: 11, events: 668 });
    expect((await survivor.status()).counts).toMatchObject({ done: 1, running: 0, failed: 0 });
  });

  test("after max_deliver failed attempts a shard is failed with its last error; planned again, it completes", async () => {
    const q = await queue("fail", { ackWaitMs: 2_000, maxDeliver: 2 });
    await q.plan(tasks(7));
    const failing = tasks(7)[0]!;
    let attempts = 0;
    for (;;) {
      const lease = await q.take({ waitMs: 5_000 });
      if (!lease) break;
      if (lease.task.start === failing.start) {
        attempts++;
        await lease.failed(new Error(`ledger 30822017: corrupt object (try ${lease.attempt})`));
      } else await lease.done({ ledgers: 4, events: 1 });
    }
    expect(attempts).toBe(2);
    const status = await q.status();
    expect(status.counts).toMatchObject({ failed: 1, done: 1, running: 0, queued: 0, retrying: 0 });
    expect(status.shards.find((s) => s.state === "failed")).toMatchObject({ task: failing, attempts: 2, error: "ledger 30822017: corrupt object (try 2)" });
    // fixed: planning again publishes the failed shard anew, not the done one
    expect(await q.plan(tasks(7))).toEqual({ added: 1, skipped: 1 });
    const retry = (await q.take({ waitMs: 5_000 }))!;
    expect([retry.task, retry.attempt]).toEqual([failing, 1]);
    await retry.done({ ledgers: 7, events: 400 });
    expect((await q.status()).counts).toMatchObject({ failed: 0, done: 2 });
  });

  test("a worker that dies on a shard's last delivery: status reports the shard failed once the ack wait has passed; planned again, it completes", async () => {
    const dying = await NatsShardQueue.connect({ url: server.url, queue: "last", ackWaitMs: 1_000, maxDeliver: 1, worker: "doomed" });
    await dying.plan([tasks(10_000)[0]!]);
    const lease = (await dying.take({ waitMs: 2_000 }))!;
    await lease.working({ ledgers: 2, events: 20 });
    await dying.close(); // gone without a word, on the only delivery it gets: nothing redelivers it
    const now = await queue("last");
    expect((await now.status()).shards[0]).toMatchObject({ state: "running", worker: "doomed", ledgers: 2 });
    // the same records, read 5 s later (injected clock): longer than the ack wait without word
    const later = await NatsShardQueue.connect({ url: server.url, queue: "last", now: () => Date.now() + 5_000 });
    opened.push(later);
    expect(later.ackWaitMs).toBe(1_000); // the consumer's own, not a default: a status changes nothing
    const status = await later.status();
    expect(status.counts).toMatchObject({ failed: 1, running: 0 });
    expect(status.shards[0]!.error).toContain("no word from doomed since");
    expect(status.shards[0]!.error).toContain("attempt 1 of 1");
    expect(await later.plan([tasks(10_000)[0]!])).toEqual({ added: 1, skipped: 0 });
    const again = (await now.take({ waitMs: 2_000 }))!;
    expect(again.attempt).toBe(1);
    await again.done({ ledgers: 11, events: 668 });
    expect((await now.status()).counts).toMatchObject({ done: 1, failed: 0, running: 0 });
    expect(await now.outstanding()).toBe(0); // the dead delivery's message went with the new publication
  });

  test("nats-server killed and started again: the file store keeps the queue", async () => {
    const q = await NatsShardQueue.connect({ url: server.url, queue: "restart" });
    await q.plan(tasks(4));
    await q.close();
    await server.kill();
    await server.restart();
    const after = await queue("restart");
    const taken: number[] = [];
    for (let lease = await after.take({ waitMs: 2_000 }); lease; lease = await after.take({ waitMs: 1_000 })) {
      taken.push(lease.task.start);
      await lease.done({ ledgers: 1, events: 1 });
    }
    expect(taken.sort()).toEqual(tasks(4).map((t) => t.start));
  });

  test("an unreachable URL fails within seconds, naming it", async () => {
    const closed = server.port + 1 === 65_536 ? 1 : server.port + 1;
    const refused = NatsShardQueue.connect({ url: `nats://127.0.0.1:${closed}` });
    await expect(refused).rejects.toThrow(NatsQueueError);
    await expect(refused).rejects.toThrow(`cannot reach NATS at nats://127.0.0.1:${closed}`);
    // a server that accepts the connection and never speaks
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const started = performance.now();
      const error = await NatsShardQueue.connect({ url: `nats://127.0.0.1:${silent.port}` }).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`cannot reach NATS at nats://127.0.0.1:${silent.port} within 5 s`);
      expect(performance.now() - started).toBeLessThan(15_000); // a bound on a hang, not a timing
    } finally {
      silent.stop(true);
    }
  });

  test("three workers through NATS write the pubnet ledgers in shards of 1: the dataset equals one written directly", async () => {
    const source = await openDataLake(lakePath("pubnet"));
    const out = join(dir.path, "nats-dataset");
    const reference = join(dir.path, "direct");
    await runShard({ source, processor: shardProcessor(PUBNET), store: new FolderDatasetStore(reference), shard: RANGE });
    const planner = await queue("workers");
    expect(await planner.plan(tasks(1, out))).toEqual({ added: 11, skipped: 0 });
    const workers = await Promise.all([1, 2, 3].map((n) => queue("workers", { worker: `worker-${n}` })));
    const results = await Promise.all(
      workers.map((q) =>
        workShards({
          queue: q,
          heartbeatMs: 500,
          waitMs: 1_000,
          stopWhenIdle: true,
          run: async (task, progress, signal) => {
            const result = await runShard({ source, processor: shardProcessor(task.network), store: new FolderDatasetStore(task.dataset), shard: task, signal, onProgress: progress });
            if (result.kind !== "written") throw new Error(`shard ${task.start}-${task.end} not written`);
            return { ledgers: result.manifest.ledgers, events: result.manifest.rows.ttp_events };
          },
        }),
      ),
    );
    expect(results.reduce((n, r) => n + r.done, 0)).toBe(11);
    const status = await planner.status();
    expect(status.counts).toMatchObject({ done: 11, failed: 0, running: 0, queued: 0 });
    expect(status.shards.reduce((n, s) => n + s.events, 0)).toBe(668);
    expect((await verifyDataset(new FolderDatasetStore(out))).ok).toBe(true);
    const rows = (path: string) => duck(`SELECT * FROM read_parquet('${path}/ttp_events/*.parquet') ORDER BY ledger_sequence, event_index`);
    expect(await rows(out)).toEqual(await rows(reference));
  });
});
