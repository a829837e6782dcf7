// `bun run query`: one SQL statement over a sink's database file, opened read-only (statements that
// write are refused), its result as text.
import type { DuckDBResultReader } from "@duckdb/node-api";
import { DuckDBInstance } from "@duckdb/node-api";
import { openDatabase } from "../duckdb/open-database.ts";
import { createDatasetViews, readDatasetSnapshot } from "../dataset/dataset-views.ts";
import { formatCsv } from "./format-csv.ts";
import { formatTable } from "./format-table.ts";
import { isNumericType, valueJson, valueText } from "./result-values.ts";

export const QUERY_FORMATS = ["table", "json", "csv"] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

function render(reader: DuckDBResultReader, format: QueryFormat): string {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const rows = reader.getRows();
  if (format === "json") {
    const objects = rows.map((row) => JSON.stringify(Object.fromEntries(names.map((name, c) => [name, valueJson(row[c]!, types[c]!)]))));
    return objects.length === 0 ? "[]" : `[\n${objects.join(",\n")}\n]`;
  }
  const texts = rows.map((row) => row.map((value, c) => valueText(value, types[c]!)));
  if (format === "csv") return formatCsv(names, texts);
  return formatTable({ columns: names.map((name, c) => ({ name, alignRight: isNumericType(types[c]!) })), rows: texts });
}

/** The result of `sql` over the database file at `path`, rendered as `format`; throws DuckDB's error. */
export async function queryDatabaseFile(path: string, sql: string, format: QueryFormat): Promise<string> {
  const { instance, connection } = await openDatabase(path, { readOnly: true });
  try {
    return render(await connection.runAndReadAll(sql), format);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The result of `sql` over a backfill dataset (`bun run query --dataset DIR`): `ttp_events` and
 * `ledgers` are views over the files its manifests list; with `db`, the database file's rows of the
 * ledgers the dataset does not hold as well, as one table.
 */
export async function queryDataset(dataset: string, db: string | null, sql: string, format: QueryFormat): Promise<string> {
  const snapshot = await readDatasetSnapshot(dataset);
  const { instance, connection } = db === null ? await inMemory() : await openDatabase(db, { readOnly: true });
  try {
    await createDatasetViews(connection, snapshot, db !== null);
    return render(await connection.runAndReadAll(sql), format);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function inMemory() {
  const instance = await DuckDBInstance.create(":memory:");
  return { instance, connection: await instance.connect() };
}
