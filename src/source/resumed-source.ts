// A source resumed after a committed ledger: its first ledger must chain to that ledger's hash.
import type { RecordBatch } from "apache-arrow";
import type { LedgerBatchesOptions, LedgerRange, LedgerSource } from "./ledger-source.ts";

export class ResumedSource implements LedgerSource {
  readonly description: string;
  readonly networkPassphrase: string;

  constructor(
    readonly inner: LedgerSource,
    /** Hash of the ledger before the range, e.g. the last one the sink committed. */
    readonly previousHash: string,
  ) {
    this.description = inner.description;
    this.networkPassphrase = inner.networkPassphrase;
  }

  batches(range: LedgerRange, options: LedgerBatchesOptions = {}): AsyncIterable<RecordBatch> {
    return this.inner.batches(range, { ...options, expectedPreviousHash: options.expectedPreviousHash ?? this.previousHash });
  }
}
