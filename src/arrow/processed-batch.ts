import type { RecordBatch } from "apache-arrow";

/**
 * What the processor hands the sink: the `ledgers` rows and the `ttp_events` rows of a run of
 * consecutive ledgers. The sink commits both, with its cursor, in one transaction.
 */
export interface ProcessedBatch {
  /** Rows shaped by ledgerSummarySchema, ascending by sequence. */
  readonly ledgers: RecordBatch;
  /** Rows shaped by ttpEventSchema, in TTP order. */
  readonly events: RecordBatch;
  readonly firstLedger: number;
  readonly lastLedger: number;
}

/** What the processor counted in a batch (it travels with the batch's rows, to the sink's metrics and summary). */
export interface ProcessedStats {
  readonly transactions: number;
  readonly failedTransactions: number;
  readonly operations: number;
  readonly eventsByType: Record<string, number>;
  /** Events the filter dropped. */
  readonly eventsFiltered: number;
  /** Seconds each ledger took to decode, in order (for the processor's latency histograms). */
  readonly decodeSeconds?: readonly number[];
  /** Seconds each ledger took to turn into TTP events, in order. */
  readonly extractSeconds?: readonly number[];
}
