// The sink seam: where processed ledgers land. Implementations live in their own folders (duckdb/)
// and are picked by openSink (./open-sink.ts); nothing outside src/sink knows which one it has.
import type { ProcessedBatch } from "../arrow/processed-batch.ts";

/** The last ledger a sink committed (the highest) and its hash: where a resumed run chains on. */
export interface SinkCursor {
  readonly sequence: number;
  /** 64 lowercase hex: a resumed run's first ledger must name it as its previous hash; null when the sink holds no row for that ledger. */
  readonly hash: string | null;
}

/**
 * Where a sink's next commit must begin (see ../shared/ENGINEERING.md, the data contract: nothing
 * but an explicit start may open a gap). Without a pending start: the ledger after the cursor,
 * chained to the committed ledger's hash. With one: the start asked for (chained to the ledger
 * before it when the sink holds that one).
 */
export interface ResumePoint {
  /** Last committed ledger (the highest), or null when nothing was committed yet. */
  readonly cursor: number | null;
  /** The ledger the next commit must begin with; null: any (an empty sink, or a start at the upstream's first ledger). */
  readonly next: number | null;
  /** Hash the first ledger's previous_hash must equal; null: not held, not checked. */
  readonly previousHash: string | null;
  /** A start was asked for (startOver) and nothing committed since. */
  readonly startPending: boolean;
}

/**
 * Where processed ledgers land. A commit (`write`, `writeMany`) stores the batches' `ledgers` rows,
 * their `ttp_events` rows and the cursor (their last ledger) atomically: after a crash either all
 * of it is there or none. Writing a ledger at or below the cursor again replaces it, never
 * duplicates it. Callers check the gap rule before committing (./ledger-continuity.ts).
 */
export interface LedgerSink {
  /** What the sink writes to, for messages, e.g. "database ./data/stellar.duckdb". */
  readonly description: string;
  /** The file, folder or URL it writes to, e.g. "./data/stellar.duckdb". */
  readonly location: string;
  /** Last committed ledger and its hash, or null when nothing was committed yet. */
  cursor(): Promise<SinkCursor | null>;
  resumePoint(): Promise<ResumePoint>;
  /**
   * Records, durably and before any ledger is read, that the operator asked to start at `at`
   * (null: at whatever ledger the upstream begins with): the next commit may begin there even if it
   * is not the ledger after the cursor. A run stopped before its first commit resumes from it.
   */
  startOver(at: number | null): Promise<void>;
  /** Commits one batch. */
  write(batch: ProcessedBatch): Promise<void>;
  /** Commits several consecutive batches (in order) in one transaction: all of them or none. */
  writeMany(batches: readonly ProcessedBatch[]): Promise<void>;
  /**
   * For a sink whose unit of durability is larger than a commit (the dataset sink's shard): makes
   * everything written so far durable now. The sink loop calls it when its batches end (or fail),
   * so that the cursor says what the run committed. Absent: every commit is durable on its own.
   */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

/** A commit failed; `message` is one line, `hint` (if any) says what to do. */
export class SinkWriteError extends Error {
  override readonly name = "SinkWriteError";
  constructor(
    message: string,
    readonly hint: string | null,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** The sink is held by another process (for now: it will be free again); `holder` names it, `pid` is its process id when known. */
export class SinkBusyError extends Error {
  override readonly name = "SinkBusyError";
  readonly pid: number | null;
  constructor(
    message: string,
    readonly holder: string,
    options: { cause: unknown; pid?: number | null },
  ) {
    super(message, options);
    this.pid = options.pid ?? null;
  }
}
