// The seam between planning shards and working on them: one interface, two implementations (an
// in-process queue for `--parallel N` local child processes, NATS JetStream for many machines).
import type { ShardRange } from "./shard-plan.ts";

/** One shard to write: its range, the network its ledgers belong to and the dataset it goes to. */
export interface ShardTask {
  readonly start: number;
  readonly end: number;
  /** Network passphrase. */
  readonly network: string;
  /** The dataset (--out) as planned. */
  readonly dataset: string;
}

export type ShardState = "queued" | "running" | "retrying" | "done" | "failed";

/** What the queue knows of one shard. */
export interface ShardRecord {
  readonly task: ShardTask;
  readonly state: ShardState;
  /** Deliveries so far. */
  readonly attempts: number;
  /** The last attempt's error, when one failed. */
  readonly error: string | null;
  /** Who works (worked) on it. */
  readonly worker: string | null;
  /** ISO time of the last change. */
  readonly updatedAt: string;
  /** Progress of the running attempt, or the shard's totals once done. */
  readonly ledgers: number;
  readonly events: number;
}

export interface QueueStatus {
  readonly counts: Readonly<Record<ShardState, number>>;
  readonly shards: readonly ShardRecord[];
}

export interface PlanResult {
  /** Shards put on the queue. */
  readonly added: number;
  /** Shards already queued, running or done (planning them again adds nothing). */
  readonly skipped: number;
}

export interface ShardLease {
  readonly task: ShardTask;
  /** 1 for the first delivery. */
  readonly attempt: number;
  /** Still working on it: keeps the lease (a JetStream in-progress ack), with the progress so far. */
  working(progress: { ledgers: number; events: number }): Promise<void>;
  /** The shard's manifest is durable: done, never delivered again. */
  done(totals: { ledgers: number; events: number }): Promise<void>;
  /** This attempt failed: delivered again later, or failed for good (error kept) after the last attempt. */
  failed(error: Error): Promise<void>;
}

export interface ShardQueue {
  /** Puts shards on the queue that are not queued, running or done yet (failed ones again). */
  plan(tasks: readonly ShardTask[]): Promise<PlanResult>;
  /** The next shard to work on, waiting up to `waitMs`; null when none came. */
  take(options?: { signal?: AbortSignal; waitMs?: number }): Promise<ShardLease | null>;
  status(): Promise<QueueStatus>;
  close(): Promise<void>;
}

export const SHARD_STATES: readonly ShardState[] = ["queued", "running", "retrying", "done", "failed"];

export function taskOf(range: ShardRange, network: string, dataset: string): ShardTask {
  return { start: range.start, end: range.end, network, dataset };
}

export function countStates(records: readonly ShardRecord[]): Record<ShardState, number> {
  const counts = Object.fromEntries(SHARD_STATES.map((s) => [s, 0])) as Record<ShardState, number>;
  for (const record of records) counts[record.state]++;
  return counts;
}

/** The key of a task in a queue: network, dataset and range (the same shard planned twice is one). */
export function taskKey(task: ShardTask): string {
  return `${task.network}\n${task.dataset}\n${task.start}-${task.end}`;
}
