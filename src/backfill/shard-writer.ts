// One shard's files as they are written: the `ttp_events` and `ledgers` rows of consecutive ledgers
// into two staged Parquet files, with the chain's ends and the counts its manifest records; then the
// commit that makes it a shard of the dataset (commitShard). The shard runner (one planned shard from
// a lake) and the dataset sink (whatever a pipeline commits) both write through it.
import type { RecordBatch } from "apache-arrow";
import type { ProcessedBatch } from "../arrow/processed-batch.ts";
import { ttpEventSchema } from "../arrow/event-batch.ts";
import { ledgerSummarySchema } from "../arrow/ledger-summary-batch.ts";
import type { DatasetStore } from "./dataset-store.ts";
import { manifestKey, MANIFESTS, rangeOfManifestKey, shardName, tableKey, type DatasetTable } from "./dataset-layout.ts";
import { encodeJson, MANIFEST_FORMAT, SCHEMA_VERSION, type ShardManifest } from "./manifest.ts";
import { contains, describeRange, overlaps, type ShardRange } from "./shard-plan.ts";
import { StagedParquetFile, type FinishedFile } from "./staged-parquet-file.ts";
import { messageOf } from "../common/message-of.ts";

export const DEFAULT_ROW_GROUP_ROWS = 100_000;

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

/** A shard's files, complete and still staged, with what its manifest says of them. */
export interface FinishedShard {
  readonly range: ShardRange;
  readonly ledgers: number;
  readonly events: number;
  readonly firstPreviousHash: string;
  readonly lastHash: string;
  /** ttp_events, then ledgers. */
  readonly files: readonly FinishedFile[];
}

function describeEventRow(batch: RecordBatch, row: number): string {
  return `ledger ${String(batch.getChild("ledger_sequence")?.get(row))}, event ${String(batch.getChild("event_index")?.get(row))}`;
}

export class ShardWriter {
  #first: { sequence: number; previousHash: string } | null = null;
  #last: { sequence: number; hash: string } | null = null;
  #ledgers = 0;
  #events = 0;

  private constructor(
    private readonly events: StagedParquetFile,
    private readonly ledgerRows: StagedParquetFile,
  ) {}

  /**
   * Staged files for a shard; `provisional` names them while they are written (the commit may
   * publish them under the range actually written).
   */
  static async open(store: DatasetStore, provisional: ShardRange, options: { rowGroupRows?: number } = {}): Promise<ShardWriter> {
    const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
    const events = await StagedParquetFile.open(store, tableKey("ttp_events", provisional), {
      schema: ttpEventSchema,
      sortedBy: ["ledger_sequence", "event_index"],
      rowGroupRows,
      describeRow: describeEventRow,
    });
    try {
      return new ShardWriter(events, await StagedParquetFile.open(store, tableKey("ledgers", provisional), { schema: ledgerSummarySchema, sortedBy: ["sequence"], rowGroupRows }));
    } catch (error) {
      await events.discard();
      throw error;
    }
  }

  get ledgers(): number {
    return this.#ledgers;
  }

  get eventCount(): number {
    return this.#events;
  }

  /** The ledgers written so far, or null before the first. */
  get range(): ShardRange | null {
    return this.#first && this.#last ? { start: this.#first.sequence, end: this.#last.sequence } : null;
  }

  /** The last ledger written and its hash, or null before the first. */
  get last(): { sequence: number; hash: string } | null {
    return this.#last;
  }

  /** Appends consecutive ledgers' rows (the caller checks the chain: LedgerContinuity). */
  async write(batch: Pick<ProcessedBatch, "ledgers" | "events">): Promise<void> {
    const { ledgers } = batch;
    if (ledgers.numRows === 0) return;
    await this.ledgerRows.write(ledgers);
    await this.events.write(batch.events);
    const sequences = ledgers.getChild("sequence")!;
    const last = ledgers.numRows - 1;
    this.#first ??= { sequence: sequences.get(0) as number, previousHash: ledgers.getChild("previous_hash")!.get(0) as string };
    this.#last = { sequence: sequences.get(last) as number, hash: ledgers.getChild("hash")!.get(last) as string };
    this.#ledgers += ledgers.numRows;
    this.#events += batch.events.numRows;
  }

