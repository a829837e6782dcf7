// LedgerSource over a SEP-54 (galexie) data lake: one zstd-compressed LedgerCloseMetaBatch per
// object. Storage and decompression are injected, so this file runs on any runtime.
import type { RecordBatch } from "apache-arrow";
import { rawLedgerBatch, type RawLedger } from "../../arrow/ledger-batch.ts";
import { resolvePassphrase } from "../../stellar/network.ts";
import { splitLedgerCloseMetaBatch, type LedgerCloseMetaMeasure } from "../../stellar/xdr/ledger-header-reader.ts";
import type { LedgerBatchesOptions, LedgerRange, LedgerSize, LedgerSource } from "../ledger-source.ts";
import { validateLedger } from "../ledger-validation.ts";
import { sleep } from "../../timing/sleep.ts";
import { raceTimeout, TIMED_OUT } from "../../timing/timeout.ts";
import { messageOf } from "../../common/message-of.ts";
import { RetriesExhaustedError } from "../retry/with-retry.ts";
import { SourceError } from "../source-error.ts";
import { DATA_LAKE_CONFIG_KEY, type DataLakeConfig } from "./config.ts";
import {
  batchSpan,
  LEDGER_OBJECT_EXTENSION,
  LEGACY_LEDGER_OBJECT_EXTENSION,
  ledgerObjectKey,
  type LedgerSpan,
} from "./object-keys.ts";
import { findLatestLedger } from "./latest-ledger.ts";
import { isObjectLister } from "./object-lister.ts";
import type { ObjectStore } from "./object-store.ts";
import { zstdSize } from "./zstd-frames.ts";

import { DEFAULT_MAX_LEDGER_BYTES, type Decompress } from "./decompress.ts";

export { DEFAULT_MAX_LEDGER_BYTES, type Decompress };

export interface DataLakeSourceOptions {
  readonly store: ObjectStore;
  readonly config: DataLakeConfig;
  readonly decompress: Decompress;
  /** Network the caller expects (name such as "pubnet", or a passphrase). Default: the manifest's. */
  readonly networkPassphrase?: string;
  /** Ledgers per Arrow record batch (default 16). */
  readonly ledgersPerArrowBatch?: number;
  /** A record batch is closed before its XDR would pass this many bytes (default 8 MiB). */
  readonly maxArrowBatchBytes?: number;
  /** Splits objects holding several ledgers (default: the SDK's XDR reader). */
  readonly measureLedgerCloseMeta?: LedgerCloseMetaMeasure;
  /** Objects fetched ahead, in flight at once (default 8); memory holds at most this many. */
  readonly concurrency?: number;
  /** Of the objects fetched ahead, the next this many are decompressed ahead too (default 2); the rest wait compressed. */
  readonly decompressAhead?: number;
  /** Following the tip (range end Infinity): how long to wait before asking again for an object not yet written (default 2 s). */
  readonly followPollMs?: number;
  /** Ledgers read are handed on once they have waited this long for the next object (default 1 s). */
  readonly maxBatchWaitMs?: number;
  /** Reports a recoverable problem while following (retries ran out; the source keeps trying). */
  readonly onWarning?: (message: string) => void;
  /**
   * An object that could decompress to more bytes than this is refused before it is decompressed
   * (default: DEFAULT_MAX_LEDGER_BYTES per ledger of the lake's ledgersPerBatch).
   */
  readonly maxObjectBytes?: number;
}

/**
 * The SDK's XDR schema costs ~40 MB of memory and a third of a second to load, and lakes that hold
 * one ledger per object (galexie's default) never need it: loaded on the first multi-ledger object.
 */
const measureWithSdkOnDemand: LedgerCloseMetaMeasure = (bytes) => {
  const sdk = require("../../stellar/xdr/sdk-ledger-close-meta-measure.ts") as typeof import("../../stellar/xdr/sdk-ledger-close-meta-measure.ts");
  return sdk.sdkLedgerCloseMetaMeasure(bytes);
};

export const DEFAULT_LEDGERS_PER_ARROW_BATCH = 16;
/**
 * A batch's XDR is held about three times while it moves on (the decompressed objects, the batch's
 * copy, the garbage JSC has not collected yet), and the --processes source holds --max-inflight
 * encoded frames besides. Over 3,000 standalone-p23 ledgers (~1.8 MB each, like recent mainnet
 * ledgers) `bun run pipeline` peaked at 477-507 MB with 32 MiB (16 ledgers) and all 8 objects
 * fetched ahead decompressed; at 356-378 MB with 8 MiB (4 ledgers; 16 small ledgers still make one
 * batch) and 2 decompressed ahead, using ~15% less CPU (less garbage per batch).
 */
