// `backfill verify`: every shard's files match its manifest (present, size, SHA-256), manifests agree
// with the dataset (network, schema version), the hash chain holds across shard boundaries (shard k's
// first previous hash = shard k-1's last hash), and gaps, overlaps and files no manifest lists are named.
import type { DatasetStore } from "./dataset-store.ts";
import { DATASET_FILE, MANIFESTS, parseTableKey, rangeOfManifestKey, shardName } from "./dataset-layout.ts";
import { parseDescriptor, parseManifest, type DatasetDescriptor, type ShardManifest } from "./manifest.ts";
import { describeRange, type ShardRange } from "./shard-plan.ts";
import { messageOf } from "../common/message-of.ts";

export interface DatasetReport {
  readonly location: string;
  readonly descriptor: DatasetDescriptor | null;
  /** Manifests that parse, in ledger order. */
  readonly shards: readonly ShardManifest[];
  readonly ledgers: number;
  readonly events: number;
  /** Ledgers between the first and the last shard that no shard holds. */
  readonly gaps: readonly ShardRange[];
  /** Ledgers that two shards hold, with the two shards. */
  readonly overlaps: readonly { readonly range: ShardRange; readonly shards: readonly [string, string] }[];
  /** One line per problem: a file missing or not as its manifest says, a broken chain, a bad manifest. */
  readonly problems: readonly string[];
  /** Data files that no manifest lists (a shard being written, or left by a crash). */
  readonly unlisted: readonly string[];
  readonly ok: boolean;
}

async function sha256Of(stream: ReadableStream<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hash = new Bun.CryptoHasher("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

export async function verifyDataset(store: DatasetStore, options: { checksums?: boolean } = {}): Promise<DatasetReport> {
  const checksums = options.checksums ?? true;
  const problems: string[] = [];
  let descriptor: DatasetDescriptor | null = null;
  const descriptorBytes = await store.read(DATASET_FILE);
  if (!descriptorBytes) problems.push(`${store.describe(DATASET_FILE)} is missing: ${store.location} is not a dataset (or not one yet)`);
  else {
    try {
      descriptor = parseDescriptor(descriptorBytes, store.describe(DATASET_FILE));
    } catch (error) {
      problems.push(messageOf(error));
    }
  }
  const keys = await store.list("");
  const shards: ShardManifest[] = [];
  for (const key of keys.filter((k) => k.startsWith(`${MANIFESTS}/`))) {
    const where = store.describe(key);
    const range = rangeOfManifestKey(key);
    if (!range) {
      problems.push(`${where} is not named as a shard's manifest`);
      continue;
    }
    try {
      const manifest = parseManifest((await store.read(key))!, where);
      if (manifest.start !== range.start || manifest.end !== range.end) throw new Error(`${where} describes ledgers ${manifest.start}-${manifest.end}, not those of its name`);
      if (descriptor && (manifest.network !== descriptor.network || manifest.schemaVersion !== descriptor.schemaVersion)) {
        throw new Error(`${where} is of another network or schema version than ${store.describe(DATASET_FILE)}`);
      }
      shards.push(manifest);
    } catch (error) {
      problems.push(messageOf(error));
    }
  }
  shards.sort((a, b) => a.start - b.start || a.end - b.end);

  const listed = new Set<string>();
  const present = new Set(keys);
  for (const shard of shards) {
    for (const file of shard.files) {
      listed.add(file.key);
      const where = `${store.describe(file.key)} (shard ${shardName(shard)})`;
      if (!present.has(file.key)) {
        problems.push(`${where} is missing`);
        continue;
      }
      if (!checksums) continue;
      const stream = await store.stream(file.key);
      if (!stream) {
        problems.push(`${where} is missing`);
        continue;
      }
      const actual = await sha256Of(stream);
      if (actual.bytes !== file.bytes) problems.push(`${where} has ${actual.bytes} bytes, its manifest says ${file.bytes}`);
      else if (actual.sha256 !== file.sha256) problems.push(`${where} has SHA-256 ${actual.sha256}, its manifest says ${file.sha256}`);
    }
  }

  const gaps: ShardRange[] = [];
  const overlaps: { range: ShardRange; shards: [string, string] }[] = [];
  const byEnd = new Map<number, ShardManifest[]>();
  for (const shard of shards) byEnd.set(shard.end, [...(byEnd.get(shard.end) ?? []), shard]);
  let reach: ShardManifest | null = null; // the shard reaching furthest so far
  for (const shard of shards) {
    if (reach && shard.start > reach.end + 1) gaps.push({ start: reach.end + 1, end: shard.start - 1 });
    else if (reach && shard.start <= reach.end) {
      overlaps.push({ range: { start: shard.start, end: Math.min(reach.end, shard.end) }, shards: [shardName(reach), shardName(shard)] });
    }
    for (const previous of byEnd.get(shard.start - 1) ?? []) {
      if (shard.firstPreviousHash === previous.lastHash) continue;
      problems.push(
        `the hash chain breaks between shards ${shardName(previous)} and ${shardName(shard)}: ledger ${shard.start}'s previous hash is ${shard.firstPreviousHash}, ledger ${previous.end}'s hash is ${previous.lastHash}`,
      );
    }
    if (!reach || shard.end > reach.end) reach = shard;
  }
  for (const overlap of overlaps) problems.push(`shards ${overlap.shards[0]} and ${overlap.shards[1]} both hold ${describeRange(overlap.range)}`);
  const unlisted = keys.filter((key) => parseTableKey(key) !== null && !listed.has(key));
  return {
    location: store.location,
    descriptor,
    shards,
    ledgers: shards.reduce((n, s) => n + s.ledgers, 0),
    events: shards.reduce((n, s) => n + s.rows.ttp_events, 0),
    gaps,
    overlaps,
    problems,
    unlisted,
    ok: problems.length === 0 && gaps.length === 0 && descriptor !== null,
  };
}
