// Messages between `--parallel N`'s parent and its shard child processes (Bun IPC, JSON).
import type { ShardTask } from "../shard-queue.ts";

/** How a child opens the lake and the dataset: given once, at spawn. */
export interface ShardChildConfig {
  /** --datalake: a folder, https:// or s3:// lake. */
  readonly lake: string;
  readonly s3Endpoint?: string;
  readonly concurrency?: number;
  /** The txSetHash/txSetResultHash check (default true). */
  readonly checkTxSets?: boolean;
  readonly verify?: boolean;
  readonly rowGroupRows?: number;
}

export type ToChild = { readonly kind: "run"; readonly task: ShardTask } | { readonly kind: "stop" };

export type FromChild =
  | { readonly kind: "ready" }
  | { readonly kind: "progress"; readonly ledgers: number; readonly events: number }
  | { readonly kind: "done"; readonly ledgers: number; readonly events: number; readonly cpuMs: number; readonly peakRssMb: number }
  | { readonly kind: "failed"; readonly error: string };
