// The gap rule of the data contract (../shared/ENGINEERING.md), checked before anything is committed:
// every ledger a sink commits is the one after the ledger before it, and its previous_hash is that
// ledger's hash, starting from the sink's resume point (its cursor + 1, or the start the operator
// asked for). Without it a resumed sink whose upstream starts later commits across a gap and exits 0.
import type { RecordBatch } from "apache-arrow";
import type { LedgerSink, ResumePoint } from "./ledger-sink.ts";

/** What the check says about the sink and what the operator can run instead, by the caller. */
export interface ContinuityWording {
  /** The sink, e.g. "database ./data/stellar.duckdb". */
  readonly sink: string;
  /** What to run instead when ledger `arrived` came where `expected` should have. */
  readonly hint: (expected: number, arrived: number) => string;
}

/** A ledger that would open a gap, go back, or break the hash chain; nothing from it on was committed. */
export class LedgerGapError extends Error {
  override readonly name = "LedgerGapError";
  constructor(
    message: string,
    /** The ledger that had to come next. */
    readonly expected: number,
    /** The ledger that came. */
    readonly arrived: number,
  ) {
    super(message);
  }
}

export class LedgerContinuity {
  /** The next ledger to come (null: any, until the first one). */
  #next: number | null;
  /** Its previous_hash (null: unknown, not checked). */
  #previousHash: string | null;
  /** Nothing checked yet: the first ledger is measured against the resume point. */
  #first = true;

  constructor(
    private readonly point: ResumePoint,
    private readonly wording: ContinuityWording,
  ) {
    this.#next = point.next;
    this.#previousHash = point.previousHash;
  }

  /** Throws LedgerGapError unless a run beginning at `first` may begin there (before anything is read). */
  checkStart(first: number): void {
    if (this.#first && this.#next !== null && first !== this.#next) throw this.#gap(this.#next, first);
  }

  /** Throws LedgerGapError unless `ledgers` (rows with sequence, hash, previous_hash) continue the chain. */
  check(ledgers: RecordBatch): void {
    const sequences = ledgers.getChild("sequence");
    const hashes = ledgers.getChild("hash");
    const previousHashes = ledgers.getChild("previous_hash");
    if (!sequences || !hashes || !previousHashes) throw new Error("a ledgers batch without sequence, hash and previous_hash columns");
    for (let i = 0; i < ledgers.numRows; i++) {
      const sequence = sequences.get(i) as number;
      const previousHash = previousHashes.get(i) as string;
      if (this.#next !== null && sequence !== this.#next) throw this.#gap(this.#next, sequence);
      if (this.#previousHash !== null && previousHash !== this.#previousHash) throw this.#broken(sequence, previousHash, this.#previousHash);
      this.#first = false;
      this.#next = sequence + 1;
      this.#previousHash = hashes.get(i) as string;
    }
  }

  #gap(expected: number, arrived: number): LedgerGapError {
    const { sink, hint } = this.wording;
    const what = arrived > expected ? `ledgers ${expected}-${arrived - 1} would be missing` : `it goes back to a ledger before ${expected}`;
    let where: string;
    if (!this.#first) where = `ledger ${arrived} came after ledger ${expected - 1} (expected ${expected}): ${what}`;
    else if (this.point.startPending) where = `${sink} was asked to start at ledger ${expected} (--start), but ledger ${arrived} arrived first: ${what}`;
    else where = `${sink} holds ledgers through ${this.point.cursor} (its cursor), but ledger ${arrived} arrived next: ${what}`;
    return new LedgerGapError(`${where}; nothing from ledger ${arrived} on was committed. ${hint(expected, arrived)}`, expected, arrived);
  }

  #broken(sequence: number, previousHash: string, expected: string): LedgerGapError {
    const before = this.#first ? `ledger ${sequence - 1} committed in ${this.wording.sink}` : `ledger ${sequence - 1} before it`;
    return new LedgerGapError(
      `ledger ${sequence} does not chain to ${before}: its previous hash is ${previousHash}, that ledger's hash is ${expected} (ledgers of another network or history?); nothing from ledger ${sequence} on was committed`,
      sequence,
      sequence,
    );
  }
}

/**
 * Where `sink`'s next commit must begin and the check of everything after it: the operator's
 * explicit start (if any) recorded first, then the sink's resume point read.
 */
export async function resumeContinuity(sink: LedgerSink, startOver: { readonly at: number | null } | null, wording: ContinuityWording): Promise<{ point: ResumePoint; continuity: LedgerContinuity }> {
  if (startOver) await sink.startOver(startOver.at);
  const point = await sink.resumePoint();
  return { point, continuity: new LedgerContinuity(point, wording) };
}
