// `bun run query`: one SQL statement over a sink's database file, opened read-only (statements that
// write are refused), its result as text.
import { DuckDBInstance, type DuckDBResultReader } from "@duckdb/node-api";
import { openDatabase } from "../duckdb/open-database.ts";
import { lockConflictOf } from "../duckdb/lock-conflict.ts";
import { createDatasetViews, readDatasetSnapshot } from "../dataset/dataset-views.ts";
import { SinkBusyError } from "../ledger-sink.ts";
import { valueText } from "./result-values.ts";
import type { QueryResultText } from "./render-result.ts";

/**
 * The result of `sql` over the database file at `path`, each value as text; throws DuckDB's error,
 * or a SinkBusyError naming the process that holds the file for writing.
 */
export async function queryDatabaseFile(path: string, sql: string): Promise<QueryResultText> {
  const { instance, connection } = await openReadOnly(path);
  try {
    return resultText(await connection.runAndReadAll(sql));
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
export async function queryDataset(dataset: string, db: string | null, sql: string): Promise<QueryResultText> {
  const snapshot = await readDatasetSnapshot(dataset);
  const { instance, connection } = db === null ? await inMemory() : await openReadOnly(db);
  try {
    await createDatasetViews(connection, snapshot, db !== null);
    return resultText(await connection.runAndReadAll(sql));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function openReadOnly(path: string) {
  try {
    return await openDatabase(path, { readOnly: true });
  } catch (error) {
    const conflict = lockConflictOf(error);
    if (conflict) throw new SinkBusyError(`${path} is open for writing in ${conflict.holder}`, conflict.holder, { cause: error, pid: conflict.pid });
    throw error;
  }
}

function resultText(reader: DuckDBResultReader): QueryResultText {
  const types = reader.columnTypes();
  return {
    columns: reader.columnNames().map((name, c) => ({ name, type: types[c]!.toString() })),
    rows: reader.getRows().map((row) => row.map((value, c) => valueText(value, types[c]!))),
    truncated: false,
  };
}

async function inMemory() {
  const instance = await DuckDBInstance.create(":memory:");
  return { instance, connection: await instance.connect() };
}
