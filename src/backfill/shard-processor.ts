// The processor a shard runs: the pipeline's (openProcessor), on the main thread (shards run in
// parallel processes, not threads), with the production decoder and its transaction-set check.
import type { BatchProcessor } from "../processor/batch-processor.ts";
import { openProcessor } from "../processor/open-processor.ts";
import type { TtpMode } from "../ttp/ledger-events.ts";

export interface ShardProcessorOptions {
  /** Check each ledger's txSetHash and txSetResultHash (default true, as the pipeline). */
  readonly checkTxSets?: boolean;
  /** Reconcile each transaction's events with its balance changes (default false, as the pipeline). */
  readonly verify?: boolean;
  readonly mode?: TtpMode;
}

export function shardProcessor(networkPassphrase: string, options: ShardProcessorOptions = {}): BatchProcessor {
  return openProcessor(networkPassphrase, {
    decoder: "fast",
    mode: options.mode ?? "auto",
    verify: options.verify ?? false,
    checkHashes: options.checkTxSets ?? true,
    filter: null, // a dataset holds every event: the data contract's tables, whole
    workers: 0,
  }).processor;
}
