// A LedgerSink that writes a backfill dataset (../../backfill): what a pipeline commits becomes
// shards of `shardSize` ledgers, aligned as `bun run backfill` aligns them (block k holds
// k*size .. k*size+size-1). A shard's rows are staged as they come and the shard is committed
// (published, manifest written last) when its block is full, when the sink loop's batches end
// (flush) and at close: the shard is this sink's unit of durability. The cursor is the highest
// manifest's last ledger; a crash loses only the open shard's staged rows, which a resumed run
// reads again, and never leaves half a shard.
import type { ProcessedBatch } from "../../arrow/processed-batch.ts";
import { ensureDataset, networkLabel } from "../../backfill/dataset-descriptor.ts";
import { DATASET_FILE, START_FILE } from "../../backfill/dataset-layout.ts";
import { highestShard, previousShardHash } from "../../backfill/dataset-manifests.ts";
import type { DatasetStore } from "../../backfill/dataset-store.ts";
import { parseDescriptor, SCHEMA_VERSION } from "../../backfill/manifest.ts";
import { DEFAULT_SHARD_SIZE, type ShardRange } from "../../backfill/shard-plan.ts";
import { commitShard, ShardWriter } from "../../backfill/shard-writer.ts";
import { messageOf } from "../../common/message-of.ts";
import { SinkWriteError, type LedgerSink, type ResumePoint, type SinkCursor } from "../ledger-sink.ts";

export interface DatasetSinkOptions {
  /** The network of the ledgers to come (the run's source): a dataset of another is refused. Absent: the dataset's own (dataset.json). */
  readonly network?: string | null;
  /** Ledgers per shard (default 10,000, as `bun run backfill`). */
  readonly shardSize?: number;
  readonly rowGroupRows?: number;
  readonly now?: () => Date;
  /** How messages name the dataset's location (default --db). */
  readonly flag?: string;
}

/** The part of `batch` whose ledgers lie in `range` (the batch's ledgers are consecutive, its events in ledger order). */
export function sliceBatch(batch: ProcessedBatch, range: ShardRange): ProcessedBatch {
  const first = Math.max(range.start, batch.firstLedger);
  const last = Math.min(range.end, batch.lastLedger);
  if (first === batch.firstLedger && last === batch.lastLedger) return batch;
  const ledgers = batch.ledgers.slice(first - batch.firstLedger, last - batch.firstLedger + 1);
  const sequences = batch.events.getChild("ledger_sequence")!;
  let from = 0;
  while (from < batch.events.numRows && (sequences.get(from) as number) < first) from++;
  let to = from;
  while (to < batch.events.numRows && (sequences.get(to) as number) <= last) to++;
  return { ledgers, events: batch.events.slice(from, to), firstLedger: first, lastLedger: last };
}

export class DatasetSink implements LedgerSink {
  readonly description: string;
  readonly #shardSize: number;
  #network: string | null;
  /** The open shard: its writer and the block it fills. */
  #open: { writer: ShardWriter; block: ShardRange } | null = null;
  /** This sink wrote the dataset's dataset.json. */
  #created: boolean;

