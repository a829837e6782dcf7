import type { RecordBatch } from "apache-arrow";

/** An inclusive range of ledger sequences; `end` may be `Infinity`: follow the tip as it closes. */
export interface LedgerRange {
  readonly start: number;
  readonly end: number;
}

export interface LedgerBatchesOptions {
  readonly signal?: AbortSignal;
  /**
   * Hash of ledger `start - 1` when the caller already has it (e.g. the last ledger a sink
   * committed): the first ledger's previous-hash must equal it, so the hash chain holds across a
   * restart or a hand-over between sources.
   */
  readonly expectedPreviousHash?: string;
  /** Told of each object the source fetches (a data lake's objects), for its latency; must not throw. */
  readonly onObjectFetched?: (fetch: ObjectFetch) => void;
}

/** One object fetched from where the ledgers are stored. */
export interface ObjectFetch {
  /** From the request to its last byte. */
  readonly seconds: number;
  /** Bytes as stored (compressed). */
  readonly bytes: number;
}

/**
 * Where ledgers come from. A source yields Arrow record batches shaped by `rawLedgerSchema`
 * (src/arrow/ledger-batch.ts), in ascending sequence order, each ledger validated
 * (sequence asked for, network, hash chain). On bad input it throws a `SourceError`.
 */
export interface LedgerSource {
  /** Human-readable name for logs, e.g. "data lake ../shared/ledgers/pubnet". */
  readonly description: string;
  /** Network passphrase of the ledgers this source yields. */
  readonly networkPassphrase: string;
  batches(range: LedgerRange, options?: LedgerBatchesOptions): AsyncIterable<RecordBatch>;
  /** The newest ledger the source can serve now (for `--start latest` and catching up). */
  latestLedger?(options?: { signal?: AbortSignal }): Promise<number>;
  /**
   * What the ledgers `sequences` weigh, for an estimate before a long read: each one's share of its
   * object, compressed and as XDR; null for one the source does not hold or cannot tell. Sources
   * without objects (RPC) have no such method.
   */
  ledgerSizes?(sequences: readonly number[], options?: { signal?: AbortSignal }): Promise<(LedgerSize | null)[]>;
}

/** Bytes of one ledger: as stored (compressed) and as LedgerCloseMeta XDR. */
export interface LedgerSize {
  readonly compressedBytes: number;
  readonly xdrBytes: number;
}
