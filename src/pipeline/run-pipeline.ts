// The in-process pipeline: the three stage loops (src/stages) joined as async iterables, source ->
// processor -> sink, one batch at a time. The sink awaiting its commit before it asks for the next
// batch is the backpressure: nothing is buffered without bound.
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";
import type { LedgerSink } from "../sink/ledger-sink.ts";
import type { BatchProcessor, ProcessedResult } from "../processor/batch-processor.ts";
import { resumeContinuity, type ContinuityWording } from "../sink/ledger-continuity.ts";
import type { GroupCommitPolicy } from "../stages/commit-group.ts";
import type { ProcessorMeter, SinkMeter, SourceMeter } from "../stages/meters.ts";
import { processLedgers } from "../stages/processor-loop.ts";
import { commitLedgers } from "../stages/sink-loop.ts";
import { readLedgers } from "../stages/source-loop.ts";
import type { Clock } from "../timing/clock.ts";

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

/** What each stage reports as batches move through it (for metrics; the meters must not throw). */
export interface PipelineObserver {
  readonly source?: SourceMeter;
  readonly processor?: ProcessorMeter;
  /** `committed` is called once the batch is committed. */
  readonly sink?: SinkMeter;
}

export interface PipelineOptions {
  readonly source: LedgerSource;
  /** TtpProcessor, or ParallelTtpProcessor (give it `source: parallel.readAhead(source)` too). */
  readonly processor: BatchProcessor;
  readonly sink: LedgerSink;
  readonly range: LedgerRange;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PipelineProgress) => void;
  readonly observer?: PipelineObserver;
  /** Paces the run to at most this many ledgers per second (for demos and gentle reads). */
  readonly maxLedgersPerSecond?: number;
  /** What the pacing waits on (tests drive it by hand). */
  readonly clock?: Clock;
  /**
   * Group commit: processed batches are committed together once they hold `ledgers` ledgers (or
   * `rows` rows) or the oldest has waited `ms`; always before the run ends, pauses or fails, so a
   * failure still commits exactly the ledgers before it. Default: none, each batch committed on its own.
   */
  readonly groupCommit?: GroupCommitPolicy | null;
  /**
   * The operator asked for `range.start` explicitly (--start): the sink records it before any
   * ledger is read, and the run may begin there though it is not the ledger after the sink's cursor.
   * Otherwise the run must begin at the sink's resume point (cursor + 1, or a start recorded before).
   * Either way every ledger committed must follow the one before it (hash chain included).
   */
  readonly startOver?: boolean;
  /** How a gap is reported: the sink's name and what to run instead (default: in runPipeline's own terms). */
  readonly continuity?: ContinuityWording;
}

const DEFAULT_WORDING: ContinuityWording = {
  sink: "the sink",
  hint: (expected, arrived) => `Begin the run at ledger ${expected}, or start the sink over at ${arrived} explicitly (startOver).`,
};

export async function runPipeline(options: PipelineOptions): Promise<PipelineProgress> {
  const started = performance.now();
  const { observer = {}, range, sink } = options;
  const reportedAsSink = async <T>(step: () => T | Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      if (!options.signal?.aborted) observer.sink?.failed?.(error);
      throw error;
    }
  };
  // the gap rule: where the sink's next commit must begin, recorded first if the operator chose it
  const { point, continuity } = await reportedAsSink(() => resumeContinuity(sink, options.startOver ? { at: range.start } : null, options.continuity ?? DEFAULT_WORDING));
  await reportedAsSink(() => continuity.checkStart(range.start)); // before reading a thing

  const progress = new ProgressCount(range, started);
  // the source and processor stop with the run, or once the sink loop gave up on them
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const raw = readLedgers(options.source, range, { signal, expectedPreviousHash: point.previousHash, meter: observer.source });
  const processed = processLedgers(raw, options.processor, { signal, meter: observer.processor });
  try {
    await commitLedgers(processed, {
      sink,
      continuity,
      groupCommit: options.groupCommit,
      maxLedgersPerSecond: options.maxLedgersPerSecond,
      clock: options.clock,
      signal: options.signal,
      meter: observer.sink,
      accepted: (batch) => {
        const now = progress.add(batch);
        options.onProgress?.(now);
      },
    });
  } finally {
    stop.abort();
  }
  return { ...progress.current, elapsedMs: performance.now() - started };
}

/** The run's totals, batch by batch. */
class ProgressCount {
  current: PipelineProgress;
  readonly #eventsByType: Record<string, number> = {};

  constructor(
    range: LedgerRange,
    private readonly started: number,
  ) {
    this.current = { range, lastLedger: range.start - 1, ledgers: 0, transactions: 0, failedTransactions: 0, operations: 0, events: 0, eventsByType: this.#eventsByType, elapsedMs: 0 };
  }

  add(batch: ProcessedResult): PipelineProgress {
    for (const [type, count] of Object.entries(batch.stats.eventsByType)) this.#eventsByType[type] = (this.#eventsByType[type] ?? 0) + count;
    const p = this.current;
    this.current = {
      ...p,
      lastLedger: batch.lastLedger,
      ledgers: p.ledgers + batch.ledgers.numRows,
      transactions: p.transactions + batch.stats.transactions,
      failedTransactions: p.failedTransactions + batch.stats.failedTransactions,
      operations: p.operations + batch.stats.operations,
      events: p.events + batch.events.numRows,
      eventsByType: this.#eventsByType,
      elapsedMs: performance.now() - this.started,
    };
    return this.current;
  }
}
