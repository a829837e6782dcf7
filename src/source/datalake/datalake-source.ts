// LedgerSource over a SEP-54 (galexie) data lake: one zstd-compressed LedgerCloseMetaBatch per
// object. Storage and decompression are injected, so this file runs on any runtime.
import { sha256, toHex } from "../../stellar/hash.ts";
import type { RecordBatch } from "apache-arrow";
import { rawLedgerBatch, type RawLedger } from "../../arrow/ledger-batch.ts";
import { resolvePassphrase } from "../../stellar/network.ts";
import {
  readLedgerHeader,
  splitLedgerCloseMetaBatch,
  type LedgerCloseMetaMeasure,
} from "../../stellar/xdr/ledger-header-reader.ts";
import { sdkLedgerCloseMetaMeasure } from "../../stellar/xdr/sdk-ledger-close-meta-measure.ts";
import type { LedgerRange, LedgerSource } from "../ledger-source.ts";
import { SourceError } from "../source-error.ts";
import { DATA_LAKE_CONFIG_KEY, type DataLakeConfig } from "./config.ts";
import {
  batchSpan,
  LEDGER_OBJECT_EXTENSION,
  LEGACY_LEDGER_OBJECT_EXTENSION,
  ledgerObjectKey,
  type LedgerSpan,
} from "./object-keys.ts";
import type { ObjectStore } from "./object-store.ts";

/** Decompresses one whole object (zstd); throws on truncated or invalid input. */
export type Decompress = (compressed: Uint8Array) => Uint8Array;

export interface DataLakeSourceOptions {
  readonly store: ObjectStore;
  readonly config: DataLakeConfig;
  readonly decompress: Decompress;
  /** Network the caller expects (name such as "pubnet", or a passphrase). Default: the manifest's. */
  readonly networkPassphrase?: string;
  /** Ledgers per Arrow record batch (default 16). */
  readonly ledgersPerArrowBatch?: number;
  /** A record batch is closed before its XDR would pass this many bytes (default 32 MiB). */
  readonly maxArrowBatchBytes?: number;
  /** Splits objects holding several ledgers (default: the SDK's XDR reader). */
  readonly measureLedgerCloseMeta?: LedgerCloseMetaMeasure;
}

export const DEFAULT_LEDGERS_PER_ARROW_BATCH = 16;
export const DEFAULT_MAX_ARROW_BATCH_BYTES = 32 * 1024 * 1024;

/** One fetched, decompressed and split batch object. */
interface LoadedObject {
  readonly location: string;
  /** Ledgers its key covers. */
  readonly span: LedgerSpan;
  readonly startSequence: number;
  readonly endSequence: number;
  readonly ledgerCloseMetas: readonly Uint8Array[];
}


