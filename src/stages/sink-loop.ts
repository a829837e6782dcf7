// The sink stage as a loop over an async iterable: processed batches in, commits out. Batches wait
// in memory until they hold enough ledgers or rows, or the oldest has waited long enough, then are
// committed in one transaction with the cursor (a crash loses only what a resumed run reads again).
// Every batch must continue the chain from the sink's resume point (the gap rule). The in-process
// pipeline feeds it the processor loop; the sink process, its upstream's frames (./http/sink-stage.ts).
import type { ProcessedBatch } from "../arrow/processed-batch.ts";
import type { LedgerContinuity } from "../sink/ledger-continuity.ts";
import type { LedgerSink } from "../sink/ledger-sink.ts";
import { Pacer } from "../timing/pacer.ts";
import type { Clock } from "../timing/clock.ts";
import { raceTimeout, TIMED_OUT } from "../timing/timeout.ts";
import { CommitGroup, type GroupCommitPolicy } from "./commit-group.ts";
import { ledgerSlices } from "./ledger-slices.ts";
import type { SinkMeter } from "./meters.ts";

/** A batch for the sink; one with a `failure` (the processor stopped at the ledger after it) is committed at once. */
export type SinkBatch = ProcessedBatch & { readonly failure?: unknown };

export interface CommitLedgersOptions<B extends SinkBatch> {
  readonly sink: LedgerSink;
  /** Where the sink's next commit must begin, and the chain from there (see resumeContinuity). */
  readonly continuity: LedgerContinuity;
  /** Several batches per transaction; null or absent: each batch committed on its own. */
  readonly groupCommit?: GroupCommitPolicy | null;
  /** Paces commits to at most this many ledgers per second, a ledger at a time (what waits is committed before the pause). */
  readonly maxLedgersPerSecond?: number | null;
  /** What the pacing waits on (tests drive it by hand). */
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly meter?: SinkMeter;
  /** Each batch once the sink has it (committed, or waiting in the group), in order, before the next is read. */
  readonly accepted?: (batch: B) => void;
}

/** Each batch on its own: a group due as soon as it holds one. */
const EACH_BATCH: GroupCommitPolicy = { ledgers: 1, ms: 0 };

/**
 * Commits `batches` until they end. Whatever stops it (the batches' own failure, a refused batch, a
 * failed commit, an interruption) is thrown after everything before it is committed; the sink
 * stage's own failures are reported to the meter first.
 */
export async function commitLedgers<B extends SinkBatch>(batches: AsyncIterable<B>, options: CommitLedgersOptions<B>): Promise<void> {
  const { continuity, meter, signal } = options;
  const inSinkStage = async <T>(step: () => T | Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      if (!signal?.aborted) meter?.failed?.(error); // an interruption is no stage's failure
      throw error;
    }
  };
  const group = new CommitGroup(options.sink, options.groupCommit ?? EACH_BATCH, inSinkStage, (batch) => meter?.committed?.(batch), (transaction) => meter?.transaction?.(transaction));
  let pacer: Pacer | null = null;
  const iterator = batches[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<B>> | null = null;
  try {
    for (;;) {
      next ??= iterator.next();
      const result = group.hasPending ? await raceTimeout(next, group.msLeft()) : await next;
      if (result === TIMED_OUT) {
        await group.flush(); // the oldest waited long enough; the read goes on
        continue;
      }
      next = null;
      if (result.done) break;
      pacer ??= new Pacer(options.maxLedgersPerSecond ?? null, options.clock);
      // paced, a ledger at a time: a batch of 16 would land at once, then wait 16 s at 1 ledger/s
      for (const batch of options.maxLedgersPerSecond ? ledgerSlices(result.value) : [result.value]) {
        if (batch.ledgers.numRows > 0) {
          await inSinkStage(() => continuity.check(batch.ledgers)); // a refused batch ends the run; what came before it is committed
          if (group.add(batch) || batch.failure) await group.flush();
        }
        options.accepted?.(batch);
        await pacer.pace(batch.ledgers.numRows, signal, () => group.flush());
      }
    }
    await group.flush();
    if (options.sink.flush) await inSinkStage(() => options.sink.flush!());
  } catch (error) {
    if (group.hasPending) await group.flush().catch(() => undefined); // the first failure is the one to report
    await options.sink.flush?.().catch(() => undefined);
    throw error;
  } finally {
    if (next === null) await iterator.return?.();
    else void next.then(() => iterator.return?.(), () => undefined); // a read in flight: closed once it ends (callers abort it)
  }
}
