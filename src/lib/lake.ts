// A SEP-54 data lake read one ledger (or a bounded range) at a time, with no database: the
// manifest, the object of a ledger, its ledgers validated, decoded and turned into TTP events.
// Storage, zstd and SHA-256 come in through CoreAdapters; by default a lake URL is read over fetch.
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../source/retry/retry-policy.ts";
import { RetriesExhaustedError } from "../source/retry/with-retry.ts";
import { SourceError } from "../source/source-error.ts";
import { DATA_LAKE_CONFIG_KEY, readDataLakeConfig, type DataLakeConfig } from "../source/datalake/config.ts";
import { HttpsStore } from "../source/datalake/https-store.ts";
import { batchSpan, LEDGER_OBJECT_EXTENSION, LEGACY_LEDGER_OBJECT_EXTENSION, ledgerObjectKey } from "../source/datalake/object-keys.ts";
import type { RawLedger } from "../arrow/ledger-batch.ts";
import { resolvePassphrase } from "../stellar/network.ts";
import type { LedgerCloseMetaMeasure } from "../stellar/xdr/ledger-header-reader.ts";
import type { TtpMode } from "../ttp/ledger-events.ts";
import { portableAdapters, type CoreAdapters, type ObjectStore } from "./adapters.ts";
import { LedgerEventsDecoder, type DecodedLedger } from "./decoded-ledger.ts";
import { LakeError } from "./lake-error.ts";
import { messageOf } from "../common/message-of.ts";
import { DEFAULT_MAX_LEDGER_BYTES, readLedgerObject } from "./ledger-object.ts";

export interface OpenLakeOptions extends Partial<CoreAdapters> {
  /** The network expected (name or passphrase); a lake of another network is a "wrong-network" LakeError. Default: the manifest's. */
  readonly network?: string;
  /** Check each ledger's transaction set and results against its header (default true). */
  readonly checkTxSet?: boolean;
  readonly mode?: TtpMode;
  readonly verify?: boolean;
  /** Decompressed bytes allowed per ledger an object holds (default 64 MiB). */
  readonly maxLedgerBytes?: number;
  /** Splits objects of several ledgers (lakes with ledgersPerBatch > 1); none by default. */
  readonly measure?: LedgerCloseMetaMeasure;
  /** For a lake URL: how requests are retried and timed out (default: 3 tries, 10 s each, 20 s in all). */
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
}

/** A short budget: an API answering a client cannot wait minutes for a lake. */
export const LAKE_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 2_000, timeoutMs: 10_000, maxElapsedMs: 20_000 };

/** Objects fetched ahead while reading a range. */
const RANGE_CONCURRENCY = 4;

