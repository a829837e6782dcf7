// Writes one shard of a dataset: reads its ledgers from a LedgerSource (validated and chained as the
// pipeline reads them), processes them into `ledgers` and `ttp_events` rows, writes both as Parquet
// to staging files, then commits: manifests of the shards it replaces removed, files published under
// their deterministic names, its manifest written last, replaced shards' other files removed.
// A failure before the commit leaves the dataset as it was; one during it leaves no manifest for a
// partial shard (the shard is not done, and is written again).
import type { BatchProcessor } from "../processor/batch-processor.ts";
import { processLedgers } from "../stages/processor-loop.ts";
import { readLedgers } from "../stages/source-loop.ts";
import { LedgerContinuity } from "../sink/ledger-continuity.ts";
import type { LedgerSource } from "../source/ledger-source.ts";
import { ensureDataset } from "./dataset-descriptor.ts";
import type { DatasetStore } from "./dataset-store.ts";
import { shardName } from "./dataset-layout.ts";
import { previousShardHash } from "./dataset-manifests.ts";
import type { ShardManifest } from "./manifest.ts";
import { contains, overlaps, type ShardRange } from "./shard-plan.ts";
import { commitShard, overlappingShards, ShardError, ShardWriter, type FinishedShard } from "./shard-writer.ts";
import { messageOf } from "../common/message-of.ts";

export { DEFAULT_ROW_GROUP_ROWS, ShardConflictError, ShardError } from "./shard-writer.ts";

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

export async function runShard(options: RunShardOptions): Promise<ShardResult> {
  const { store, source, shard } = options;
  const network = source.networkPassphrase;
  await ensureDataset(store, network);
  await store.sweepStaged(); // what writers killed on this host left staged
  const before = await overlappingShards(store, shard);
  const range = rangeToWrite(shard, before);
  if (range === null) return { kind: "covered", by: before };
  const expectedPreviousHash = (await previousShardHash(store, range.start)) ?? undefined;

  let writer: ShardWriter | null = null;
  let finished: FinishedShard;
  try {
    writer = await ShardWriter.open(store, range, { rowGroupRows: options.rowGroupRows });
    const continuity = new LedgerContinuity(
      { cursor: range.start - 1, next: range.start, previousHash: expectedPreviousHash ?? null, startPending: false },
      { sink: `shard ${shardName(range)}`, hint: (expected) => `The lake does not continue the shard at ledger ${expected}: is it the dataset's network and history?` },
    );
    // the pipeline's source and processor loops: a ledger that fails comes with the rows before it, then is thrown
    const batches = processLedgers(readLedgers(source, range, { signal: options.signal, expectedPreviousHash }), options.processor, { signal: options.signal });
    for await (const processed of batches) {
      if (processed.ledgers.numRows > 0) {
        continuity.check(processed.ledgers);
        await writer.write(processed);
        options.onProgress?.({ shard: range, ledgers: writer.ledgers, events: writer.eventCount, lastLedger: processed.lastLedger });
      }
    }
    const expected = range.end - range.start + 1;
    if (writer.ledgers !== expected) throw new Error(`the source ended after ${writer.ledgers} of ${expected} ledgers`);
    finished = await writer.finish();
  } catch (error) {
    await writer?.discard();
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ShardError(range, messageOf(error), { cause: error });
  }
  // another writer may have finished an overlapping shard meanwhile: commitShard refuses then
  const { manifest, replaced } = await commitShard(store, finished, { network, now: options.now });
  return { kind: "written", manifest, replaced };
}