export const DEFAULT_MAX_ARROW_BATCH_BYTES = 8 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 8;
/**
 * Decompressing a one-ledger object takes a few ms on Bun's thread pool, processing its ledger
 * several times that: two ahead keep the main thread from waiting. A recent ledger is ~1.8 MB
 * decompressed and ~0.1 MB compressed, so the other objects fetched ahead wait compressed (with all
 * 8 decompressed ahead, peak RSS was 20-30 MB higher).
 */
export const DEFAULT_DECOMPRESS_AHEAD = 2;
export const DEFAULT_FOLLOW_POLL_MS = 2_000;
export const DEFAULT_MAX_BATCH_WAIT_MS = 1_000;
const CORRUPT_OBJECT_REFETCHES = 2;

type ObjectFetchObserver = LedgerBatchesOptions["onObjectFetched"];

/** One fetched object, still compressed; `compressed` is null when nothing is stored there yet. */
interface FetchedObject {
  readonly span: LedgerSpan;
  readonly compressed: Uint8Array | null;
  readonly location: string;
  /** Its decompression once started (when it is among the next objects due); never rejects. */
  decompressing: Promise<{ xdr: Uint8Array } | { error: unknown }> | null;
}

/** A fetch in flight; `outcome` never rejects, so a prefetch nobody awaits cannot go unhandled. */
interface PendingFetch {
  readonly span: LedgerSpan;
  readonly outcome: Promise<{ fetched: FetchedObject } | { error: unknown }>;
  readonly abort: AbortController;
  settled: boolean;
  /** Its decompression is to start as soon as it arrives. */
  due: boolean;
}

/** One fetched, decompressed and split batch object. */
interface LoadedObject {
  readonly location: string;
  /** Ledgers its key covers. */
  readonly span: LedgerSpan;
  readonly startSequence: number;
  readonly endSequence: number;
  readonly ledgerCloseMetas: readonly Uint8Array[];
}

/** An object whose zstd frames could decompress past the cap: refused before decompressing. */
class ObjectTooLargeError extends Error {
  override readonly name = "ObjectTooLargeError";
}

