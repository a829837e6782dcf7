// The limits of the SQL surface (QueryService and /download/parquet), with their defaults.

export interface QueryLimits {
  /** Most rows a response holds (beyond: `truncated`); a download holds at most as many. */
  readonly maxRows: number;
  /** Most bytes of value text a response holds, and of a Parquet download's file: beyond, ResourceExhausted. */
  readonly maxResultBytes: number;
  /** A query's whole time, waiting for a connection included; then it is interrupted. */
  readonly timeoutMs: number;
  /** Longest SQL text accepted. */
  readonly maxSqlLength: number;
  /** Queries that run at once (one query connection each). */
  readonly concurrency: number;
  /** Queries that may wait for a connection; one more is refused at once. */
  readonly maxWaiting: number;
}

/**
 * maxResultBytes: 10,000 full ttp_events rows are about 4 MB of text, so 16 MiB leaves room for
 * wide selections while a response stays far from the hundreds of MB a `repeat()` could ask for.
 * concurrency: DuckDB runs each query on a thread of Bun's native pool, which the writer and the
 * event streams share; the commands keep two of its threads for them (./native-threads.ts).
 */
export const QUERY_DEFAULTS: QueryLimits = {
  maxRows: 10_000,
  maxResultBytes: 16 * 1024 * 1024,
  timeoutMs: 10_000,
  maxSqlLength: 20_000,
  concurrency: 2,
  maxWaiting: 16,
};
