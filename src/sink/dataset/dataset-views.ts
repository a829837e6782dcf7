// A backfill dataset read through DuckDB as the data contract's `ttp_events` and `ledgers`: temporary
// views over the files its manifests list (a file no manifest lists yet, being written or left by a
// crash, stays hidden), each column cast to the contract's type. With a live database beside it the
// views are the dataset's rows and the database's rows of every ledger the dataset does not hold:
// one table, no duplicate, no gap at the seam. Views are a connection's own (TEMP): each connection
// that reads gets them, the writer's never does.
import type { DuckDBConnection } from "@duckdb/node-api";
import { resolve } from "node:path";
import { TTP_EVENTS } from "../../arrow/event-batch.ts";
import { LEDGERS } from "../../arrow/ledger-summary-batch.ts";
import type { AnyTable } from "../../arrow/table.ts";
import { networkLabel } from "../../backfill/dataset-descriptor.ts";
import { DATASET_FILE, type DatasetTable } from "../../backfill/dataset-layout.ts";
import { readManifests } from "../../backfill/dataset-manifests.ts";
import { FolderDatasetStore } from "../../backfill/folder-dataset-store.ts";
import { parseDescriptor } from "../../backfill/manifest.ts";
import type { ShardRange } from "../../backfill/shard-plan.ts";
import { sqlString } from "../duckdb/sql-string.ts";
import type { ResumePoint } from "../ledger-sink.ts";

/** What a dataset shows a reader, read from its manifests once. */
export interface DatasetSnapshot {
  /** The dataset's folder, absolute. */
  readonly location: string;
  readonly network: string;
  /** Absolute paths of the files the manifests list, per table, in ledger order. */
  readonly files: Readonly<Record<DatasetTable, readonly string[]>>;
  /** The ledgers its shards hold, merged into runs. */
  readonly ranges: readonly ShardRange[];
  /** Its highest ledger and that ledger's hash; null for a dataset without shards. */
  readonly last: { readonly sequence: number; readonly hash: string } | null;
}

/** A dataset that cannot be read as asked; names it. */
export class DatasetReadError extends Error {
  override readonly name = "DatasetReadError";
}

const TABLE_OF: Record<DatasetTable, { table: AnyTable; key: string }> = {
  ttp_events: { table: TTP_EVENTS, key: "ledger_sequence" },
  ledgers: { table: LEDGERS, key: "sequence" },
};

/** Reads the manifests of the dataset in the folder `dir` (a dataset in S3: read it with DuckDB's httpfs yourself). */
export async function readDatasetSnapshot(dir: string): Promise<DatasetSnapshot> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) throw new DatasetReadError(`--dataset ${dir}: give the dataset's folder (an S3 dataset is read with DuckDB's httpfs and read_parquet('s3://.../ttp_events/*.parquet'))`);
  const location = resolve(dir);
  const store = new FolderDatasetStore(location);
  const descriptor = await store.read(DATASET_FILE);
  if (!descriptor) throw new DatasetReadError(`--dataset ${dir} holds no ${DATASET_FILE}: it is not a dataset (bun run backfill --out writes one)`);
  const network = parseDescriptor(descriptor, store.describe(DATASET_FILE)).network;
  const manifests = await readManifests(store);
  const foreign = manifests.find((m) => m.network !== network);
  if (foreign) throw new DatasetReadError(`--dataset ${dir}: shard ${foreign.start}-${foreign.end} is of another network (${foreign.network}) than its ${DATASET_FILE} (${network})`);
  const files: Record<DatasetTable, string[]> = { ttp_events: [], ledgers: [] };
  for (const manifest of manifests) for (const file of manifest.files) files[file.table].push(store.describe(file.key));
  const ranges: ShardRange[] = [];
  for (const m of manifests) {
    const last = ranges[ranges.length - 1];
    if (last && m.start <= last.end + 1) ranges[ranges.length - 1] = { start: last.start, end: Math.max(last.end, m.end) };
    else ranges.push({ start: m.start, end: m.end });
  }
  const top = manifests.reduce<(typeof manifests)[number] | null>((best, m) => (best === null || m.end > best.end ? m : best), null);
  return { location, network, files, ranges, last: top ? { sequence: top.end, hash: top.lastHash } : null };
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The view's SQL: the dataset's rows, and the live table's rows of ledgers the dataset does not hold. */
export function datasetViewSql(snapshot: DatasetSnapshot, name: DatasetTable, liveCatalog: string | null): string {
  const { table, key } = TABLE_OF[name];
  const columns = table.columns.map((c) => `CAST(${ident(c.name)} AS ${c.type.duckdb}) AS ${ident(c.name)}`).join(", ");
  const parts: string[] = [];
  const files = snapshot.files[name];
  if (files.length > 0) parts.push(`SELECT ${columns} FROM read_parquet([${files.map(sqlString).join(", ")}])`);
  if (liveCatalog !== null) {
    const held = snapshot.ranges.map((r) => `${ident(key)} BETWEEN ${r.start} AND ${r.end}`);
    parts.push(`SELECT ${columns} FROM ${ident(liveCatalog)}.main.${ident(name)}${held.length > 0 ? ` WHERE NOT (${held.join(" OR ")})` : ""}`);
  }
  if (parts.length === 0) parts.push(`SELECT ${columns} FROM (SELECT ${table.columns.map((c) => `NULL AS ${ident(c.name)}`).join(", ")}) WHERE false`);
  return `CREATE OR REPLACE TEMP VIEW ${ident(name)} AS ${parts.join(" UNION ALL ")}`;
}

/** `sink_cursor` of the union: the database's cursor, or the dataset's last ledger when that is higher (what the dashboard opens on). */
export function cursorViewSql(snapshot: DatasetSnapshot, liveCatalog: string): string {
  const last = snapshot.last?.sequence ?? null;
  const cursor = last === null ? "last_ledger" : `CAST(greatest(coalesce(last_ledger, 0), ${last}) AS UINTEGER)`;
  return `CREATE OR REPLACE TEMP VIEW sink_cursor AS SELECT id, ${cursor} AS last_ledger FROM ${ident(liveCatalog)}.main.sink_cursor`;
}

/** Creates the views on `connection`; `live`: over the database it is connected to as well. */
export async function createDatasetViews(connection: DuckDBConnection, snapshot: DatasetSnapshot, live: boolean): Promise<void> {
  const catalog = live ? String((await connection.runAndReadAll("SELECT current_database()")).getRows()[0]![0]) : null;
  for (const name of ["ttp_events", "ledgers"] as const) await connection.run(datasetViewSql(snapshot, name, catalog));
  if (catalog !== null) await connection.run(cursorViewSql(snapshot, catalog));
}

/**
 * Where a database that continues the dataset goes on when it holds nothing later than the dataset:
 * after the dataset's last ledger, chained to the hash its manifest records.
 */
export function continuationPoint(snapshot: DatasetSnapshot): ResumePoint | null {
  const last = snapshot.last;
  return last ? { cursor: last.sequence, next: last.sequence + 1, previousHash: last.hash, startPending: false } : null;
}

/** "dataset DIR (pubnet, ledgers 1-100, 101-200)" */
export function describeSnapshot(snapshot: DatasetSnapshot): string {
  const ranges = snapshot.ranges.length === 0 ? "no shards yet" : `ledgers ${snapshot.ranges.map((r) => `${r.start}-${r.end}`).join(", ")}`;
  return `dataset ${snapshot.location} (${networkLabel(snapshot.network)}, ${ranges})`;
}
