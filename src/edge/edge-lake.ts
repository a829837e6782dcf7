// The lake behind the edge API: opened once per isolate (a failure is not kept: the next request
// tries again), ledger objects through the runtime's Cache API when it has one.
import { HttpsStore } from "../source/datalake/https-store.ts";
import { DATA_LAKE_CONFIG_KEY } from "../source/datalake/config.ts";
import { portableAdapters, type CoreAdapters } from "../lib/adapters.ts";
import type { DecodedLedger } from "../lib/decoded-ledger.ts";
import { LAKE_RETRY_POLICY, openLake, type Lake } from "../lib/lake.ts";
import { CacheApiStore } from "./cache-api-store.ts";
import type { EdgeConfig } from "./edge-config.ts";
import type { LedgerRange } from "./ledger-range.ts";

export interface EdgeLakeOptions {
  readonly config: EdgeConfig;
  /** Default: the portable ones (fzstd, @noble/hashes). */
  readonly adapters?: CoreAdapters;
  /** The Cache API to keep ledger objects in; null or absent: none. */
  readonly cache?: () => Promise<Cache | null>;
}

export class EdgeLake {
  #opening: Promise<Lake> | null = null;

  constructor(private readonly options: EdgeLakeOptions) {}

  lake(): Promise<Lake> {
    this.#opening ??= this.#open();
    this.#opening.catch(() => (this.#opening = null));
    return this.#opening;
  }

  /** The ledgers of `range`, decoded, in order; throws a LakeError on the first that fails. */
  async read(range: LedgerRange, signal?: AbortSignal): Promise<DecodedLedger[]> {
    const lake = await this.lake();
    if (range.start === range.end) return [await lake.ledger(range.start, { signal })];
    const ledgers: DecodedLedger[] = [];
    for await (const ledger of lake.ledgers(range.start, range.end, { signal })) ledgers.push(ledger);
    return ledgers;
  }

  async #open(): Promise<Lake> {
    const { config } = this.options;
    const adapters = this.options.adapters ?? portableAdapters;
    const https = new HttpsStore(config.datalake, { retry: LAKE_RETRY_POLICY });
    const cache = (await this.options.cache?.()) ?? null;
    const store = cache ? new CacheApiStore(https, cache, (key) => key !== DATA_LAKE_CONFIG_KEY) : https;
    return openLake(store, { ...adapters, network: config.networkPassphrase ?? undefined, checkTxSet: config.txSetCheck });
  }
}
