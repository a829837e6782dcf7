// The shard queue on NATS JetStream, for workers on many machines: a work-queue stream of shards
// (message id = network + range + dataset, so planning twice adds nothing), a durable pull consumer with
// explicit acks (a worker's in-progress acks keep its shard; one that dies has it redelivered after
// the ack wait; `max_deliver` attempts at most), and a KV bucket with each shard's state, attempts
// and last error, from which status counts done, running and failed shards. A record a worker stopped
// updating (it died, and on its last delivery nothing redelivers the shard) is reported for what it
// is once the ack wait has passed: failed after the last delivery, else waiting for redelivery.
import { MAX_LEDGER } from "../shard-plan.ts";
import { hostname } from "node:os";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { sha256, toHex } from "../../stellar/hash.ts";
import type { PlanResult, QueueStatus, ShardLease, ShardQueue, ShardRecord, ShardTask } from "../shard-queue.ts";
import { countStates } from "../shard-queue.ts";
import { networkLabel } from "../dataset-descriptor.ts";
import { withDeadline } from "../../timing/timeout.ts";
import { messageOf } from "../../common/message-of.ts";

export interface NatsShardQueueOptions {
  /** nats://host:port (or several, comma-separated). */
  readonly url: string;
  /** Names the stream, consumer and bucket, so that several backfills can share a server (default "backfill"). */
  readonly queue?: string;
  /** A delivered shard with no ack nor in-progress ack for this long is delivered again (default: the consumer's, 60 s for a new one). */
  readonly ackWaitMs?: number;
  /** Deliveries of a shard before it is failed for good (default: the consumer's, 3 for a new one). */
  readonly maxDeliver?: number;
  /** Connecting gives up after this long, naming the URL (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Who this is, for the shard records (default host:pid). */
  readonly worker?: string;
  /** The clock records are dated by and judged stale against (default Date.now). */
  readonly now?: () => number;
}

/** NATS could not be reached or refused what was asked; names the URL. */
export class NatsQueueError extends Error {
  override readonly name = "NatsQueueError";
}

const MS = 1_000_000; // nanoseconds per millisecond (JetStream's durations)
const DUPLICATE_WINDOW_MS = 24 * 60 * 60_000;
const DEFAULT_ACK_WAIT_MS = 60_000;
const DEFAULT_MAX_DELIVER = 3;

function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new NatsQueueError(`--queue ${JSON.stringify(name)}: use letters, digits, - and _ (at most 64)`);
  return name;
}

/**
 * The message id of a shard's publication: network and range, the dataset it goes to (hashed: two
 * datasets may share a queue) and the generation after a failure. Planning the same shard twice
 * publishes it once.
 */
export function shardMessageId(task: ShardTask, generation: number): string {
  const network = networkLabel(task.network).replace(/^"|"$/g, "");
  const tag = network.length <= 16 && /^[a-z]+$/.test(network) ? network : `net-${toHex(sha256(new TextEncoder().encode(task.network))).slice(0, 12)}`;
  const dataset = toHex(sha256(new TextEncoder().encode(task.dataset))).slice(0, 12);
  return `${tag}:${task.start}-${task.end}@${dataset}${generation > 0 ? `:${generation}` : ""}`;
}

/** The KV key of a shard: its dataset (hashed) and range. */
function recordKey(task: ShardTask): string {
  return `${toHex(sha256(new TextEncoder().encode(`${task.network}\n${task.dataset}`))).slice(0, 16)}.${task.start}-${task.end}`;
}

interface StoredRecord extends ShardRecord {
  /** Publications of the shard: a failed shard planned again is published anew under a new message id. */
  readonly generation: number;
  /** Stream sequence of the message last delivered for it (removed when a failed shard is published anew). */
  readonly seq?: number;
}