/** `location`: an http(s) URL of the lake root, or any ObjectStore (a folder, a cache in front of a URL). */
export async function openLake(location: string | ObjectStore, options: OpenLakeOptions = {}): Promise<Lake> {
  const store = typeof location === "string" ? new HttpsStore(location, { retry: options.retry ?? LAKE_RETRY_POLICY }) : location;
  const where = store.describe(DATA_LAKE_CONFIG_KEY);
  let config: DataLakeConfig;
  try {
    config = await readDataLakeConfig(store, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const unreachable = /cannot read the data lake manifest/.test(messageOf(error)) || (error as { cause?: unknown }).cause instanceof RetriesExhaustedError;
    if (error instanceof SourceError) {
      throw LakeError.of(/manifest not found/.test(error.message) ? "not-found" : unreachable ? "unreachable" : "corrupt", error);
    }
    throw new LakeError("unreachable", `cannot read the data lake manifest: ${messageOf(error)}`, null, where, { cause: error });
  }
  const expected = options.network !== undefined ? resolvePassphrase(options.network) : config.networkPassphrase;
  if (expected !== config.networkPassphrase) {
    throw new LakeError("wrong-network", `wrong network: asked for "${expected}" but the lake holds "${config.networkPassphrase}"`, null, where);
  }
  return new Lake(store, config, options);
}

export class Lake {
  readonly networkPassphrase: string;
  readonly #decompress: CoreAdapters["decompress"];
  readonly #decoder: LedgerEventsDecoder;
  readonly #maxObjectBytes: number;
  readonly #measure: LedgerCloseMetaMeasure | undefined;
  /** The extension found last first: a lake uses one throughout. */
  #extensions: readonly string[] = [LEDGER_OBJECT_EXTENSION, LEGACY_LEDGER_OBJECT_EXTENSION];

  constructor(
    readonly store: ObjectStore,
    readonly config: DataLakeConfig,
    options: Omit<OpenLakeOptions, "network" | "retry" | "signal"> = {},
  ) {
    this.networkPassphrase = config.networkPassphrase;
    this.#decompress = options.decompress ?? portableAdapters.decompress;
    this.#decoder = new LedgerEventsDecoder({
      network: config.networkPassphrase,
      sha256: options.sha256 ?? portableAdapters.sha256,
      checkTxSet: options.checkTxSet,
      mode: options.mode,
      verify: options.verify,
    });
    this.#maxObjectBytes = (options.maxLedgerBytes ?? DEFAULT_MAX_LEDGER_BYTES) * config.ledgersPerBatch;
    this.#measure = options.measure;
  }

  /** The events of one ledger. */
  async ledger(sequence: number, options: { signal?: AbortSignal } = {}): Promise<DecodedLedger> {
    const raw = await this.rawLedger(sequence, options);
    return this.#decoder.decode(raw.xdr, raw.location ?? null, sequence);
  }

  /**
   * The ledgers start..end in order, each chained to the one before (previous-ledger hash), with
   * up to RANGE_CONCURRENCY objects fetched ahead. The caller bounds the range.
   */
  async *ledgers(start: number, end: number, options: { signal?: AbortSignal } = {}): AsyncGenerator<DecodedLedger> {
    checkSequence(start);
    checkSequence(end);
    if (end < start) throw new RangeError(`invalid ledger range ${start}-${end}: the end comes before the start`);
    const abort = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    const pending: Promise<RawLedger>[] = [];
    let next = start;
    const fill = () => {
      while (pending.length < RANGE_CONCURRENCY && next <= end) {
        const fetching = this.rawLedger(next++, { signal });
        fetching.catch(() => undefined); // awaited in order below; never unhandled meanwhile
        pending.push(fetching);
      }
    };
    let previous: DecodedLedger | null = null;
    try {
      for (let sequence = start; sequence <= end; sequence++) {
        fill();
        const raw = await pending.shift()!;
        if (previous !== null && raw.previousHash !== previous.summary.hash) {
          throw new LakeError(
            "corrupt",
            `broken hash chain: previous ledger hash ${raw.previousHash} is not the hash of ledger ${sequence - 1} (${previous.summary.hash})`,
            sequence,
            raw.location ?? null,
          );
        }
        previous = this.#decoder.decode(raw.xdr, raw.location ?? null, sequence);
        yield previous;
      }
    } finally {
      abort.abort();
    }
  }

  /** The validated LedgerCloseMeta of `sequence`, not yet decoded. */
  async rawLedger(sequence: number, options: { signal?: AbortSignal } = {}): Promise<RawLedger> {
    checkSequence(sequence);
    const { compressed, location } = await this.#fetchObject(sequence, options.signal);
    const ledgers = await readLedgerObject(compressed, location, { decompress: this.#decompress, maxBytes: this.#maxObjectBytes, measure: this.#measure, ledger: sequence });
    const raw = ledgers.find((ledger) => ledger.sequence === sequence);
    if (raw === undefined) {
      const held = ledgers.length > 0 ? `${ledgers[0]!.sequence}-${ledgers[ledgers.length - 1]!.sequence}` : "none";
      throw new LakeError("corrupt", `wrong ledgers in the object: it holds ${held}, not ledger ${sequence}`, sequence, location);
    }
    return raw;
  }

  /** Where the object of `sequence` is (the current extension). */
  objectLocation(sequence: number): string {
    return this.store.describe(ledgerObjectKey(sequence, this.config, this.#extensions[0]));
  }

  async #fetchObject(sequence: number, signal: AbortSignal | undefined): Promise<{ compressed: Uint8Array; location: string }> {
    const span = batchSpan(sequence, this.config);
    for (const extension of this.#extensions) {
      const key = ledgerObjectKey(span.start, this.config, extension);
      const location = this.store.describe(key);
      let compressed: Uint8Array | null;
      try {
        compressed = await this.store.get(key, { signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new LakeError("unreachable", `cannot read the object: ${messageOf(error)}`, sequence, location, { cause: error });
      }
      if (compressed !== null) {
        if (extension !== this.#extensions[0]) this.#extensions = [extension, ...this.#extensions.filter((e) => e !== extension)];
        return { compressed, location };
      }
    }
    const key = ledgerObjectKey(span.start, this.config, LEDGER_OBJECT_EXTENSION);
    throw new LakeError(
      "not-found",
      `ledger ${sequence} not found in the lake: expected ${key} (or legacy ${ledgerObjectKey(span.start, this.config, LEGACY_LEDGER_OBJECT_EXTENSION)})`,
      sequence,
      this.store.describe(key),
    );
  }
}

function checkSequence(sequence: number): void {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 0xffffffff) throw new RangeError(`invalid ledger sequence ${sequence}: must be an integer from 1 to 4294967295`);
}