/** Whether the fetch completes within `ms` (false at once when `ms` <= 0 and it has not). */
async function settlesWithin(entry: PendingFetch, ms: number): Promise<boolean> {
  if (entry.settled) return true;
  if (ms <= 0) return false;
  return (await raceTimeout(entry.outcome, ms)) !== TIMED_OUT;
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
  readonly #concurrency: number;
  readonly #decompressAhead: number;
  readonly #followPollMs: number;
  readonly #maxBatchWaitMs: number;
  readonly #onWarning: (message: string) => void;
  readonly #maxObjectBytes: number;
  /** Extensions to try, the last one found first (a lake uses one of them throughout). */
  #extensions: readonly string[] = [LEDGER_OBJECT_EXTENSION, LEGACY_LEDGER_OBJECT_EXTENSION];

  constructor(options: DataLakeSourceOptions) {
    this.config = options.config;
    this.#store = options.store;
    this.#decompress = options.decompress;
    this.#measure = options.measureLedgerCloseMeta ?? measureWithSdkOnDemand;
    this.networkPassphrase = options.networkPassphrase !== undefined ? resolvePassphrase(options.networkPassphrase) : options.config.networkPassphrase;
    this.#ledgersPerArrowBatch = options.ledgersPerArrowBatch ?? DEFAULT_LEDGERS_PER_ARROW_BATCH;
    this.#maxArrowBatchBytes = options.maxArrowBatchBytes ?? DEFAULT_MAX_ARROW_BATCH_BYTES;
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#decompressAhead = options.decompressAhead ?? DEFAULT_DECOMPRESS_AHEAD;
    this.#followPollMs = options.followPollMs ?? DEFAULT_FOLLOW_POLL_MS;
    this.#maxBatchWaitMs = options.maxBatchWaitMs ?? DEFAULT_MAX_BATCH_WAIT_MS;
    this.#onWarning = options.onWarning ?? (() => undefined);
    this.#maxObjectBytes = options.maxObjectBytes ?? options.config.ledgersPerBatch * DEFAULT_MAX_LEDGER_BYTES;
    if (!(this.#maxObjectBytes > 0)) throw new RangeError(`maxObjectBytes must be > 0, got ${this.#maxObjectBytes}`);
    if (!Number.isInteger(this.#ledgersPerArrowBatch) || this.#ledgersPerArrowBatch < 1) {
      throw new RangeError(`ledgersPerArrowBatch must be an integer >= 1, got ${this.#ledgersPerArrowBatch}`);
    }
    if (!(this.#maxArrowBatchBytes > 0)) throw new RangeError(`maxArrowBatchBytes must be > 0, got ${this.#maxArrowBatchBytes}`);
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${this.#concurrency}`);
    if (!Number.isInteger(this.#decompressAhead) || this.#decompressAhead < 0) throw new RangeError(`decompressAhead must be an integer >= 0, got ${this.#decompressAhead}`);
    this.description = `data lake ${options.store.describe("")}`;
  }

  /** The last ledger of the newest object, found by listing the lake. */
  async latestLedger(options: { signal?: AbortSignal } = {}): Promise<number> {
    const where = this.#store.describe("");
    if (!isObjectLister(this.#store)) throw new SourceError("this data lake cannot be listed, so its latest ledger is unknown: give --start N", null, where);
    try {
      return await findLatestLedger(this.#store, this.config, where, options);
    } catch (error) {
      if (error instanceof SourceError || options.signal?.aborted) throw error;
      throw new SourceError(`cannot list the data lake: ${messageOf(error)}`, null, where, { cause: error });
    }
  }

  /**
   * Each ledger's share of its object, compressed and as XDR (the zstd headers' content size, else
   * decompressed within --max-object-bytes); null where the object is missing or unreadable.
   */
  async ledgerSizes(sequences: readonly number[], options: { signal?: AbortSignal } = {}): Promise<(LedgerSize | null)[]> {
    const signal = options.signal ?? new AbortController().signal;
    return Promise.all(
      sequences.map(async (sequence) => {
        try {
          const span = batchSpan(sequence, this.config);
          const { compressed } = await this.#fetch(span, signal, undefined);
          if (compressed === null) return null;
          const size = zstdSize(compressed);
          if (size.declaredContentBytes === null && size.maxContentBytes > this.#maxObjectBytes) return null; // never decompress past the cap
          const xdrBytes = size.declaredContentBytes ?? (await this.#decompress(compressed)).byteLength;
          const ledgers = span.end - span.start + 1;
          return { compressedBytes: compressed.byteLength / ledgers, xdrBytes: xdrBytes / ledgers };
        } catch (error) {
          if (signal.aborted) throw error;
          return null; // an estimate goes without this sample
        }
      }),
    );
  }

  /**
   * Yields the ledgers of `range` in ascending order, validated, as `rawLedgerSchema` batches.
   * Up to `concurrency` objects are fetched ahead. A batch is also handed on early when its
   * ledgers have waited `maxBatchWaitMs` for the next object, so a slow lake or the live tip
   * still commits as it goes.
   * With `range.end` Infinity it follows the tip: an object not yet written is waited for.
   * On a bad or missing ledger it first yields the valid ledgers read before it, then throws
   * a SourceError (unless aborted: then it throws the abort reason at once).
   */
  async *batches(range: LedgerRange, options?: LedgerBatchesOptions): AsyncGenerator<RecordBatch> {
    const signal = options?.signal;
    const observe = options?.onObjectFetched;
    const { start } = range;
    const follow = range.end === Number.POSITIVE_INFINITY;
    const end = follow ? 0xffffffff : range.end;
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

    const inFlight: PendingFetch[] = [];
    let nextSpanStart = batchSpan(start, this.config).start;
    let depth = this.#concurrency;
    // Following, a lake that stays unreachable past the retries is waited for, never skipped.
    const headOutcome = async (sequence: number): Promise<FetchedObject> => {
      for (;;) {
        try {
          return await this.#outcome(inFlight[0]!, sequence, signal);
        } catch (error) {
          if (!follow || signal?.aborted || !(error instanceof SourceError && error.cause instanceof RetriesExhaustedError)) throw error;
          this.#onWarning(`${error.message}; trying again in ${this.#followPollMs} ms`);
          await sleep(this.#followPollMs, signal);
          inFlight[0] = this.#startFetch(inFlight[0]!.span, signal, observe);
        }
      }
    };
    const fill = () => {
      while (inFlight.length < depth && nextSpanStart <= end) {
        const span = batchSpan(nextSpanStart, this.config);
        inFlight.push(this.#startFetch(span, signal, observe));
        nextSpanStart = span.end + 1;
      }
      // the next objects due are decompressed (off this thread) as soon as they arrive
      for (const entry of inFlight.slice(0, this.#decompressAhead)) {
        if (entry.due) continue;
        entry.due = true;
        void entry.outcome.then((outcome) => {
          if ("fetched" in outcome && outcome.fetched.compressed !== null) void this.#decompressed(outcome.fetched);
        });
      }
    };

    let pending: RawLedger[] = [];
    let pendingBytes = 0;
    let pendingSince = 0;
    let object: LoadedObject | null = null;
    let previousHash = options?.expectedPreviousHash ?? null;
    try {
      for (let sequence = start; sequence <= end; sequence++) {
        let ledger: RawLedger;
        try {
          signal?.throwIfAborted();
          if (object === null || object.span.start !== batchSpan(sequence, this.config).start) {
            fill();
            if (pending.length > 0 && !(await settlesWithin(inFlight[0]!, pendingSince + this.#maxBatchWaitMs - performance.now()))) {
              yield rawLedgerBatch(pending);
              pending = [];
              pendingBytes = 0;
            }
            let fetched = await headOutcome(sequence);
            let firstTry = true;
            while (fetched.compressed === null) {
              if (!follow) throw this.#notFound(sequence);
              // Not written yet: poll for this one object only until it appears.
              firstTry = false;
              depth = 1;
              for (const other of inFlight.splice(1)) other.abort.abort();
              nextSpanStart = inFlight[0]!.span.end + 1;
              if (pending.length > 0) {
                yield rawLedgerBatch(pending);
                pending = [];
                pendingBytes = 0;
              }
              await sleep(this.#followPollMs, signal);
              inFlight[0] = this.#startFetch(inFlight[0]!.span, signal, observe);
              fetched = await headOutcome(sequence);
            }
            inFlight.shift();
            if (firstTry) depth = Math.min(this.#concurrency, depth * 2);
            object = await this.#decodeOrRefetch(fetched, sequence, signal, observe);
          }
          ledger = this.#ledgerAt(object, sequence, previousHash);
        } catch (error) {
          if (pending.length > 0 && !signal?.aborted) yield rawLedgerBatch(pending);
          throw error;
        }
        if (pending.length > 0 && pendingBytes + ledger.xdr.length > this.#maxArrowBatchBytes) {
          yield rawLedgerBatch(pending);
          pending = [];
          pendingBytes = 0;
        }
        if (pending.length === 0) pendingSince = performance.now();
        pending.push(ledger);
        pendingBytes += ledger.xdr.length;
        previousHash = ledger.hash;
        if (pending.length >= this.#ledgersPerArrowBatch) {
          yield rawLedgerBatch(pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) yield rawLedgerBatch(pending);
    } finally {
      for (const fetch of inFlight) fetch.abort.abort();
    }
  }

  #startFetch(span: LedgerSpan, signal: AbortSignal | undefined, observe: ObjectFetchObserver): PendingFetch {
    const abort = new AbortController();
    const linked = signal ? AbortSignal.any([signal, abort.signal]) : abort.signal;
    const entry: PendingFetch = {
      span,
      abort,
      settled: false,
      due: false,
      outcome: this.#fetch(span, linked, observe).then(
        (fetched) => ({ fetched }),
        (error: unknown) => ({ error }),
      ),
    };
    void entry.outcome.then(() => (entry.settled = true));
    return entry;
  }

  async #outcome(entry: PendingFetch, sequence: number, signal: AbortSignal | undefined): Promise<FetchedObject> {
    const outcome = await entry.outcome;
    if ("fetched" in outcome) return outcome.fetched;
    if (signal?.aborted) throw signal.reason;
    const error = outcome.error;
    if (error instanceof SourceError) throw error;
    throw new SourceError(`cannot read the object: ${messageOf(error)}`, sequence, this.#store.describe(ledgerObjectKey(sequence, this.config)), { cause: error });
  }

  /** Fetches the object of `span`, trying each known extension. */
  async #fetch(span: LedgerSpan, signal: AbortSignal, observe: ObjectFetchObserver): Promise<FetchedObject> {
    const extensions = this.#extensions;
    let location = "";
    for (const extension of extensions) {
      const key = ledgerObjectKey(span.start, this.config, extension);
      location = this.#store.describe(key);
      let compressed: Uint8Array | null;
      const started = performance.now();
      try {
        compressed = await this.#store.get(key, { signal });
      } catch (error) {
        if (signal.aborted) throw error;
        throw new SourceError(`cannot read the object: ${messageOf(error)}`, Math.max(span.start, 1), location, { cause: error });
      }
      if (compressed !== null) {
        observe?.({ seconds: (performance.now() - started) / 1000, bytes: compressed.byteLength });
        if (extension !== this.#extensions[0]) this.#extensions = [extension, ...this.#extensions.filter((e) => e !== extension)];
        return { span, compressed, location, decompressing: null };
      }
    }
    return { span, compressed: null, location, decompressing: null };
  }

  #notFound(sequence: number): SourceError {
    const key = ledgerObjectKey(sequence, this.config, LEDGER_OBJECT_EXTENSION);
    return new SourceError(
      `ledger ${sequence} not found in the lake: expected ${key} (or legacy ${ledgerObjectKey(sequence, this.config, LEGACY_LEDGER_OBJECT_EXTENSION)})`,
      sequence,
      this.#store.describe(key),
    );
  }

  /**
   * Decodes a fetched object. A body cut short in transfer can arrive looking complete (chunked
   * encoding), so an object that does not decode is fetched again before it is called corrupt.
   */
  async #decodeOrRefetch(fetched: FetchedObject, sequence: number, signal: AbortSignal | undefined, observe: ObjectFetchObserver): Promise<LoadedObject> {
    for (let refetch = 1; ; refetch++) {
      try {
        return await this.#decode(fetched, sequence);
      } catch (error) {
        if (refetch > CORRUPT_OBJECT_REFETCHES || (error as { cause?: unknown }).cause instanceof ObjectTooLargeError) throw error;
      }
      fetched = await this.#outcome(this.#startFetch(fetched.span, signal, observe), sequence, signal);
      if (fetched.compressed === null) throw this.#notFound(sequence);
    }
  }

  /** The object's decompression (its size checked against the cap first), started now unless it already is. */
  #decompressed(fetched: FetchedObject): Promise<{ xdr: Uint8Array } | { error: unknown }> {
    const compressed = fetched.compressed!;
    return (fetched.decompressing ??= Promise.resolve()
      .then(() => {
        this.#checkDecompressedSize(compressed);
        return this.#decompress(compressed);
      })
      .then(
        (xdr) => ({ xdr }),
        (error: unknown) => ({ error }),
      ));
  }

  /** Throws an ObjectTooLargeError if the object's zstd headers allow more than the cap (or a ZstdFrameError). */
  #checkDecompressedSize(compressed: Uint8Array): void {
    const size = zstdSize(compressed);
    const needs = Math.max(size.maxContentBytes, size.declaredContentBytes ?? 0, size.maxWindowBytes);
    if (needs <= this.#maxObjectBytes) return;
    const what =
      size.declaredContentBytes !== null && size.declaredContentBytes > this.#maxObjectBytes
        ? `declare ${size.declaredContentBytes} bytes of content`
        : size.maxWindowBytes > this.#maxObjectBytes
          ? `ask for a ${size.maxWindowBytes}-byte window`
          : `hold blocks that decompress to up to ${size.maxContentBytes} bytes`;
    throw new ObjectTooLargeError(
      `object too large: its zstd headers ${what} (${compressed.length} bytes compressed), above the cap of ${this.#maxObjectBytes} bytes per object ` +
        `(${this.config.ledgersPerBatch} ledger(s) per object; --max-object-bytes to change it); not decompressed`,
    );
  }

  /** Decompresses and splits a fetched object, checking the ledgers it claims. */
  async #decode(fetched: FetchedObject, sequence: number): Promise<LoadedObject> {
    const { span, location } = fetched;
    const decompressed = await this.#decompressed(fetched);
    if ("error" in decompressed) {
      const error = decompressed.error;
      const message = error instanceof ObjectTooLargeError ? error.message : `cannot decompress the object (zstd): ${messageOf(error)}`;
      throw new SourceError(message, sequence, location, { cause: error });
    }
    const xdr = decompressed.xdr;
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

  /** Reads and validates one ledger of a loaded object (sequence, header hash, chain to the previous hash). */
  #ledgerAt(object: LoadedObject, sequence: number, previousHash: string | null): RawLedger {
    const xdr = object.ledgerCloseMetas[sequence - object.startSequence];
    if (xdr === undefined) {
      throw new SourceError(
        `wrong ledgers in the object: it holds ${object.startSequence}-${object.endSequence}, not ledger ${sequence}`,
        sequence,
        object.location,
      );
    }
    return validateLedger(xdr, sequence, previousHash, object.location);
  }
}
