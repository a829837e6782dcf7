// What the sink's services need of the database: connections that see committed data, and the
// last committed ledger. A running pipeline's DuckDbSink provides both; so does a database file
// opened by `bun run sink --db PATH` on its own (see open-service-database.ts).
import type { DuckDBConnection } from "@duckdb/node-api";

export interface ServiceDatabase {
  /** A new connection; its user closes it (closeSync). */
  connect(): Promise<DuckDBConnection>;
  /**
   * Whether the instance itself refuses file access and setting changes (enable_external_access =
   * false, lock_configuration = true). A pipeline's instance cannot (it writes exports), so the SQL
   * guard is then the only fence; with the file opened for serving only, it is the second one.
   */
  readonly locked: boolean;
  /** Where Parquet downloads are written (the only directory a locked instance may write); null: a fresh temporary one each time. */
  readonly exportDir: string | null;
}
