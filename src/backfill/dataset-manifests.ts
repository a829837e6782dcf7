// Reading a dataset's finished shards from their manifests: all of them (what readers may see), the
// one reaching furthest (where a sink continues), and the one ending just before a ledger (what a
// shard starting there must chain to).
import type { DatasetStore } from "./dataset-store.ts";
import { MANIFESTS, rangeOfManifestKey } from "./dataset-layout.ts";
import { parseManifest, type ShardManifest } from "./manifest.ts";

/** Every manifest of the dataset, parsed (a bad one throws ManifestError naming it), in ledger order. */
export async function readManifests(store: DatasetStore): Promise<ShardManifest[]> {
  const manifests: ShardManifest[] = [];
  for (const key of await store.list(`${MANIFESTS}/`)) {
    if (!rangeOfManifestKey(key)) continue;
    const bytes = await store.read(key);
    if (bytes) manifests.push(parseManifest(bytes, store.describe(key)));
  }
  return manifests.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The finished shard holding the highest ledger, or null for a dataset without one. */
export async function highestShard(store: DatasetStore): Promise<ShardManifest | null> {
  let best: { key: string; end: number } | null = null;
  for (const key of await store.list(`${MANIFESTS}/`)) {
    const range = rangeOfManifestKey(key);
    if (range && (!best || range.end > best.end)) best = { key, end: range.end };
  }
  if (!best) return null;
  const bytes = await store.read(best.key);
  return bytes ? parseManifest(bytes, store.describe(best.key)) : null;
}

/** The hash ledger `start`'s previous hash must equal: the last hash of a finished shard ending at `start - 1`; null when none does. */
export async function previousShardHash(store: DatasetStore, start: number): Promise<string | null> {
  if (start <= 1) return null;
  for (const key of await store.list(`${MANIFESTS}/`)) {
    if (rangeOfManifestKey(key)?.end !== start - 1) continue;
    const bytes = await store.read(key);
    if (bytes) return parseManifest(bytes, store.describe(key)).lastHash;
  }
  return null;
}
