// Writes a hash-chained replay lake: a real SEP-54 lake on disk (.config.json, galexie's partition
// folders and object names, zstd LedgerCloseMetaBatch objects of one ledger each) holding ledgers
// start..start+N-1, made by cycling the ledgers of a source lake (see ledger-template.ts for what
// each copy has rewritten). The same options give the same bytes.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DATA_LAKE_CONFIG_KEY, readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";
import { ledgerObjectKey } from "../../src/source/datalake/object-keys.ts";
import { toHex } from "../../src/stellar/hash.ts";
import { ledgerTemplate, stampLedger, type LedgerTemplate } from "./ledger-template.ts";

/** Galexie's defaults for the lake written. */
export const REPLAY_LAKE_LAYOUT = { ledgersPerBatch: 1, batchesPerPartition: 64_000 } as const;
export const DEFAULT_REPLAY_START = 1_000_000;
/** Seconds between replayed ledgers' close times (Stellar closes a ledger about every 5 s). */
export const CLOSE_TIME_STEP = 5;

export interface ReplayLakeOptions {
  /** Folder of the source lake (one ledger per object). */
  readonly from: string;
  /** Folder to write; must not hold a lake already. */
  readonly out: string;
  readonly ledgers: number;
  readonly start?: number;
  /** Leave ledgers without transactions out of the cycle (the P23 lake's first one is empty). */
  readonly skipEmpty?: boolean;
  /** zstd level of the objects (default 3, as galexie). */
  readonly level?: number;
  /** Called every so often with the ledgers written so far. */
  readonly onProgress?: (written: number) => void;
}

export interface ReplayLake {
  readonly dir: string;
  readonly networkPassphrase: string;
  readonly start: number;
  readonly end: number;
  /** The source ledgers cycled, in order: ledger start + i replays cycle[i % cycle.length]. */
  readonly cycle: readonly number[];
  /** Hash of the last ledger written, 64 hex. */
  readonly lastHash: string;
}

/** The source lake's ledgers, in sequence order, as templates. */
export async function readTemplates(from: string): Promise<{ networkPassphrase: string; templates: LedgerTemplate[] }> {
  const config = await readDataLakeConfig(new FolderStore(from));
  if (config.ledgersPerBatch !== 1) throw new Error(`${from}: a replay lake is made from a lake of one ledger per object (ledgersPerBatch is ${config.ledgersPerBatch})`);
  const files = (await readdir(from, { recursive: true })).filter((f) => /--\d+\.xdr\.zstd?$/.test(f));
  if (files.length === 0) throw new Error(`${from}: no ledger objects (*.xdr.zst) found`);
  const templates: LedgerTemplate[] = [];
  for (const file of files) {
    const path = join(from, file);
    templates.push(ledgerTemplate(Bun.zstdDecompressSync(await Bun.file(path).bytes()), path));
  }
  templates.sort((a, b) => a.sourceSequence - b.sourceSequence);
  return { networkPassphrase: config.networkPassphrase, templates };
}

/** Which source ledger the replayed ledger `sequence` of `lake` is a copy of. */
export function sourceSequenceOf(lake: Pick<ReplayLake, "start" | "cycle">, sequence: number): number {
  return lake.cycle[(sequence - lake.start) % lake.cycle.length]!;
}

export async function generateReplayLake(options: ReplayLakeOptions): Promise<ReplayLake> {
  const start = options.start ?? DEFAULT_REPLAY_START;
  const { ledgers, out } = options;
  if (!Number.isInteger(ledgers) || ledgers < 1) throw new RangeError(`--ledgers must be an integer >= 1, got ${ledgers}`);
  if (!Number.isInteger(start) || start < 2 || start + ledgers - 1 > 0xffffffff) throw new RangeError(`--start must be an integer >= 2 with the range below 2^32, got ${start}`);
  if (await Bun.file(join(out, DATA_LAKE_CONFIG_KEY)).exists()) throw new Error(`${out} already holds a lake (${DATA_LAKE_CONFIG_KEY}); give an empty or new folder`);
  const read = await readTemplates(options.from);
  const { networkPassphrase } = read;
  const templates = options.skipEmpty ? read.templates.filter((t) => t.transactions > 0) : read.templates;
  if (templates.length === 0) throw new Error(`${options.from}: no ledger with transactions to replay`);
  await mkdir(out, { recursive: true });
  const config = { networkPassphrase, version: "1.0", compression: "zstd", ...REPLAY_LAKE_LAYOUT };
  const level = options.level ?? 3;

  // The chain is serial (each header hashes its predecessor), the compression and writes are not:
  // a few objects are compressed on Bun's thread pool at once.
  const inFlight = new Set<Promise<void>>();
  const folders = new Set<string>();
  // the first ledger keeps its own previousLedgerHash
  const first = templates[0]!;
  let previousHash: Uint8Array = new Uint8Array(first.batch.subarray(first.offsets.previousLedgerHash, first.offsets.previousLedgerHash + 32));
  const firstCloseTime = first.closeTime;
  for (let i = 0; i < ledgers; i++) {
    const sequence = start + i;
    const stamped = stampLedger(templates[i % templates.length]!, sequence, previousHash, firstCloseTime + i * CLOSE_TIME_STEP);
    previousHash = stamped.hash;
    const path = join(out, ledgerObjectKey(sequence, REPLAY_LAKE_LAYOUT));
    const folder = dirname(path);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
    const write: Promise<void> = Bun.zstdCompress(stamped.batch, { level })
      .then((compressed) => Bun.write(path, compressed))
      .then(() => void inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= 4) await Promise.race(inFlight);
    if ((i + 1) % 250 === 0) options.onProgress?.(i + 1);
  }
  await Promise.all(inFlight);
  // The manifest last: a lake without it is visibly unfinished.
  await writeFile(join(out, DATA_LAKE_CONFIG_KEY), JSON.stringify(config, null, 2) + "\n");
  return {
    dir: out,
    networkPassphrase,
    start,
    end: start + ledgers - 1,
    cycle: templates.map((t) => t.sourceSequence),
    lastHash: toHex(previousHash),
  };
}
