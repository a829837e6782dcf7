// What each stage loop reports as batches pass it, for metrics (src/component/stage-meters.ts counts
// them into a component's). The loops call these the same way in one process and as processes.
import type { ProcessedBatch, ProcessedStats } from "../arrow/processed-batch.ts";
import type { ObjectFetch } from "../source/ledger-source.ts";
import type { ProcessedResult } from "../processor/batch-processor.ts";

export interface SourceMeter {
  /** The source yielded `ledgers` raw ledgers up to `lastLedger`, `xdrBytes` of LedgerCloseMeta. */
  batch?(batch: { readonly ledgers: number; readonly lastLedger: number; readonly xdrBytes: number }): void;
  /** The source fetched one object (a data lake's), for its latency. */
  objectFetched?(fetch: ObjectFetch): void;
  /** The source stopped with `error` (a ledger that failed validation, a lake that stayed away); not an interruption. */
  failed?(error: unknown): void;
}

export interface ProcessorMeter {
  /** The processor turned a batch into rows (the ledgers before a failing one included). */
  processed?(batch: ProcessedResult): void;
  /** A ledger could not be processed, or the processor itself failed; not an interruption. */
  failed?(error: unknown): void;
}

export interface SinkMeter {
  /** The sink committed the batch (with the processor's stats when they came with it). */
  committed?(batch: ProcessedBatch & { readonly stats?: ProcessedStats }): void;
  /** One write transaction committed (one batch, or a group of them), and how long it took. */
  transaction?(transaction: { readonly seconds: number; readonly ledgers: number; readonly rows: number }): void;
  /** The sink stage stopped with `error`: a commit that failed, a batch the gap rule refused. */
  failed?(error: unknown): void;
}
