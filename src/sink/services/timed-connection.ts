// A service database connection whose statements are interrupted once a deadline passes: the
// statement timeout of QueryService and the Parquet download.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { ServiceDatabase } from "./service-database.ts";

export interface TimedConnection {
  readonly connection: DuckDBConnection;
  /** Whether the deadline passed (and the running statement was interrupted). */
  timedOut(): boolean;
  /** Stops the clock and closes the connection. */
  close(): void;
}

export async function connectWithTimeout(db: ServiceDatabase, timeoutMs: number): Promise<TimedConnection> {
  const connection = await db.connect();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, timeoutMs);
  return {
    connection,
    timedOut: () => timedOut,
    close() {
      clearTimeout(timer);
      connection.closeSync();
    },
  };
}

export function timeoutMessage(timeoutMs: number): string {
  return `the query ran longer than the statement timeout of ${timeoutMs} ms and was interrupted`;
}
