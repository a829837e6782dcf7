// Which shards of a plan are still to write: a shard whose every ledger finished shards already hold
// (whatever their sizes) is done; the rest are written (runShard cuts or replaces where they overlap).
import type { DatasetStore } from "./dataset-store.ts";
import { MANIFESTS, rangeOfManifestKey } from "./dataset-layout.ts";
import { overlaps, type ShardRange } from "./shard-plan.ts";

/** Whether `ranges` together hold every ledger of `shard`. */
export function covered(shard: ShardRange, ranges: readonly ShardRange[]): boolean {
  let next = shard.start;
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    if (range.start > next) return false;
    next = Math.max(next, range.end + 1);
    if (next > shard.end) return true;
  }
  return false;
}

export async function pendingShards(store: DatasetStore, shards: readonly ShardRange[]): Promise<{ pending: ShardRange[]; done: ShardRange[] }> {
  const finished = (await store.list(`${MANIFESTS}/`)).map(rangeOfManifestKey).filter((r): r is ShardRange => r !== null);
  const pending: ShardRange[] = [];
  const done: ShardRange[] = [];
  for (const shard of shards) (covered(shard, finished.filter((other) => overlaps(other, shard))) ? done : pending).push(shard);
  return { pending, done };
}
