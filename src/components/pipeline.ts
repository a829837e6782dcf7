// The in-process pipeline: source -> processor -> sink, one batch at a time. Awaiting the sink
// before pulling the next source batch is the backpressure: nothing is buffered without bound.
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";
import type { LedgerSink } from "../sink/ledger-sink.ts";
import type { TtpProcessor } from "./ttp-processor.ts";

export interface PipelineProgress {
  readonly range: LedgerRange;
  readonly lastLedger: number;
  readonly ledgers: number;
  readonly transactions: number;
  readonly failedTransactions: number;
  readonly operations: number;
  readonly events: number;
  readonly eventsByType: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

export interface PipelineOptions {
  readonly source: LedgerSource;
  readonly processor: TtpProcessor;
  readonly sink: LedgerSink;
  readonly range: LedgerRange;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PipelineProgress) => void;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineProgress> {
  const started = performance.now();
  const eventsByType: Record<string, number> = {};
  let progress: PipelineProgress = {
    range: options.range,
    lastLedger: options.range.start - 1,
    ledgers: 0,
    transactions: 0,
    failedTransactions: 0,
    operations: 0,
    events: 0,
    eventsByType,
    elapsedMs: 0,
  };
  for await (const batch of options.source.batches(options.range, { signal: options.signal })) {
    options.signal?.throwIfAborted();
    const processed = options.processor.process(batch);
    if (processed.ledgers.numRows > 0) await options.sink.write(processed);
    for (const [type, count] of Object.entries(processed.stats.eventsByType)) eventsByType[type] = (eventsByType[type] ?? 0) + count;
    progress = {
      ...progress,
      lastLedger: processed.lastLedger,
      ledgers: progress.ledgers + processed.ledgers.numRows,
      transactions: progress.transactions + processed.stats.transactions,
      failedTransactions: progress.failedTransactions + processed.stats.failedTransactions,
      operations: progress.operations + processed.stats.operations,
      events: progress.events + processed.events.numRows,
      eventsByType,
      elapsedMs: performance.now() - started,
    };
    options.onProgress?.(progress);
    if (processed.failure) throw processed.failure;
  }
  return { ...progress, elapsedMs: performance.now() - started };
}