  /** Completes both files (footers, fsync); they stay staged until commitShard publishes them. */
  async finish(): Promise<FinishedShard> {
    if (!this.#first || !this.#last) throw new Error("a shard needs at least one ledger");
    const files = [await this.events.finish(), await this.ledgerRows.finish()];
    return {
      range: { start: this.#first.sequence, end: this.#last.sequence },
      ledgers: this.#ledgers,
      events: this.#events,
      firstPreviousHash: this.#first.previousHash,
      lastHash: this.#last.hash,
      files,
    };
  }

  /** Removes the staged files (after a failure). */
  async discard(): Promise<void> {
    for (const file of [this.events, this.ledgerRows]) await file.discard().catch(() => undefined);
  }
}

/** Finished shards overlapping `shard`: their ranges, by their manifest keys. */
export async function overlappingShards(store: DatasetStore, shard: ShardRange): Promise<ShardRange[]> {
  const keys = await store.list(`${MANIFESTS}/`);
  return keys.map(rangeOfManifestKey).filter((r): r is ShardRange => r !== null && overlaps(r, shard));
}

export interface CommittedShard {
  readonly manifest: ShardManifest;
  /** Finished shards inside it that it replaced (not counting itself written again). */
  readonly replaced: readonly ShardRange[];
}

/**
 * Makes a finished shard part of the dataset: its files published under its range's names, its
 * manifest written (the shard is done once that exists), then the manifests and files of the shards
 * it contains removed. A finished shard that overlaps it and sticks out of it is
 * a conflict (ShardConflictError), decided before anything changes. A failure leaves no manifest for
 * a partial shard.
 */
export async function commitShard(store: DatasetStore, shard: FinishedShard, options: { network: string; now?: () => Date }): Promise<CommittedShard> {
  const { range } = shard;
  const keys: Record<DatasetTable, string> = { ttp_events: tableKey("ttp_events", range), ledgers: tableKey("ledgers", range) };
  const manifest: ShardManifest = {
    format: MANIFEST_FORMAT,
    schemaVersion: SCHEMA_VERSION,
    network: options.network,
    start: range.start,
    end: range.end,
    ledgers: shard.ledgers,
    rows: { ttp_events: shard.events, ledgers: shard.ledgers },
    firstPreviousHash: shard.firstPreviousHash,
    lastHash: shard.lastHash,
    files: (["ttp_events", "ledgers"] as const).map((table, i) => {
      const file = shard.files[i]!;
      return { table, key: keys[table], rows: file.rows, bytes: file.bytes, sha256: file.sha256 };
    }),
    writtenAt: (options.now?.() ?? new Date()).toISOString(),
  };
  try {
    const now = await overlappingShards(store, range);
    const conflict = now.find((other) => !contains(range, other));
    if (conflict) throw new ShardConflictError(range, `shard ${shardName(conflict)} was finished meanwhile and overlaps it; write it again`);
    const replaced = now.filter((other) => contains(range, other));
    for (const [i, table] of (["ttp_events", "ledgers"] as const).entries()) await shard.files[i]!.staged.publish(keys[table]);
    await store.writeBytes(manifestKey(range), encodeJson(manifest));
    // only now the shards it contains go: until its manifest exists they are the data (readers leave
    // out a manifest another contains, so a crash from here on counts no row twice)
    const ours = new Set([manifestKey(range), ...Object.values(keys)]);
    for (const other of replaced) {
      for (const key of [manifestKey(other), tableKey("ttp_events", other), tableKey("ledgers", other)]) if (!ours.has(key)) await store.remove(key);
    }
    return { manifest, replaced: replaced.filter((r) => shardName(r) !== shardName(range)) };
  } catch (error) {
    for (const file of shard.files) await file.staged.discard().catch(() => undefined);
    if (error instanceof ShardError) throw error;
    throw new ShardError(range, `cannot commit it to ${store.location}: ${messageOf(error)}`, { cause: error });
  }
}