export class NatsShardQueue implements ShardQueue {
  readonly #subject: string;
  readonly #stream: string;
  readonly #worker: string;
  readonly #now: () => number;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly consumer: Consumer,
    private readonly kv: KV,
    readonly url: string,
    readonly name: string,
    /** The consumer's: deliveries of a shard before it is failed. */
    readonly maxDeliver: number,
    /** The consumer's: how long a delivery lasts without word from its worker. */
    readonly ackWaitMs: number,
    worker: string,
    now: () => number,
  ) {
    this.#subject = `stellar-flow.backfill.${name}.shards`;
    this.#stream = `SF_BACKFILL_${name}`;
    this.#worker = worker;
    this.#now = now;
  }

  static async connect(options: NatsShardQueueOptions): Promise<NatsShardQueue> {
    const name = checkQueueName(options.queue ?? "backfill");
    const timeoutMs = options.connectTimeoutMs ?? 5_000;
    if (options.maxDeliver !== undefined && !(options.maxDeliver >= 1)) throw new NatsQueueError(`max deliver must be at least 1, got ${options.maxDeliver}`);
    if (options.ackWaitMs !== undefined && !(options.ackWaitMs >= 1)) throw new NatsQueueError(`ack wait must be at least 1 ms, got ${options.ackWaitMs}`);
    let nc: NatsConnection;
    const connecting = connect({ servers: options.url.split(","), timeout: timeoutMs, name: "stellar-flow backfill", maxReconnectAttempts: 10 });
    try {
      nc = await withDeadline(connecting, timeoutMs, undefined, "connecting");
    } catch (error) {
      connecting.then((late) => late.close()).catch(() => undefined); // a connection that comes after the deadline is not kept
      throw new NatsQueueError(`cannot reach NATS at ${options.url} within ${timeoutMs / 1000} s: ${messageOf(error)}`, { cause: error });
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      const stream = `SF_BACKFILL_${name}`;
      const subject = `stellar-flow.backfill.${name}.shards`;
      const config = {
        name: stream,
        subjects: [subject],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: DUPLICATE_WINDOW_MS * MS,
      };
      await jsm.streams.info(stream).catch(() => jsm.streams.add(config));
      const durable = "workers";
      // a status or a planner that gives no ack wait or max deliver leaves the consumer's as they are
      const existing = await jsm.consumers.info(stream, durable).catch(() => null);
      const ackWaitMs = options.ackWaitMs ?? (existing?.config.ack_wait ? existing.config.ack_wait / MS : DEFAULT_ACK_WAIT_MS);
      const maxDeliver = options.maxDeliver ?? (existing?.config.max_deliver && existing.config.max_deliver > 0 ? existing.config.max_deliver : DEFAULT_MAX_DELIVER);
      const consumerConfig = { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: ackWaitMs * MS, max_deliver: maxDeliver, deliver_policy: DeliverPolicy.All, filter_subject: subject };
      if (!existing) await jsm.consumers.add(stream, consumerConfig);
      else if (existing.config.ack_wait !== consumerConfig.ack_wait || existing.config.max_deliver !== maxDeliver) await jsm.consumers.update(stream, durable, consumerConfig);
      const js = jetstream(nc, { timeout: timeoutMs });
      const consumer = await js.consumers.get(stream, durable);
      const kv = await new Kvm(js).create(`sf_backfill_${name}`, { history: 1 });
      const worker = options.worker ?? `${hostname()}:${process.pid}`;
      return new NatsShardQueue(nc, jsm, js, consumer, kv, options.url, name, maxDeliver, ackWaitMs, worker, options.now ?? Date.now);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw new NatsQueueError(`NATS at ${options.url}: cannot set up the JetStream queue ${name}: ${messageOf(error)} (is JetStream enabled: nats-server -js?)`, { cause: error });
    }
  }

  async #record(task: ShardTask): Promise<StoredRecord | null> {
    const entry = await this.kv.get(recordKey(task));
    if (!entry || entry.operation !== "PUT" || entry.length === 0) return null;
    return entry.json<StoredRecord>();
  }

  async #put(record: StoredRecord): Promise<void> {
    await this.kv.put(recordKey(record.task), JSON.stringify({ ...record, updatedAt: new Date(this.#now()).toISOString() }));
  }

  /**
   * The record as things stand: one still "running" that its worker has not updated for longer than
   * the ack wait belongs to a worker that died (or lost NATS). JetStream redelivers the shard unless
   * that was its last delivery; then nothing ever will, and the shard is failed.
   */
  #effective(record: StoredRecord): StoredRecord {
    if (record.state !== "running") return record;
    const silentMs = this.#now() - Date.parse(record.updatedAt);
    if (!(silentMs > this.ackWaitMs)) return record;
    const since = `no word from ${record.worker ?? "its worker"} since ${record.updatedAt} (attempt ${record.attempts} of ${this.maxDeliver})`;
    return record.attempts >= this.maxDeliver
      ? { ...record, state: "failed", error: `${since}: it died on the shard's last delivery; plan the range again to retry it` }
      : { ...record, state: "retrying", error: `${since}: delivered again once a worker takes it` };
  }

  async plan(tasks: readonly ShardTask[]): Promise<PlanResult> {
    let added = 0;
    for (const task of tasks) {
      const stored = await this.#record(task);
      const known = stored && this.#effective(stored);
      if (known && known.state !== "failed") continue;
      // the failed shard's message, if still in the stream, goes: its new publication replaces it
      if (known?.seq !== undefined) await this.jsm.streams.deleteMessage(this.#stream, known.seq, false).catch(() => undefined);
      const generation = known ? known.generation + 1 : 0;
      const ack = await this.js.publish(this.#subject, JSON.stringify(task), { msgID: shardMessageId(task, generation) });
      if (ack.duplicate) continue;
      await this.#put({ task, state: "queued", attempts: 0, error: null, worker: null, updatedAt: "", ledgers: 0, events: 0, generation });
      added++;
    }
    return { added, skipped: tasks.length - added };
  }

  async take(options: { signal?: AbortSignal; waitMs?: number } = {}): Promise<ShardLease | null> {
    options.signal?.throwIfAborted();
    const message = await this.consumer.next({ expires: Math.max(1_000, options.waitMs ?? 1_000) });
    if (!message) return null;
    let task: ShardTask;
    try {
      task = message.json<ShardTask>();
      if (typeof task.network !== "string" || typeof task.dataset !== "string" || task.dataset === "") throw new Error("no network or dataset");
      if (!Number.isSafeInteger(task.start) || !Number.isSafeInteger(task.end) || task.start < 1 || task.end < task.start || task.end > MAX_LEDGER) {
        throw new Error(`ledgers ${task.start}-${task.end} are no range of ledgers`);
      }
    } catch (error) {
      message.term(`not a shard task: ${messageOf(error)}`);
      return this.take(options);
    }
    return this.#lease(message, task);
  }

  #lease(message: JsMsg, task: ShardTask): ShardLease {
    const attempt = message.info.deliveryCount;
    const base = async (): Promise<StoredRecord> =>
      (await this.#record(task)) ?? { task, state: "queued", attempts: 0, error: null, worker: null, updatedAt: "", ledgers: 0, events: 0, generation: 0 };
    const seq = message.info.streamSequence;
    const started = base().then((stored) => {
      const record = { ...stored, seq };
      return this.#put({ ...record, state: "running", attempts: attempt, worker: this.#worker, ledgers: 0, events: 0 }).then(() => record);
    });
    started.catch(() => undefined); // awaited by whichever of working/done/failed comes; a worker may die before any
    return {
      task,
      attempt,
      working: async (progress) => {
        message.working();
        const record = await started;
        await this.#put({ ...record, state: "running", attempts: attempt, worker: this.#worker, ...progress });
      },
      done: async (totals) => {
        const record = await started;
        await this.#put({ ...record, state: "done", attempts: attempt, worker: this.#worker, error: null, ...totals });
        await message.ackAck();
      },
      failed: async (error) => {
        const record = await started;
        const last = attempt >= this.maxDeliver;
        await this.#put({ ...record, state: last ? "failed" : "retrying", attempts: attempt, worker: this.#worker, error: error.message });
        if (last) message.term(error.message.slice(0, 1000));
        else message.nak(Math.min(30_000, 1_000 * 2 ** (attempt - 1)));
      },
    };
  }

  /** Shards on the queue not acked yet: waiting for a worker, or delivered and not done. */
  async outstanding(): Promise<number> {
    const info = await this.consumer.info();
    return info.num_pending + info.num_ack_pending;
  }

  async status(): Promise<QueueStatus> {
    const shards: ShardRecord[] = [];
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === "PUT" && entry.length > 0) {
        const { generation: _, seq: __, ...record } = this.#effective(entry.json<StoredRecord>());
        shards.push(record);
      }
    }
    shards.sort((a, b) => a.task.start - b.task.start || a.task.end - b.task.end);
    return { counts: countStates(shards), shards };
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
