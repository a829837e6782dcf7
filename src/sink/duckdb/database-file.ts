// A new sink database file is never seen half made: it is created under a temporary name with its
// tables (and the start the run was asked for) committed and checkpointed, then renamed into place.
// A run killed at any point leaves either no file or one that knows where the run began.
import { existsSync, renameSync, rmSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbErrorLine } from "./duckdb-error.ts";
import { openDatabase } from "./open-database.ts";
import { createSchema } from "./schema.ts";

/** Makes `path` with the sink's tables (and a start asked for) under a temporary name, then renames it into place. */
export async function createDatabaseFile(path: string, config: Readonly<Record<string, string>>, startOver: { readonly at: number | null } | null): Promise<void> {
  const temporary = `${path}.creating-${process.pid}`;
  let opened;
  try {
    opened = await openDatabase(temporary, { config });
  } catch (error) {
    throw new Error(`Cannot open DuckDB database ${path}: ${duckdbErrorLine(error)}`, { cause: error });
  }
  const { instance, connection } = opened;
  try {
    await connection.run("BEGIN TRANSACTION");
    await createSchema(connection);
    if (startOver) await recordStart(connection, startOver.at);
    await connection.run("COMMIT");
    await connection.run("CHECKPOINT"); // everything in the file itself, no WAL to carry along
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    rmSync(temporary, { force: true });
    rmSync(`${temporary}.wal`, { force: true });
    throw new Error(`Cannot create DuckDB database ${path}: ${duckdbErrorLine(error)}`, { cause: error });
  }
  connection.closeSync();
  instance.closeSync();
  rmSync(`${temporary}.tmp`, { recursive: true, force: true }); // DuckDB's spill folder, if it made one
  if (existsSync(`${temporary}.wal`)) renameSync(`${temporary}.wal`, `${path}.wal`);
  renameSync(temporary, path);
}

/** Records the operator's start (null: the upstream's first ledger) in sink_start. */
export async function recordStart(connection: DuckDBConnection, at: number | null): Promise<void> {
  await connection.run("INSERT OR REPLACE INTO sink_start VALUES (1, $1)", [at]);
}

