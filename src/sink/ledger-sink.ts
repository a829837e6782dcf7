import type { ProcessedBatch } from "../arrow/processed-batch.ts";

/**
 * Where a sink's next commit must begin (see ../shared/ENGINEERING.md, the data contract: nothing
 * but an explicit start may open a gap). Without a pending start: the ledger after the cursor,
 * chained to the committed ledger's hash. With one: the start asked for (chained to the ledger
 * before it when the sink holds that one).
 */
export interface ResumePoint {
  /** Last committed ledger (the highest), or null when nothing was committed yet. */
  readonly cursor: number | null;
  /** The ledger the next commit must begin with; null: any (an empty sink, or a start at the upstream's first ledger). */
  readonly next: number | null;
  /** Hash the first ledger's previous_hash must equal; null: not held, not checked. */
  readonly previousHash: string | null;
  /** A start was asked for (startOver) and nothing committed since. */
  readonly startPending: boolean;
}

/**
 * Where processed ledgers land. `write` commits the batch's `ledgers` rows, its `ttp_events`
 * rows and the cursor (its last ledger) atomically: after a crash either all of a batch is
 * there or none of it. Writing a ledger at or below the cursor again replaces it, never duplicates.
 */
export interface LedgerSink {
  /** Last committed ledger, or null when nothing was committed yet. */
  cursor(): Promise<number | null>;
  resumePoint(): Promise<ResumePoint>;
  /**
   * Records, durably and before any ledger is read, that the operator asked to start at `at`
   * (null: at whatever ledger the upstream begins with): the next commit may begin there even if it
   * is not the ledger after the cursor. A run stopped before its first commit resumes from it.
   */
  startOver(at: number | null): Promise<void>;
  write(batch: ProcessedBatch): Promise<void>;
  /**
   * Optional: commits several consecutive batches in one transaction (all of them or none), as
   * `write` would one by one but cheaper. runPipeline uses it for group commit when present.
   */
  writeMany?(batches: readonly ProcessedBatch[]): Promise<void>;
  close(): Promise<void>;
}
