// The processor a shard runs: the pipeline's, on the main thread (shards run in parallel processes,
// not threads), with the production decoder and its transaction-set check.
import { ledgerDecoder } from "../processor/ledger-decoders.ts";
import { TtpProcessor } from "../processor/ttp-processor.ts";
import type { TtpMode } from "../ttp/ledger-events.ts";

export interface ShardProcessorOptions {
  /** Check each ledger's txSetHash and txSetResultHash (default true, as the pipeline). */
  readonly checkTxSets?: boolean;
  /** Reconcile each transaction's events with its balance changes (default false, as the pipeline). */
  readonly verify?: boolean;
  readonly mode?: TtpMode;
}

export function shardProcessor(networkPassphrase: string, options: ShardProcessorOptions = {}): TtpProcessor {
  const decoder = ledgerDecoder("fast", networkPassphrase, { checkHashes: options.checkTxSets ?? true });
  return new TtpProcessor({ networkPassphrase, decoder, mode: options.mode ?? "auto", verify: options.verify ?? false });
}
