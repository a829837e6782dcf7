// Reading a dataset's finished shards from their manifests: all of them (what readers may see), the
// one reaching furthest (where a sink continues), and the one ending just before a ledger (what a
// shard starting there must chain to).
import type { DatasetStore } from "./dataset-store.ts";
import { MANIFESTS, rangeOfManifestKey, tableKey } from "./dataset-layout.ts";
import { ManifestError, parseManifest, type ShardManifest } from "./manifest.ts";

/**
 * The manifests readers see, parsed, in ledger order. A manifest must be named by its own range and
 * list only its range's files (anything else throws ManifestError naming it: a manifest decides
 * which files are read). One that another contains is left out: a shard being replaced, whose
 * manifest the replacing shard removes just after writing its own (a crash may leave it). Two that
 * overlap otherwise are refused, naming both: their rows would count twice.
 */
export async function readManifests(store: DatasetStore): Promise<ShardManifest[]> {
  const manifests: ShardManifest[] = [];
  for (const key of await store.list(`${MANIFESTS}/`)) {
    const range = rangeOfManifestKey(key);
    if (!range) continue;
    const bytes = await store.read(key);
    if (!bytes) continue;
    const where = store.describe(key);
    const manifest = parseManifest(bytes, where);
    if (manifest.start !== range.start || manifest.end !== range.end) throw new ManifestError(`${where}: holds ledgers ${manifest.start}-${manifest.end}, not those of its name`);
    for (const file of manifest.files) {
      if (file.key !== tableKey(file.table, range)) throw new ManifestError(`${where}: lists ${JSON.stringify(file.key)} for ${file.table}, not ${tableKey(file.table, range)}`);
    }
    manifests.push(manifest);
  }
  manifests.sort((a, b) => a.start - b.start || b.end - a.end);
  const current: ShardManifest[] = [];
  for (const manifest of manifests) {
    const before = current[current.length - 1];
    if (before && manifest.end <= before.end) continue; // inside the one before: being replaced by it
    if (before && manifest.start <= before.end) throw new ManifestError(`shards ${before.start}-${before.end} and ${manifest.start}-${manifest.end} of ${store.location} overlap: run bun run backfill verify --out ${store.location}, and write the range again`);
    current.push(manifest);
  }
  return current;
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
