// The processor seam of the pipeline: raw-ledger batches in, `ledgers` and `ttp_events` rows out.
import type { RecordBatch } from "apache-arrow";
import type { ProcessedBatch, ProcessedStats } from "../arrow/processed-batch.ts";
import type { ProcessorError } from "./ttp-processor.ts";

export type ProcessedResult = ProcessedBatch & { readonly stats: ProcessedStats; readonly failure: ProcessorError | null };

/**
 * TtpProcessor answers synchronously; ParallelTtpProcessor answers once a worker thread has
 * processed the batch. Either way, a failing ledger comes back as `failure` with the ledgers
 * before it, so that the caller can commit them before stopping.
 */
export interface BatchProcessor {
  process(batch: RecordBatch): ProcessedResult | Promise<ProcessedResult>;
}
