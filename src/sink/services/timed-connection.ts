// A query connection lent until a deadline, for one query of QueryService or the Parquet download:
// the statement timeout counts from the request, so time spent waiting for a connection is part
// of it; at the deadline (or when the client goes away) the running statement is interrupted.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { QueryPool } from "./query-pool.ts";

export interface TimedConnection {
  readonly connection: DuckDBConnection;
  /** Whether the deadline passed (and the running statement was interrupted). */
  timedOut(): boolean;
  /** Stops the clock and gives the connection back; call it once the connection is idle. */
  release(): void;
}

/** A connection of `pool` with `timeoutMs` to run in, counted from now; refusals as QueryPool.acquire. */
export async function connectWithTimeout(pool: QueryPool, timeoutMs: number, signal?: AbortSignal): Promise<TimedConnection> {
  const deadline = performance.now() + timeoutMs;
  const connection = await pool.acquire(deadline, `the statement timeout of ${timeoutMs} ms`, signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, Math.max(0, deadline - performance.now()));
  const abandoned = () => connection.interrupt();
  signal?.addEventListener("abort", abandoned, { once: true });
  let released = false;
  return {
    connection,
    timedOut: () => timedOut,
    release() {
      if (released) return;
      released = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", abandoned);
      pool.release(connection);
    },
  };
}

export function timeoutMessage(timeoutMs: number): string {
  return `the query ran past the statement timeout of ${timeoutMs} ms (time waiting for a connection included) and was interrupted`;
}
