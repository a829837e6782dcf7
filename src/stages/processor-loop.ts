// The processor stage as a loop over async iterables: raw-ledger batches in, `ledgers` and
// `ttp_events` rows out. The in-process pipeline hands them to the sink loop; the processor process
// turns them into frames (./http/processor-stage.ts).
import type { RecordBatch } from "apache-arrow";
import type { BatchProcessor, ProcessedResult } from "../processor/batch-processor.ts";
import type { ProcessorMeter } from "./meters.ts";

/**
 * Each batch processed, in order. A ledger that fails comes back first as the batch's `failure`,
 * with the rows of the ledgers before it (so that they can be committed), then is thrown as the
 * next item is asked for. A failure of the batches' own iterable passes through, unreported here.
 */
export async function* processLedgers(batches: AsyncIterable<RecordBatch>, processor: BatchProcessor, options: { readonly meter?: ProcessorMeter; readonly signal?: AbortSignal } = {}): AsyncGenerator<ProcessedResult> {
  const { meter, signal } = options;
  for await (const batch of batches) {
    let processed: ProcessedResult;
    try {
      processed = await processor.process(batch);
    } catch (error) {
      if (!signal?.aborted) meter?.failed?.(error);
      throw error;
    }
    meter?.processed?.(processed);
    yield processed;
    if (processed.failure) {
      meter?.failed?.(processed.failure);
      throw processed.failure;
    }
  }
}