function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DataLakeSource implements LedgerSource {
  readonly description: string;
  readonly networkPassphrase: string;
  readonly config: DataLakeConfig;
  readonly #store: ObjectStore;
  readonly #decompress: Decompress;
  readonly #measure: LedgerCloseMetaMeasure;
  readonly #ledgersPerArrowBatch: number;
  readonly #maxArrowBatchBytes: number;
  /** Extensions to try, the last one found first (a lake uses one of them throughout). */
  #extensions: readonly string[] = [LEDGER_OBJECT_EXTENSION, LEGACY_LEDGER_OBJECT_EXTENSION];

  constructor(options: DataLakeSourceOptions) {
    this.config = options.config;
    this.#store = options.store;
    this.#decompress = options.decompress;
    this.#measure = options.measureLedgerCloseMeta ?? sdkLedgerCloseMetaMeasure;
    this.networkPassphrase = options.networkPassphrase !== undefined ? resolvePassphrase(options.networkPassphrase) : options.config.networkPassphrase;
    this.#ledgersPerArrowBatch = options.ledgersPerArrowBatch ?? DEFAULT_LEDGERS_PER_ARROW_BATCH;
    this.#maxArrowBatchBytes = options.maxArrowBatchBytes ?? DEFAULT_MAX_ARROW_BATCH_BYTES;
    if (!Number.isInteger(this.#ledgersPerArrowBatch) || this.#ledgersPerArrowBatch < 1) {
      throw new RangeError(`ledgersPerArrowBatch must be an integer >= 1, got ${this.#ledgersPerArrowBatch}`);
    }
    if (!(this.#maxArrowBatchBytes > 0)) throw new RangeError(`maxArrowBatchBytes must be > 0, got ${this.#maxArrowBatchBytes}`);
    this.description = `data lake ${options.store.describe("")}`;
  }

  /**
   * Yields the ledgers of `range` in ascending order, validated, as `rawLedgerSchema` batches.
   * On a bad or missing ledger it first yields the valid ledgers read before it, then throws
   * a SourceError (unless aborted: then it throws the abort reason at once).
   */
  async *batches(range: LedgerRange, options?: { signal?: AbortSignal }): AsyncGenerator<RecordBatch> {
    const signal = options?.signal;
    const { start, end } = range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end < start || end > 0xffffffff) {
      throw new SourceError(`invalid ledger range ${start}-${end}`, null, this.#store.describe(""));
    }
    if (this.networkPassphrase !== this.config.networkPassphrase) {
      throw new SourceError(
        `wrong network: asked for "${this.networkPassphrase}" but the lake holds "${this.config.networkPassphrase}"`,
        start,
        this.#store.describe(DATA_LAKE_CONFIG_KEY),
      );
    }

    let pending: RawLedger[] = [];
    let pendingBytes = 0;
    let object: LoadedObject | null = null;
    let previous: RawLedger | null = null;
    for (let sequence = start; sequence <= end; sequence++) {
      let ledger: RawLedger;
      try {
        signal?.throwIfAborted();
        if (object === null || object.span.start !== batchSpan(sequence, this.config).start) {
          object = await this.#load(sequence, signal);
        }
        ledger = this.#ledgerAt(object, sequence, previous);
      } catch (error) {
        if (pending.length > 0 && !signal?.aborted) yield rawLedgerBatch(pending);
        throw error;
      }
      if (pending.length > 0 && pendingBytes + ledger.xdr.length > this.#maxArrowBatchBytes) {
        yield rawLedgerBatch(pending);
        pending = [];
        pendingBytes = 0;
      }
      pending.push(ledger);
      pendingBytes += ledger.xdr.length;
      previous = ledger;
      if (pending.length >= this.#ledgersPerArrowBatch) {
        yield rawLedgerBatch(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
    if (pending.length > 0) yield rawLedgerBatch(pending);
  }

  /** Fetches, decompresses and splits the object holding `sequence`, checking the ledgers it claims. */
  async #load(sequence: number, signal: AbortSignal | undefined): Promise<LoadedObject> {
    const span = batchSpan(sequence, this.config);
    let compressed: Uint8Array | null = null;
    let location = "";
    for (const extension of this.#extensions) {
      const key = ledgerObjectKey(sequence, this.config, extension);
      location = this.#store.describe(key);
      try {
        compressed = await this.#store.get(key, { signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new SourceError(`cannot read the object: ${messageOf(error)}`, sequence, location, { cause: error });
      }
      if (compressed !== null) {
        if (extension !== this.#extensions[0]) this.#extensions = [extension, ...this.#extensions.filter((e) => e !== extension)];
        break;
      }
    }
    if (compressed === null) {
      const key = ledgerObjectKey(sequence, this.config, LEDGER_OBJECT_EXTENSION);
      throw new SourceError(
        `ledger ${sequence} not found in the lake: expected ${key} (or legacy ${ledgerObjectKey(sequence, this.config, LEGACY_LEDGER_OBJECT_EXTENSION)})`,
        sequence,
        this.#store.describe(key),
      );
    }

    let xdr: Uint8Array;
    try {
      xdr = this.#decompress(compressed);
    } catch (error) {
      throw new SourceError(`cannot decompress the object (zstd): ${messageOf(error)}`, sequence, location, { cause: error });
    }
    let split: ReturnType<typeof splitLedgerCloseMetaBatch>;
    try {
      split = splitLedgerCloseMetaBatch(xdr, this.#measure);
    } catch (error) {
      throw new SourceError(`undecodable LedgerCloseMetaBatch XDR: ${messageOf(error)}`, sequence, location, { cause: error });
    }
    const { startSequence, endSequence, ledgerCloseMetas } = split;
    if (endSequence < startSequence || ledgerCloseMetas.length !== endSequence - startSequence + 1) {
      throw new SourceError(
        `undecodable LedgerCloseMetaBatch XDR: it claims ledgers ${startSequence}-${endSequence} but holds ${ledgerCloseMetas.length} LedgerCloseMeta`,
        sequence,
        location,
      );
    }
    if (startSequence < span.start || endSequence > span.end) {
      throw new SourceError(
        `wrong ledgers in the object: it holds ${startSequence}-${endSequence}, outside the ledgers ${span.start}-${span.end} its key covers (ledgersPerBatch ${this.config.ledgersPerBatch})`,
        sequence,
        location,
      );
    }
    return { location, span, startSequence, endSequence, ledgerCloseMetas };
  }

  /** Reads and validates one ledger of a loaded object (sequence, header hash, chain to `previous`). */
  #ledgerAt(object: LoadedObject, sequence: number, previous: RawLedger | null): RawLedger {
    const { location } = object;
    const xdr = object.ledgerCloseMetas[sequence - object.startSequence];
    if (xdr === undefined) {
      throw new SourceError(
        `wrong ledgers in the object: it holds ${object.startSequence}-${object.endSequence}, not ledger ${sequence}`,
        sequence,
        location,
      );
    }
    let header: ReturnType<typeof readLedgerHeader>;
    try {
      header = readLedgerHeader(xdr);
    } catch (error) {
      throw new SourceError(`undecodable LedgerCloseMeta XDR: ${messageOf(error)}`, sequence, location, { cause: error });
    }
    if (header.sequence !== sequence) {
      throw new SourceError(`wrong sequence: expected ledger ${sequence}, the LedgerCloseMeta holds ledger ${header.sequence}`, sequence, location);
    }
    const computed = toHex(sha256(header.headerBytes));
    if (computed !== header.hash) {
      throw new SourceError(`corrupt ledger header: its hash says ${header.hash} but sha256 of the header is ${computed}`, sequence, location);
    }
    if (previous !== null && previous.sequence === sequence - 1 && header.previousHash !== previous.hash) {
      throw new SourceError(
        `broken hash chain: previous ledger hash ${header.previousHash} is not the hash of ledger ${previous.sequence} (${previous.hash})`,
        sequence,
        location,
      );
    }
    const ledger = {
      sequence,
      hash: header.hash,
      previousHash: header.previousHash,
      closedAt: header.closeTime,
      protocolVersion: header.protocolVersion,
      xdr,
      location, // for downstream error messages (RawLedger.location)
    };
    return ledger;
  }
}