  private constructor(
    private readonly store: DatasetStore,
    network: string | null,
    created: boolean,
    private readonly options: DatasetSinkOptions,
  ) {
    this.description = `dataset ${store.location}`;
    this.#network = network;
    this.#created = created;
    this.#shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
    if (!Number.isSafeInteger(this.#shardSize) || this.#shardSize < 1) throw new RangeError(`shard size must be at least 1, got ${this.#shardSize}`);
  }

  /** Opens the dataset in `store` (made when it is new and the network is known). Throws DatasetMismatchError for another network's. */
  static async open(store: DatasetStore, options: DatasetSinkOptions = {}): Promise<DatasetSink> {
    const existing = await store.read(DATASET_FILE);
    let network: string | null = existing ? parseDescriptor(existing, store.describe(DATASET_FILE)).network : null;
    if (options.network) network = (await ensureDataset(store, options.network, SCHEMA_VERSION, options.flag ?? "--db")).network;
    await store.sweepStaged();
    return new DatasetSink(store, network, existing === null && network !== null, options);
  }

  get location(): string {
    return this.store.location;
  }

  async cursor(): Promise<SinkCursor | null> {
    const highest = await highestShard(this.store);
    return highest ? { sequence: highest.end, hash: highest.lastHash } : null;
  }

  async #pendingStart(): Promise<{ at: number | null } | null> {
    const bytes = await this.store.read(START_FILE);
    if (!bytes) return null;
    let at: unknown;
    try {
      at = (JSON.parse(new TextDecoder().decode(bytes)) as { at?: unknown } | null)?.at;
    } catch (error) {
      throw new Error(`${this.store.describe(START_FILE)} is not the start a run asked for (${messageOf(error)}): remove it, and give --start again`, { cause: error });
    }
    return { at: typeof at === "number" && Number.isSafeInteger(at) ? at : null };
  }

  async resumePoint(): Promise<ResumePoint> {
    const cursor = await this.cursor();
    const start = await this.#pendingStart();
    if (start) {
      const previousHash = start.at === null ? null : await previousShardHash(this.store, start.at);
      return { cursor: cursor?.sequence ?? null, next: start.at, previousHash, startPending: true };
    }
    return cursor ? { cursor: cursor.sequence, next: cursor.sequence + 1, previousHash: cursor.hash, startPending: false } : { cursor: null, next: null, previousHash: null, startPending: false };
  }

  async startOver(at: number | null): Promise<void> {
    await this.store.writeBytes(START_FILE, new TextEncoder().encode(`${JSON.stringify({ at })}\n`));
  }

  write(batch: ProcessedBatch): Promise<void> {
    return this.writeMany([batch]);
  }

  async writeMany(batches: readonly ProcessedBatch[]): Promise<void> {
    try {
      for (const batch of batches) {
        if (batch.ledgers.numRows === 0) continue; // no ledger: nothing to place in a shard
        let next = batch.firstLedger;
        while (next <= batch.lastLedger) {
          const open = await this.#shardFor(next);
          const piece = sliceBatch(batch, open.block);
          await open.writer.write(piece);
          next = piece.lastLedger + 1;
          if (piece.lastLedger === open.block.end) await this.#commit();
        }
      }
    } catch (error) {
      await this.#discard();
      if (error instanceof SinkWriteError) throw error;
      throw new SinkWriteError(`${this.description}: ${messageOf(error)}`, `The shard being written was dropped; what ${this.description} holds is its manifests' (run again without --start to resume).`, { cause: error });
    }
  }

  /** The open shard, or a new one for the block of `ledger`. */
  async #shardFor(ledger: number): Promise<{ writer: ShardWriter; block: ShardRange }> {
    if (this.#open) return this.#open;
    if (this.#network === null) {
      throw new SinkWriteError(`${this.description} has no dataset.json and was not told the network of its ledgers`, "Open it with the run's network, or start it with `bun run backfill`.", { cause: null });
    }
    const blockStart = Math.floor(ledger / this.#shardSize) * this.#shardSize;
    const block = { start: ledger, end: blockStart + this.#shardSize - 1 };
    this.#open = { writer: await ShardWriter.open(this.store, block, { rowGroupRows: this.options.rowGroupRows }), block };
    return this.#open;
  }

  async #commit(): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = null;
    if (open.writer.ledgers === 0) return void (await open.writer.discard());
    let finished;
    try {
      finished = await open.writer.finish();
    } catch (error) {
      await open.writer.discard();
      throw error;
    }
    await commitShard(this.store, finished, { network: this.#network!, now: this.options.now });
    await this.store.remove(START_FILE); // a shard has begun where the start asked
  }

  async #discard(): Promise<void> {
    const open = this.#open;
    this.#open = null;
    await open?.writer.discard();
  }

  /** Commits the open shard, as far as it got. */
  async flush(): Promise<void> {
    try {
      await this.#commit();
    } catch (error) {
      throw new SinkWriteError(`${this.description}: ${messageOf(error)}`, null, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /**
   * Closes; a dataset this sink made and nothing was committed to (no manifest) is removed again
   * (its dataset.json and pending start). Answers whether it was.
   */
  async closeAndRemoveIfUnused(): Promise<boolean> {
    await this.close();
    if (!this.#created || (await this.cursor()) !== null) return false;
    const others = (await this.store.list("")).filter((key) => key !== DATASET_FILE && key !== START_FILE);
    if (others.length > 0) return false;
    await this.store.remove(START_FILE);
    await this.store.remove(DATASET_FILE);
    return true;
  }

  /** The network of the dataset's ledgers, for messages ("pubnet"). */
  get networkName(): string | null {
    return this.#network === null ? null : networkLabel(this.#network);
  }
}
