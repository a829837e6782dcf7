// LedgerSource over Stellar RPC's getLedgers: pages of up to 200 ledgers, cursor paging, each
// ledger's metadataXdr decoded from base64 and validated like a lake's (sequence, header hash,
// hash chain). With range end Infinity it follows the tip, polling as ledgers close. A page that
// skips a ledger is asked again from the missing one; no ledger is ever skipped or repeated.
import type { RecordBatch } from "apache-arrow";
import { rawLedgerBatch, type RawLedger } from "../../arrow/ledger-batch.ts";
import type { LedgerBatchesOptions, LedgerRange, LedgerSource } from "../ledger-source.ts";
import { validateLedger } from "../ledger-validation.ts";
import { sleep } from "../../timing/sleep.ts";
import { RetriesExhaustedError } from "../retry/with-retry.ts";
import { SourceError } from "../source-error.ts";
import { GET_LEDGERS_MAX_LIMIT, getLedgersParams, parseGetLedgersResult, type GetLedgersPage } from "./get-ledgers.ts";
import { JsonRpcError, type JsonRpcClient } from "./json-rpc-client.ts";
import { ResponseTooLargeError } from "../http/fetch-bytes.ts";
import { messageOf } from "../../common/message-of.ts";

export interface RpcSourceOptions {
  readonly client: JsonRpcClient;
  readonly networkPassphrase: string;
  /** Ledgers per getLedgers page (1-200, default DEFAULT_PAGE_LIMIT). */
  readonly pageLimit?: number;
  /** Ledgers per Arrow record batch (default 16). */
  readonly ledgersPerArrowBatch?: number;
  /** Following the tip: wait between polls once the newest ledger is read (default 2 s). */
  readonly followPollMs?: number;
  /** How often in a row a page may skip the ledger asked for before the run stops (default 3). */
  readonly maxGapRetries?: number;
  /** Reports a recoverable problem while following (retries ran out; the source keeps trying). */
  readonly onWarning?: (message: string) => void;
}

// A recent mainnet ledger is about 2.4 MB of base64, and a page is read whole: 20 keeps a page
// near 50 MB, where the 200 RPC allows could pass 500 MB.
export const DEFAULT_PAGE_LIMIT = 20;

export class RpcSource implements LedgerSource {
  readonly description: string;
  readonly networkPassphrase: string;
  readonly #client: JsonRpcClient;
  /** Halved when a page's response passes the client's byte cap. */
  #pageLimit: number;
  readonly #ledgersPerArrowBatch: number;
  readonly #followPollMs: number;
  readonly #maxGapRetries: number;
  readonly #onWarning: (message: string) => void;

