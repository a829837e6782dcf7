// Where a dataset keeps things: per shard, `ttp_events/<name>.parquet`, `ledgers/<name>.parquet` and
// `manifests/<name>.json`, plus `dataset.json` (network, schema version). The name is the shard's
// range, zero-padded so that names sort as ledgers do: writing a shard again replaces its files. Pure.
import type { ShardRange } from "./shard-plan.ts";

export const DATASET_FILE = "dataset.json";
export const TABLES = ["ttp_events", "ledgers"] as const;
export type DatasetTable = (typeof TABLES)[number];
export const MANIFESTS = "manifests";
/** A start the operator asked a dataset sink for that no shard has begun yet (see LedgerSink.startOver). */
export const START_FILE = "start.json";
/** Entries a dataset's root may hold (the folder store's staging area included). */
export const DATASET_ENTRIES: readonly string[] = [DATASET_FILE, START_FILE, MANIFESTS, ...TABLES, ".staging"];

const pad = (n: number) => String(n).padStart(10, "0");

/** e.g. 0030822015-0030822025 */
export function shardName(range: ShardRange): string {
  return `${pad(range.start)}-${pad(range.end)}`;
}

/** The range a shard name stands for, or null when `name` is not one. */
export function parseShardName(name: string): ShardRange | null {
  const match = /^(\d{10})-(\d{10})$/.exec(name);
  if (!match) return null;
  const range = { start: Number(match[1]), end: Number(match[2]) };
  return range.start <= range.end ? range : null;
}

export function tableKey(table: DatasetTable, range: ShardRange): string {
  return `${table}/${shardName(range)}.parquet`;
}

export function manifestKey(range: ShardRange): string {
  return `${MANIFESTS}/${shardName(range)}.json`;
}

/** The shard range of a manifest key, or null for anything else. */
export function rangeOfManifestKey(key: string): ShardRange | null {
  const match = /^manifests\/([^/]+)\.json$/.exec(key);
  return match ? parseShardName(match[1]!) : null;
}

/** The table and shard range of a data file key, or null for anything else. */
export function parseTableKey(key: string): { table: DatasetTable; range: ShardRange } | null {
  const match = /^(ttp_events|ledgers)\/([^/]+)\.parquet$/.exec(key);
  const range = match ? parseShardName(match[2]!) : null;
  return range ? { table: match![1] as DatasetTable, range } : null;
}
