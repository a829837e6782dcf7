// Writes one shard of a dataset: reads its ledgers from a LedgerSource (validated and chained as the
// pipeline reads them), processes them into `ledgers` and `ttp_events` rows, writes both as Parquet
// to staging files, then commits: manifests of the shards it replaces removed, files published under
// their deterministic names, its manifest written last, replaced shards' other files removed.
// A failure before the commit leaves the dataset as it was; one during it leaves no manifest for a
// partial shard (the shard is not done, and is written again).
import type { RecordBatch } from "apache-arrow";
import type { BatchProcessor } from "../processor/batch-processor.ts";
import { processLedgers } from "../stages/processor-loop.ts";
import { readLedgers } from "../stages/source-loop.ts";
import { ttpEventSchema } from "../arrow/event-batch.ts";
import { ledgerSummarySchema } from "../arrow/ledger-summary-batch.ts";
import { LedgerContinuity } from "../sink/ledger-continuity.ts";
import type { LedgerSource } from "../source/ledger-source.ts";
import { ensureDataset } from "./dataset-descriptor.ts";
import type { DatasetStore } from "./dataset-store.ts";
import { manifestKey, MANIFESTS, rangeOfManifestKey, shardName, tableKey, type DatasetTable } from "./dataset-layout.ts";
import { encodeJson, MANIFEST_FORMAT, parseManifest, SCHEMA_VERSION, type ShardManifest } from "./manifest.ts";
import { contains, describeRange, overlaps, type ShardRange } from "./shard-plan.ts";
import { StagedParquetFile, type FinishedFile } from "./staged-parquet-file.ts";
import { messageOf } from "../common/message-of.ts";

export interface ShardProgress {
  readonly shard: ShardRange;
  readonly ledgers: number;
  readonly events: number;
  readonly lastLedger: number;
}

export interface RunShardOptions {
  readonly source: LedgerSource;
  readonly processor: BatchProcessor;
  readonly store: DatasetStore;
  readonly shard: ShardRange;
  /** A row group closes at the first ledger boundary past this many events (default 100,000). */
  readonly rowGroupRows?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ShardProgress) => void;
  readonly now?: () => Date;
}

export type ShardResult =
  /** Written (its range may be cut where finished shards that stick out of it already hold ledgers). */
  | { readonly kind: "written"; readonly manifest: ShardManifest; readonly replaced: readonly ShardRange[] }
  /** Nothing to write: finished shards already hold all of its ledgers. */
  | { readonly kind: "covered"; readonly by: readonly ShardRange[] };

/** A shard that could not be written; names the shard, and the ledger, object or file where it can. */
export class ShardError extends Error {
  override readonly name = "ShardError";
  constructor(
    readonly shard: ShardRange,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`shard ${shardName(shard)} (${describeRange(shard)}): ${message}`, options);
  }
}

/** Another writer finished a shard overlapping this one while it ran; writing it again resolves it. */
export class ShardConflictError extends ShardError {}

export const DEFAULT_ROW_GROUP_ROWS = 100_000;

/** Finished shards overlapping `shard`: their ranges, by their manifest keys. */
async function overlappingShards(store: DatasetStore, shard: ShardRange): Promise<ShardRange[]> {
  const keys = await store.list(`${MANIFESTS}/`);
  return keys.map(rangeOfManifestKey).filter((r): r is ShardRange => r !== null && overlaps(r, shard));
}

/**
 * The part of `shard` that finished shards sticking out of it (not contained in it) do not hold yet:
 * one range, or null when they hold it all. Shards contained in it are replaced instead.
 */
export function rangeToWrite(shard: ShardRange, finished: readonly ShardRange[]): ShardRange | null {
  let start = shard.start;
  let end = shard.end;
  for (const other of finished) {
    if (!overlaps(other, shard) || contains(shard, other)) continue;
    if (other.start <= shard.start) start = Math.max(start, other.end + 1);
    if (other.end >= shard.end) end = Math.min(end, other.start - 1);
  }
  return start <= end ? { start, end } : null;
}

/** The hash that ledger `range.start`'s previous hash must equal: the last hash of a finished shard ending just before it. */
async function previousShardHash(store: DatasetStore, range: ShardRange): Promise<string | undefined> {
  if (range.start <= 1) return undefined;
  const keys = await store.list(`${MANIFESTS}/`);
  for (const key of keys) {
    const other = rangeOfManifestKey(key);
    if (other?.end !== range.start - 1) continue;
    const bytes = await store.read(key);
    if (bytes) return parseManifest(bytes, store.describe(key)).lastHash;
  }
  return undefined;
}

