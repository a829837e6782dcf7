// The in-process pipeline: source -> processor -> sink, one batch at a time. Awaiting the sink
// before pulling the next source batch is the backpressure: nothing is buffered without bound.
import { pause } from "../timing/abortable-sleep.ts";
import type { RecordBatch } from "apache-arrow";
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";
import type { LedgerSink } from "../sink/ledger-sink.ts";
import type { ProcessedStats } from "../processor/ttp-processor.ts";
import type { BatchProcessor } from "../processor/batch-processor.ts";
import type { ProcessedBatch } from "../arrow/processed-batch.ts";
import { CommitGroup, type GroupCommitPolicy } from "../stages/commit-group.ts";
import { LedgerContinuity, type ContinuityWording } from "../sink/ledger-continuity.ts";

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

export type PipelineStage = "source" | "processor" | "sink";

/** Hooks called as batches move through the stages (for metrics; they must not throw). */
export interface PipelineObserver {
  /** The source yielded `ledgers` raw ledgers up to `lastLedger`, `xdrBytes` of LedgerCloseMeta. */
  sourceBatch?(batch: { readonly ledgers: number; readonly lastLedger: number; readonly xdrBytes: number }): void;
  /** The processor turned a batch into rows (before the sink commits them). */
  processed?(batch: ProcessedBatch & { readonly stats: ProcessedStats }): void;
  /** The sink committed the batch. */
  committed?(batch: ProcessedBatch): void;
  /** The stage that stopped the run, and why. */
  failed?(stage: PipelineStage, error: unknown): void;
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
  /**
   * Group commit: processed batches are committed together once
   * they hold `ledgers` ledgers or the oldest has waited `ms`; always before the run ends, pauses
   * or fails, so a failure still commits exactly the ledgers before it. `committed` is observed
   * after the commit. Default: none, each batch committed on its own.
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

/** Bytes of XDR in a raw-ledger batch. */
function xdrBytesOf(batch: RecordBatch): number {
  let bytes = 0;
  for (const data of batch.getChild("xdr")?.data ?? []) bytes += (data.valueOffsets?.[data.length] ?? 0) - (data.valueOffsets?.[0] ?? 0);
  return bytes;
}

/** Runs `step`; a throw (unless the run was aborted) is reported as the failure of `stage`. */
async function inStage<T>(stage: PipelineStage, options: PipelineOptions, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!options.signal?.aborted) options.observer?.failed?.(stage, error); // an interruption is no stage's failure
    throw error;
  }
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
  const { observer, signal, sink } = options;
  // the gap rule: where the sink's next commit must begin, recorded first if the operator chose it
  if (options.startOver) await inStage("sink", options, () => sink.startOver(options.range.start));
  const point = await inStage("sink", options, () => sink.resumePoint());
  const continuity = new LedgerContinuity(point, options.continuity ?? DEFAULT_WORDING);
  await inStage("sink", options, () => continuity.checkStart(options.range.start)); // before reading a thing
  const chained = point.previousHash !== null ? { expectedPreviousHash: point.previousHash } : {};
  const batches = options.source.batches(options.range, { signal, ...chained })[Symbol.asyncIterator]();
  const committed = (batch: ProcessedBatch) => observer?.committed?.(batch);
  const group = options.groupCommit ? new CommitGroup(sink, options.groupCommit, (step) => inStage("sink", options, step), committed) : null;
  /** The source's next batch; pending rows are committed meanwhile once they are due. */
  const nextBatch = async () => {
    const next = inStage("source", options, () => batches.next());
    if (!group?.hasPending) return next;
    next.catch(() => undefined); // awaited below; not unhandled while a commit runs
    const wait = group.msLeft();
    if (wait > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const due = await Promise.race([next.then(() => false, () => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), wait)))]);
      clearTimeout(timer);
      if (!due) return next;
    }
    await group.flush();
    return next;
  };
  let sinkFailed = false;
  try {
    for (;;) {
      const next = await nextBatch();
      if (next.done) break;
      const batch = next.value;
      signal?.throwIfAborted();
      observer?.sourceBatch?.({ ledgers: batch.numRows, lastLedger: (batch.getChild("sequence")?.get(batch.numRows - 1) as number | undefined) ?? 0, xdrBytes: xdrBytesOf(batch) });
      const processed = await inStage("processor", options, () => options.processor.process(batch));
      observer?.processed?.(processed);
      if (processed.ledgers.numRows > 0) {
        // before sinkFailed: a refused batch is not the sink's failure, what came before it is committed
        await inStage("sink", options, () => continuity.check(processed.ledgers));
        sinkFailed = true;
        if (!group) {
          await inStage("sink", options, () => sink.write(processed));
          committed(processed);
        } else if (group.add(processed) || processed.failure) {
          await group.flush();
        }
        sinkFailed = false;
      }
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
      if (processed.failure) {
        observer?.failed?.("processor", processed.failure);
        throw processed.failure;
      }
      if (options.maxLedgersPerSecond) {
        const due = (progress.ledgers * 1000) / options.maxLedgersPerSecond - (performance.now() - started);
        if (due > 0) {
          sinkFailed = true;
          await group?.flush();
          sinkFailed = false;
          await pause(due, signal);
        }
      }
    }
    sinkFailed = true;
    await group?.flush();
  } catch (error) {
    // A source or processor failure (or an interruption): what was read before it is committed.
    if (group?.hasPending && !sinkFailed) await group.flush().catch(() => undefined); // the first failure is the one to report
    throw error;
  } finally {
    await batches.return?.(); // lets the source close what it holds, as `for await` would
  }
  return { ...progress, elapsedMs: performance.now() - started };
}
