// The query connections of the SQL surface, lent one query at a time: at most that many queries
// run at once, a bounded number wait in line, and none waits past its own deadline, so that a burst
// of heavy queries gets clear refusals instead of holding every other query (and DuckDB's worker
// threads, which the writer needs too) for minutes.
import { Code } from "@connectrpc/connect";
import type { DuckDBConnection } from "@duckdb/node-api";
import { refused } from "./refusal.ts";

interface Waiter {
  readonly give: (connection: DuckDBConnection) => void;
}

export class QueryPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiting: Waiter[] = [];
  private busy = 0;

  constructor(
    connections: readonly DuckDBConnection[],
    /** Queries that may wait for a connection at once; one more is refused at once. */
    private readonly maxWaiting: number,
  ) {
    if (connections.length === 0) throw new Error("the SQL surface needs query connections: open the database with a sandbox that has some (queryConnections)");
    this.idle = [...connections];
  }

  /** Queries that may run at once. */
  get size(): number {
    return this.idle.length + this.busy;
  }

  /**
   * A connection, once one is free, by `deadlineMs` (a performance.now() time). Refused with
   * ResourceExhausted when `maxWaiting` queries wait already or none came free in time (`what`
   * says why the deadline is what it is), Canceled when `signal` aborts first.
   */
  acquire(deadlineMs: number, what: string, signal?: AbortSignal): Promise<DuckDBConnection> {
    const free = this.idle.pop();
    if (free) {
      this.busy++;
      return Promise.resolve(free);
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(refused(`the server is busy: ${this.size} queries are running and ${this.waiting.length} waiting, the most it takes; try again shortly`, Code.ResourceExhausted));
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
      };
      const waiter: Waiter = {
        give: (connection) => {
          leave();
          resolve(connection);
        },
      };
      const timer = setTimeout(() => {
        leave();
        reject(refused(`the server is busy: no query connection came free within ${what} (${this.size} queries run at once); try again shortly`, Code.ResourceExhausted));
      }, Math.max(0, deadlineMs - performance.now()));
      const abort = () => {
        leave();
        reject(refused("the query was canceled while it waited for a connection", Code.Canceled));
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Gives `connection` back: to the first query in line, or to the idle ones. */
  release(connection: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) {
      next.give(connection);
      return;
    }
    this.busy--;
    this.idle.push(connection);
  }
}