function describeEventRow(batch: RecordBatch, row: number): string {
  return `ledger ${String(batch.getChild("ledger_sequence")?.get(row))}, event ${String(batch.getChild("event_index")?.get(row))}`;
}

export async function runShard(options: RunShardOptions): Promise<ShardResult> {
  const { store, source, shard } = options;
  const network = source.networkPassphrase;
  await ensureDataset(store, network);
  const before = await overlappingShards(store, shard);
  const range = rangeToWrite(shard, before);
  if (range === null) return { kind: "covered", by: before };
  const expectedPreviousHash = await previousShardHash(store, range);

  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  const files: Record<DatasetTable, StagedParquetFile | null> = { ttp_events: null, ledgers: null };
  let finished: FinishedFile[] = [];
  let first: { previousHash: string } | null = null;
  let lastHash = "";
  let ledgers = 0;
  let events = 0;
  try {
    files.ttp_events = await StagedParquetFile.open(store, tableKey("ttp_events", range), {
      schema: ttpEventSchema,
      sortedBy: ["ledger_sequence", "event_index"],
      rowGroupRows,
      describeRow: describeEventRow,
    });
    files.ledgers = await StagedParquetFile.open(store, tableKey("ledgers", range), { schema: ledgerSummarySchema, sortedBy: ["sequence"], rowGroupRows });
    const continuity = new LedgerContinuity(
      { cursor: range.start - 1, next: range.start, previousHash: expectedPreviousHash ?? null, startPending: false },
      { sink: `shard ${shardName(range)}`, hint: (expected) => `The lake does not continue the shard at ledger ${expected}: is it the dataset's network and history?` },
    );
    // the pipeline's source and processor loops: a ledger that fails comes with the rows before it, then is thrown
    const batches = processLedgers(readLedgers(source, range, { signal: options.signal, expectedPreviousHash }), options.processor, { signal: options.signal });
    for await (const processed of batches) {
      if (processed.ledgers.numRows > 0) {
        continuity.check(processed.ledgers);
        await files.ledgers.write(processed.ledgers);
        await files.ttp_events.write(processed.events);
        const previousHashes = processed.ledgers.getChild("previous_hash")!;
        const hashes = processed.ledgers.getChild("hash")!;
        first ??= { previousHash: previousHashes.get(0) as string };
        lastHash = hashes.get(processed.ledgers.numRows - 1) as string;
        ledgers += processed.ledgers.numRows;
        events += processed.events.numRows;
        options.onProgress?.({ shard: range, ledgers, events, lastLedger: processed.lastLedger });
      }
    }
    if (ledgers !== range.end - range.start + 1) throw new Error(`the source ended after ${ledgers} of ${range.end - range.start + 1} ledgers`);
    finished = [await files.ttp_events.finish(), await files.ledgers.finish()];
  } catch (error) {
    for (const file of [files.ttp_events, files.ledgers]) await file?.discard().catch(() => undefined);
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ShardError(range, messageOf(error), { cause: error });
  }

  try {
    const manifest: ShardManifest = {
      format: MANIFEST_FORMAT,
      schemaVersion: SCHEMA_VERSION,
      network,
      start: range.start,
      end: range.end,
      ledgers,
      rows: { ttp_events: events, ledgers },
      firstPreviousHash: first!.previousHash,
      lastHash,
      files: finished.map((f, i) => ({ table: i === 0 ? "ttp_events" : "ledgers", key: f.key, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
      writtenAt: (options.now?.() ?? new Date()).toISOString(),
    };
    // another writer may have finished an overlapping shard meanwhile
    const now = await overlappingShards(store, range);
    const conflict = now.find((other) => !contains(range, other));
    if (conflict) throw new ShardConflictError(range, `shard ${shardName(conflict)} was finished meanwhile and overlaps it; write it again`);
    const replaced = now.filter((other) => contains(range, other));
    for (const other of replaced) await store.remove(manifestKey(other));
    for (const file of finished) await file.staged.publish();
    await store.writeBytes(manifestKey(range), encodeJson(manifest));
    const ours = new Set(finished.map((f) => f.key));
    for (const other of replaced) {
      for (const table of ["ttp_events", "ledgers"] as const) if (!ours.has(tableKey(table, other))) await store.remove(tableKey(table, other));
    }
    return { kind: "written", manifest, replaced: replaced.filter((r) => shardName(r) !== shardName(range)) };
  } catch (error) {
    for (const file of finished) await file.staged.discard().catch(() => undefined);
    if (error instanceof ShardError) throw error;
    throw new ShardError(range, `cannot commit it to ${store.location}: ${messageOf(error)}`, { cause: error });
  }
}
