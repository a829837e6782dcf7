// Bun runs native async work, each DuckDB statement among it (queries, appends, commits), on a pool
// of UV_THREADPOOL_SIZE threads, as many as the cores unless set: on 2 cores two heavy queries held
// every other DuckDB call, the writer's commits included, until they ended. The pool is sized at
// its first use, so the commands call this before they open the database.

/** Native threads for `queryConcurrency` queries plus the writer, the event streams and exports. */
export function reserveNativeThreads(queryConcurrency: number): void {
  if (process.env["UV_THREADPOOL_SIZE"]?.trim()) return; // the operator's choice
  process.env["UV_THREADPOOL_SIZE"] = String(Math.max(4, queryConcurrency + 3));
}
