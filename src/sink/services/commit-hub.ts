// Learns of committed ledgers (the pipeline's `committed` hook, or the sink process's) and wakes the
// event streams waiting for them. It holds no events: streams read them from DuckDB after the commit,
// so a stream never slows the pipeline and catch-up and live are the same read.

export class CommitHub {
  private last: number | null;
  private waiters = new Set<() => void>();

  /** `lastCommitted`: the sink's cursor when the hub starts (null: nothing committed yet). */
  constructor(lastCommitted: number | null) {
    this.last = lastCommitted;
  }

  /** The last committed ledger, or null. */
  get lastCommitted(): number | null {
    return this.last;
  }

  /** The sink committed ledgers up to `lastLedger`. */
  committed(lastLedger: number): void {
    if (this.last !== null && lastLedger <= this.last) return;
    this.last = lastLedger;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves when a ledger after `ledger` is committed, after `timeoutMs`, or when `signal` aborts. */
  waitBeyond(ledger: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if ((this.last ?? -1) > ledger || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.add(done);
    });
  }
}
