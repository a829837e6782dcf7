// Group commit for the in-process pipeline: processed batches wait in memory until they hold enough
// ledgers (or the oldest has waited long enough), then the sink commits them in one transaction.
// The cursor still moves in the same transaction as the rows, so a crash loses only what was not
// committed yet, which a resumed run reads again.
import type { ProcessedBatch } from "../arrow/processed-batch.ts";
import type { LedgerSink } from "../sink/ledger-sink.ts";

export interface GroupCommitPolicy {
  /** Commit once the waiting batches hold at least this many ledgers, ... */
  readonly ledgers: number;
  /**
   * ... or this many rows (ledgers and events; default: no limit). DuckDB holds a transaction's
   * rows in memory until COMMIT, a few KB per row, so this bounds the sink's memory.
   */
  readonly rows?: number;
  /** ... or once the oldest of them has waited this long (ms). */
  readonly ms: number;
}

/** What a pipeline does by default: up to 64 ledgers, 32,768 rows or a second per transaction. */
export const DEFAULT_GROUP_COMMIT: GroupCommitPolicy = { ledgers: 64, rows: 32_768, ms: 1000 };

export class CommitGroup {
  #pending: ProcessedBatch[] = [];
  #ledgers = 0;
  #rows = 0;
  #since = 0;

  constructor(
    private readonly sink: LedgerSink,
    private readonly policy: GroupCommitPolicy,
    /** Runs a sink call, reporting its failure as the sink's. */
    private readonly inSinkStage: (step: () => Promise<void>) => Promise<void>,
    /** Called for each batch once it is committed, in order. */
    private readonly committed: (batch: ProcessedBatch) => void,
    /** Called for each transaction committed, with how long it took. */
    private readonly transaction: (transaction: { seconds: number; ledgers: number; rows: number }) => void = () => undefined,
  ) {
    if (!(policy.ledgers >= 1) || !((policy.rows ?? 1) >= 1) || !(policy.ms >= 0)) throw new RangeError(`invalid group commit policy ${JSON.stringify(policy)}`);
  }

  get hasPending(): boolean {
    return this.#pending.length > 0;
  }

  /** Milliseconds until the pending batches are due (0 when due, Infinity when none wait). */
  msLeft(): number {
    if (this.#pending.length === 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.#since + this.policy.ms - performance.now());
  }

  /** Adds a batch; answers whether the group is now due for a commit. */
  add(batch: ProcessedBatch): boolean {
    if (this.#pending.length === 0) this.#since = performance.now();
    this.#pending.push(batch);
    this.#ledgers += batch.ledgers.numRows;
    this.#rows += batch.ledgers.numRows + batch.events.numRows;
    return this.#ledgers >= this.policy.ledgers || this.#rows >= (this.policy.rows ?? Number.POSITIVE_INFINITY) || this.msLeft() === 0;
  }

  /**
   * Commits the pending batches in one transaction. When that fails, they are written one by one,
   * so that exactly the batches before the failing one are committed, and that one's error is thrown.
   */
  async flush(): Promise<void> {
    const batches = this.#pending;
    this.#pending = [];
    this.#ledgers = 0;
    this.#rows = 0;
    if (batches.length === 0) return;
    if (batches.length > 1) {
      try {
        const started = performance.now();
        await this.sink.writeMany(batches);
        this.#timed(started, batches);
        for (const batch of batches) this.committed(batch);
        return;
      } catch {
        // fall through: one by one, to commit what precedes the failing batch
      }
    }
    for (const batch of batches) {
      const started = performance.now();
      await this.inSinkStage(() => this.sink.write(batch));
      this.#timed(started, [batch]);
      this.committed(batch);
    }
  }

  #timed(started: number, batches: readonly ProcessedBatch[]): void {
    let ledgers = 0;
    let rows = 0;
    for (const batch of batches) {
      ledgers += batch.ledgers.numRows;
      rows += batch.ledgers.numRows + batch.events.numRows;
    }
    this.transaction({ seconds: (performance.now() - started) / 1000, ledgers, rows });
  }
}
