// The source stage as a loop over an async iterable: a LedgerSource's batches of a range, each
// counted as it passes, paced if asked. The in-process pipeline reads it directly; the source
// process turns it into frames (./http/source-stage.ts).
import type { RecordBatch } from "apache-arrow";
import { lastSequenceOf, xdrBytesOf } from "../arrow/ledger-batch.ts";
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";
import { Pacer } from "../timing/pacer.ts";
import type { SourceMeter } from "./meters.ts";

export interface ReadLedgersOptions {
  readonly signal?: AbortSignal;
  /** Hash of ledger `range.start - 1`, when known: the first ledger must chain to it. */
  readonly expectedPreviousHash?: string | null;
  /** At most this many ledgers per second; null: as fast as the source goes. */
  readonly maxLedgersPerSecond?: number | null;
  readonly meter?: SourceMeter;
}

/** The source's batches of `range`, in order; a failure is reported to the meter (unless the run was interrupted) and thrown. */
export async function* readLedgers(source: LedgerSource, range: LedgerRange, options: ReadLedgersOptions = {}): AsyncGenerator<RecordBatch> {
  const { signal, meter } = options;
  const pacer = new Pacer(options.maxLedgersPerSecond ?? null);
  const chained = options.expectedPreviousHash ? { expectedPreviousHash: options.expectedPreviousHash } : {};
  const observed = meter?.objectFetched ? { onObjectFetched: meter.objectFetched.bind(meter) } : {};
  try {
    for await (const batch of source.batches(range, { signal, ...chained, ...observed })) {
      signal?.throwIfAborted(); // a batch that arrives after an interruption goes no further
      meter?.batch?.({ ledgers: batch.numRows, lastLedger: lastSequenceOf(batch), xdrBytes: xdrBytesOf(batch) });
      yield batch;
      await pacer.pace(batch.numRows, signal);
    }
  } catch (error) {
    if (!signal?.aborted) meter?.failed?.(error);
    throw error;
  }
}
