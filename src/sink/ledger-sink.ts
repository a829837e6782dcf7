import type { ProcessedBatch } from "../arrow/processed-batch.ts";

/**
 * Where processed ledgers land. `write` commits the batch's `ledgers` rows, its `ttp_events`
 * rows and the cursor (its last ledger) atomically: after a crash either all of a batch is
 * there or none of it. Writing a ledger at or below the cursor again replaces it, never duplicates.
 */
export interface LedgerSink {
  /** Last committed ledger, or null when nothing was committed yet. */
  cursor(): Promise<number | null>;
  write(batch: ProcessedBatch): Promise<void>;
  /**
   * Optional: commits several consecutive batches in one transaction (all of them or none), as
   * `write` would one by one but cheaper. runPipeline uses it for group commit when present.
   */
  writeMany?(batches: readonly ProcessedBatch[]): Promise<void>;
  close(): Promise<void>;
}
