// Bun runs native async work, each DuckDB statement among it (queries, appends, commits, the event
// streams' reads), on a pool of UV_THREADPOOL_SIZE threads. The pool is sized from the environment the
// process starts with (setting the variable later changes nothing), and without it has as many threads
// as cores: on 2 cores, two heavy queries held every other DuckDB call, the writer's commits included,
// until they ended. `bun run sink` and `bun run pipeline` start with UV_THREADPOOL_SIZE=8 unless set.

/** Native threads kept for the writer and the event streams, beyond the queries. */
export const RESERVED_NATIVE_THREADS = 2;

export interface QueryConcurrency {
  readonly concurrency: number;
  /** Why it is lower than asked (for the log), or null. */
  readonly note: string | null;
}

/** At most `requested` queries at once, and as many as the native pool has threads for beside the writer. */
export function queryConcurrency(requested: number, env: Readonly<Record<string, string | undefined>>, cores: number): QueryConcurrency {
  const configured = Number(env["UV_THREADPOOL_SIZE"]?.trim());
  const threads = Number.isInteger(configured) && configured > 0 ? configured : cores;
  const room = Math.max(1, threads - RESERVED_NATIVE_THREADS);
  if (requested <= room) return { concurrency: requested, note: null };
  return {
    concurrency: room,
    note:
      `${room} ${room === 1 ? "query" : "queries"} at once, not ${requested}: Bun's native thread pool has ${threads} threads ` +
      `(UV_THREADPOOL_SIZE${Number.isInteger(configured) && configured > 0 ? "" : " unset: one per core"}) and the writer and event streams keep ${RESERVED_NATIVE_THREADS}; ` +
      `start with UV_THREADPOOL_SIZE=${requested + RESERVED_NATIVE_THREADS} or more (bun run sink and bun run pipeline set 8)`,
  };
}
