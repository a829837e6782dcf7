// The in-process shard queue: what `--parallel N` hands its child processes. The same contract as
// JetStream's: planning a shard twice adds nothing, a failed attempt is retried until `maxAttempts`,
// then the shard is failed with its last error; a lease nobody keeps alive (a child that died) is
// handed out again after `leaseMs`.
import type { PlanResult, QueueStatus, ShardLease, ShardQueue, ShardRecord, ShardTask } from "./shard-queue.ts";
import { countStates, taskKey } from "./shard-queue.ts";

export interface LocalShardQueueOptions {
  /** Attempts per shard before it is failed (default 3). */
  readonly maxAttempts?: number;
  /** A lease with no word from its worker for this long is handed out again (default 60 s). */
  readonly leaseMs?: number;
  readonly worker?: string;
  readonly now?: () => number;
}

interface Entry {
  record: ShardRecord;
  /** Lease deadline while running (ms), and the attempt holding it. */
  deadline: number;
  holder: number;
}

export class LocalShardQueue implements ShardQueue {
  readonly #entries = new Map<string, Entry>();
  readonly #ready: string[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly #maxAttempts: number;
  readonly #leaseMs: number;
  readonly #now: () => number;

  constructor(options: LocalShardQueueOptions = {}) {
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#now = options.now ?? (() => performance.now());
    if (!(this.#maxAttempts >= 1)) throw new RangeError(`maxAttempts must be at least 1, got ${this.#maxAttempts}`);
  }

  #set(entry: Entry, change: Partial<ShardRecord>): void {
    entry.record = { ...entry.record, ...change, updatedAt: new Date().toISOString() };
  }

  #enqueue(key: string): void {
    this.#ready.push(key);
    this.#waiters[0]?.();
  }

  async plan(tasks: readonly ShardTask[]): Promise<PlanResult> {
    let added = 0;
    for (const task of tasks) {
      const key = taskKey(task);
      const entry = this.#entries.get(key);
      if (entry && entry.record.state !== "failed") continue;
      const record: ShardRecord = { task, state: "queued", attempts: 0, error: null, worker: null, updatedAt: new Date().toISOString(), ledgers: 0, events: 0 };
      this.#entries.set(key, { record, deadline: 0, holder: 0 });
      this.#enqueue(key);
      added++;
    }
    return { added, skipped: tasks.length - added };
  }

  /** Leases that ran out are handed out again (or failed, after the last attempt). */
  #expire(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.record.state !== "running" || entry.deadline > now) continue;
      this.#fail(key, entry, new Error(`no word from ${entry.record.worker ?? "its worker"} for ${this.#leaseMs} ms (attempt ${entry.record.attempts})`));
    }
  }

  #fail(key: string, entry: Entry, error: Error): void {
    const last = entry.record.attempts >= this.#maxAttempts;
    this.#set(entry, { state: last ? "failed" : "retrying", error: error.message });
    entry.holder = 0;
    if (!last) this.#enqueue(key);
    else this.#wakeAll();
  }

  /** Every waiting take looks again (a shard ended: the queue may be settled). */
  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Nothing is queued, running or waiting for a retry: every shard is done or failed. */
  get settled(): boolean {
    for (const entry of this.#entries.values()) if (entry.record.state !== "done" && entry.record.state !== "failed") return false;
    return true;
  }

  /**
   * The next shard to work on. Waits up to `waitMs` for one; with `untilSettled`, waits instead as
   * long as shards are running or retrying (one of them may fail and come back) and answers null
   * only once the queue is settled.
   */
  async take(options: { signal?: AbortSignal; waitMs?: number; worker?: string; untilSettled?: boolean } = {}): Promise<ShardLease | null> {
    const until = options.untilSettled ? Number.POSITIVE_INFINITY : this.#now() + (options.waitMs ?? 0);
    for (;;) {
      options.signal?.throwIfAborted();
      this.#expire();
      const key = this.#ready.shift();
      if (key !== undefined) return this.#lease(key, options.worker ?? null);
      if (options.untilSettled && this.settled) return null;
      const left = until - this.#now();
      if (left <= 0) return null;
      // woken by a shard queued, a lease that may have run out, the wait's end or the signal
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          const at = this.#waiters.indexOf(done);
          if (at >= 0) this.#waiters.splice(at, 1);
          options.signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, this.#leaseMs));
        this.#waiters.push(done);
        options.signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  #lease(key: string, worker: string | null): ShardLease {
    const entry = this.#entries.get(key)!;
    const attempt = entry.record.attempts + 1;
    this.#set(entry, { state: "running", attempts: attempt, worker, ledgers: 0, events: 0 });
    entry.deadline = this.#now() + this.#leaseMs;
    entry.holder = attempt;
    const mine = () => entry.holder === attempt && entry.record.state === "running";
    return {
      task: entry.record.task,
      attempt,
      working: async (progress) => {
        if (!mine()) return;
        entry.deadline = this.#now() + this.#leaseMs;
        this.#set(entry, progress);
      },
      done: async (totals) => {
        if (!mine()) throw new Error(`shard ${entry.record.task.start}-${entry.record.task.end}: attempt ${attempt} lost its lease`);
        entry.holder = 0;
        this.#set(entry, { state: "done", error: null, ...totals });
        this.#wakeAll();
      },
      failed: async (error) => {
        if (mine()) this.#fail(key, entry, error);
      },
    };
  }

  async status(): Promise<QueueStatus> {
    this.#expire();
    const shards = [...this.#entries.values()].map((e) => e.record).sort((a, b) => a.task.start - b.task.start);
    return { counts: countStates(shards), shards };
  }

  async close(): Promise<void> {
    this.#wakeAll();
  }
}