  constructor(options: RpcSourceOptions) {
    this.#client = options.client;
    this.networkPassphrase = options.networkPassphrase;
    this.#pageLimit = options.pageLimit ?? DEFAULT_PAGE_LIMIT;
    if (!Number.isInteger(this.#pageLimit) || this.#pageLimit < 1 || this.#pageLimit > GET_LEDGERS_MAX_LIMIT) {
      throw new RangeError(`pageLimit must be an integer in 1-${GET_LEDGERS_MAX_LIMIT}, got ${this.#pageLimit}`);
    }
    this.#ledgersPerArrowBatch = options.ledgersPerArrowBatch ?? 16;
    this.#followPollMs = options.followPollMs ?? 2_000;
    this.#maxGapRetries = options.maxGapRetries ?? 3;
    this.#onWarning = options.onWarning ?? (() => undefined);
    this.description = `Stellar RPC ${options.client.url}`;
  }

  async latestLedger(options: { signal?: AbortSignal } = {}): Promise<number> {
    const result = (await this.#call("getLatestLedger", undefined, null, options.signal)) as { sequence?: unknown } | null;
    const sequence = result?.sequence;
    if (typeof sequence !== "number" || !Number.isInteger(sequence)) {
      throw new SourceError(`getLatestLedger returned no ledger sequence: ${JSON.stringify(result)}`, null, this.#client.url);
    }
    return sequence;
  }

  async *batches(range: LedgerRange, options?: LedgerBatchesOptions): AsyncGenerator<RecordBatch> {
    const signal = options?.signal;
    const follow = range.end === Number.POSITIVE_INFINITY;
    if (!Number.isInteger(range.start) || range.start < 1 || !(range.end >= range.start) || (!follow && !Number.isInteger(range.end))) {
      throw new SourceError(`invalid ledger range ${range.start}-${range.end}`, null, this.#client.url);
    }
    let next = range.start;
    let previousHash = options?.expectedPreviousHash ?? null;
    let cursor: string | null = null;
    let gapRetries = 0;
    while (next <= range.end) {
      signal?.throwIfAborted();
      const limit = Math.min(this.#pageLimit, range.end - next + 1);
      let page: GetLedgersPage | typeof NOT_YET | RaceLost | ResponseTooLargeError;
      try {
        page = await this.#page(cursor !== null ? { cursor } : { startLedger: next }, limit, next, signal);
      } catch (error) {
        if (signal?.aborted || !follow || !(error instanceof SourceError && error.cause instanceof RetriesExhaustedError)) throw error;
        this.#onWarning(`${error.message}; trying again in ${this.#followPollMs} ms`);
        cursor = null;
        await sleep(this.#followPollMs, signal);
        continue;
      }
      if (page instanceof ResponseTooLargeError) {
        if (limit === 1) {
          throw new SourceError(`the getLedgers response for this one ledger is over the cap of ${page.maxBytes} bytes`, next, this.#client.url, { cause: page });
        }
        this.#pageLimit = Math.max(1, Math.floor(limit / 2));
        this.#onWarning(`a getLedgers page of ${limit} ledgers from ledger ${next} was over ${page.maxBytes} bytes: asking for ${this.#pageLimit} per page from now on`);
        cursor = null;
        continue;
      }
      if (page instanceof RaceLost) {
        // Refused, yet the ledger is within the RPC's window now (it closed in between): ask again.
        if (++gapRetries > this.#maxGapRetries) throw this.#failure(page.error, next);
        cursor = null;
        continue;
      }
      if (page === NOT_YET) {
        if (!follow) throw new SourceError(`ledger ${next} has not closed yet: this RPC's latest ledger is older`, next, this.#client.url);
        cursor = null;
        await sleep(this.#followPollMs, signal);
        continue;
      }
      if (next < page.oldestLedger && (page.ledgers[0]?.sequence ?? next + 1) !== next) throw this.#tooOld(next, page.oldestLedger);

      const ledgers: RawLedger[] = [];
      let gap: string | null = null;
      for (const entry of page.ledgers) {
        if (entry.sequence < next) continue; // already read: never repeat a ledger
        if (entry.sequence > next || ledgers.length >= limit) {
          gap = `the page went from ledger ${next - 1} to ${entry.sequence}`;
          break;
        }
        const location = `${this.#client.url} getLedgers ledger ${next}`;
        let xdr: Uint8Array;
        try {
          xdr = Uint8Array.fromBase64(entry.metadataXdr);
        } catch (error) {
          throw new SourceError(`metadataXdr is not base64: ${messageOf(error)}`, next, location, { cause: error });
        }
        const ledger = validateLedger(xdr, next, previousHash, location);
        if (entry.hash !== "" && entry.hash !== ledger.hash) {
          throw new SourceError(`hash mismatch: the RPC says ${entry.hash}, the ledger header hashes to ${ledger.hash}`, next, location);
        }
        ledgers.push(ledger);
        previousHash = ledger.hash;
        next++;
      }
      for (let i = 0; i < ledgers.length; i += this.#ledgersPerArrowBatch) yield rawLedgerBatch(ledgers.slice(i, i + this.#ledgersPerArrowBatch));

      if (gap === null && ledgers.length === 0 && next <= page.latestLedger) gap = `the page holds no ledger ${next} though the latest is ${page.latestLedger}`;
      if (gap !== null) {
        if (ledgers.length === 0 && ++gapRetries > this.#maxGapRetries) {
          throw new SourceError(`the RPC keeps leaving ledger ${next} out: ${gap}`, next, this.#client.url);
        }
        if (ledgers.length > 0) gapRetries = 0;
        cursor = null; // ask again from the missing ledger
        continue;
      }
      gapRetries = 0;
      if (ledgers.length === 0) {
        // Past the tip.
        if (!follow) throw new SourceError(`ledger ${next} has not closed yet: this RPC's latest ledger is ${page.latestLedger}`, next, this.#client.url);
        cursor = null;
        await sleep(this.#followPollMs, signal);
        continue;
      }
      // The page's cursor continues after its last ledger; anything else restarts from `next`.
      cursor = page.cursor !== null && page.cursor === String(next - 1) ? page.cursor : null;
    }
  }

  /** One page, or NOT_YET when the RPC says the ledger asked for is past its latest. */
  async #page(
    from: { startLedger: number } | { cursor: string },
    limit: number,
    next: number,
    signal: AbortSignal | undefined,
  ): Promise<GetLedgersPage | typeof NOT_YET | RaceLost | ResponseTooLargeError> {
    let result: unknown;
    try {
      result = await this.#client.call("getLedgers", getLedgersParams(from, limit), { signal });
    } catch (error) {
      if (error instanceof ResponseTooLargeError) return error;
      if (!(error instanceof JsonRpcError)) throw this.#failure(error, next);
      // The RPC refuses a start outside its window; tell "too old" from "not yet" by its bounds.
      const bounds = await this.#bounds(signal);
      if (bounds !== null && next < bounds.oldest) throw this.#tooOld(next, bounds.oldest);
      if (bounds !== null && next > bounds.latest) return NOT_YET;
      if (bounds !== null) return new RaceLost(error);
      throw this.#failure(error, next);
    }
    try {
      return parseGetLedgersResult(result);
    } catch (error) {
      throw new SourceError(`unexpected getLedgers result: ${messageOf(error)}`, next, this.#client.url, { cause: error });
    }
  }

  async #bounds(signal: AbortSignal | undefined): Promise<{ oldest: number; latest: number } | null> {
    const health = (await this.#call("getHealth", undefined, null, signal).catch(() => null)) as { oldestLedger?: unknown; latestLedger?: unknown } | null;
    if (typeof health?.oldestLedger !== "number" || typeof health.latestLedger !== "number") return null;
    return { oldest: health.oldestLedger, latest: health.latestLedger };
  }

  async #call(method: string, params: Record<string, unknown> | undefined, ledger: number | null, signal: AbortSignal | undefined): Promise<unknown> {
    try {
      return await this.#client.call(method, params, { signal });
    } catch (error) {
      throw this.#failure(error, ledger);
    }
  }

  #failure(error: unknown, ledger: number | null): unknown {
    if (error instanceof SourceError || (error as { name?: unknown })?.name === "AbortError") return error;
    return new SourceError(`Stellar RPC failed: ${messageOf(error)}`, ledger, this.#client.url, { cause: error });
  }

  #tooOld(ledger: number, oldest: number): SourceError {
    return new SourceError(
      `ledger ${ledger} is older than the oldest ledger this RPC keeps (${oldest}; RPC keeps about 7 days). ` +
        `Read older ledgers from a data lake: --datalake URL|PATH (with --rpc-url too, the lake backfills and RPC follows the tip)`,
      ledger,
      this.#client.url,
    );
  }
}

const NOT_YET = Symbol("not yet");

/** getLedgers refused a ledger that getHealth, asked just after, says the RPC has. */
class RaceLost {
  constructor(readonly error: JsonRpcError) {}
}
