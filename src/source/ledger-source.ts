import type { RecordBatch } from "apache-arrow";

/** An inclusive range of ledger sequences. */
export interface LedgerRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where ledgers come from. A source yields Arrow record batches shaped by `rawLedgerSchema`
 * (src/arrow/ledger-batch.ts), in ascending sequence order, each ledger validated
 * (sequence asked for, network, hash chain). On bad input it throws a `SourceError`.
 */
export interface LedgerSource {
  /** Human-readable name for logs, e.g. "data lake ../shared/ledgers/pubnet". */
  readonly description: string;
  /** Network passphrase of the ledgers this source yields. */
  readonly networkPassphrase: string;
  batches(range: LedgerRange, options?: { signal?: AbortSignal }): AsyncIterable<RecordBatch>;
}
