// A worker's loop over a shard queue: take a shard, write it while telling the queue it is still at
// it (in-progress acks), then mark it done (only once its manifest is durable: `run` resolves after
// that) or failed with its error. One shard at a time.
import type { ShardLease, ShardQueue, ShardTask } from "./shard-queue.ts";

export interface ShardTotals {
  readonly ledgers: number;
  readonly events: number;
}

export type WorkerEvent =
  | { readonly kind: "started"; readonly task: ShardTask; readonly attempt: number }
  | {
      readonly kind: "done";
      readonly task: ShardTask;
      readonly totals: ShardTotals;
      readonly ms: number;
      /** The queue could not be told (e.g. NATS restarting): the shard is written, and a redelivery finds it there. */
      readonly unrecorded?: Error;
    }
  | { readonly kind: "failed"; readonly task: ShardTask; readonly attempt: number; readonly error: Error };

export interface WorkShardsOptions {
  readonly queue: ShardQueue;
  /** Writes the task's shard; `progress` reports how far it got. Resolves once the manifest is durable. */
  readonly run: (task: ShardTask, progress: (totals: ShardTotals) => void, signal: AbortSignal, attempt: number) => Promise<ShardTotals>;
  readonly signal?: AbortSignal;
  /** How often the lease is kept alive while a shard is written (keep it well under the queue's ack wait). */
  readonly heartbeatMs: number;
  /** How long one take waits for a shard. */
  readonly waitMs: number;
  /**
   * Stop when a take finds nothing: always (true), or when this answers true, asked with how long
   * the worker has found nothing (default: keep waiting until the signal).
   */
  readonly stopWhenIdle?: boolean | ((idleMs: number) => Promise<boolean>);
  readonly onEvent?: (event: WorkerEvent) => void;
}

export async function workShards(options: WorkShardsOptions): Promise<{ done: number; failed: number }> {
  const { queue, signal } = options;
  let done = 0;
  let failed = 0;
  let idleSince: number | null = null;
  while (!signal?.aborted) {
    const lease = await queue.take({ signal, waitMs: options.waitMs });
    if (!lease) {
      idleSince ??= performance.now();
      const stop = options.stopWhenIdle;
      if (stop === true || (typeof stop === "function" && (await stop(performance.now() - idleSince)))) break;
      continue;
    }
    idleSince = null;
    if (await workOn(lease, options)) done++;
    else failed++;
  }
  return { done, failed };
}

async function workOn(lease: ShardLease, options: WorkShardsOptions): Promise<boolean> {
  const started = performance.now();
  let progress: ShardTotals = { ledgers: 0, events: 0 };
  const heartbeat = setInterval(() => void lease.working(progress).catch(() => undefined), options.heartbeatMs);
  const attempt = new AbortController();
  const stop = () => attempt.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", stop, { once: true });
  options.onEvent?.({ kind: "started", task: lease.task, attempt: lease.attempt });
  let totals: ShardTotals;
  try {
    totals = await options.run(lease.task, (p) => (progress = p), attempt.signal, lease.attempt);
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    await lease.failed(error).catch(() => undefined);
    options.onEvent?.({ kind: "failed", task: lease.task, attempt: lease.attempt, error });
    return false;
  } finally {
    clearInterval(heartbeat);
    options.signal?.removeEventListener("abort", stop);
  }
  // the shard is written: a queue that cannot be told is no failure of it (never recorded as one)
  const unrecorded = await lease.done(totals).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  options.onEvent?.({ kind: "done", task: lease.task, totals, ms: performance.now() - started, ...(unrecorded ? { unrecorded } : {}) });
  return true;
}
