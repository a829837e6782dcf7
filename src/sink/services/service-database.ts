// What the sink's services need of the database: connections that see committed data, on an
// instance under DuckDB's own sandbox (see served-sink.ts, which opens it so for `bun run sink`
// and `bun run pipeline` alike).
import type { DuckDBConnection } from "@duckdb/node-api";

export interface ServiceDatabase {
  /** A new connection for the services' own SQL (event streams); its user closes it (closeSync). */
  connect(): Promise<DuckDBConnection>;
  /**
   * The connections clients' SQL runs on (QueryService, /download/parquet), one per query that
   * may run at once, set up before the sandbox locked the instance's configuration.
   */
  readonly queryConnections: readonly DuckDBConnection[];
  /** Where Parquet downloads are written: a directory the sandbox allows. */
  readonly downloadDir: string;
}
