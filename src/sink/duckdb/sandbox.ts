// DuckDB's own sandbox, applied once an instance is set up: from then on DuckDB itself refuses any
// file but the database's own (its file, WAL and temp directory, which DuckDB always allows) and
// the ones listed here, refuses to install or load extensions, and refuses any change of setting.
import { resolve } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { sqlString } from "./sql-string.ts";

export interface DatabaseSandbox {
  /** Directories the instance may read and write, with everything under them (e.g. the download directory). */
  readonly allowedDirectories: readonly string[];
  /** Single files the instance may read and write (e.g. the --export-json file). */
  readonly allowedPaths: readonly string[];
  /**
   * Connections for clients' SQL, set up before the lock (a locked configuration refuses even a
   * connection's own SET afterwards). Default 0.
   */
  readonly queryConnections?: number;
  /** Runs on each query connection before the lock (e.g. the views over a dataset: ../dataset/dataset-views.ts). */
  readonly prepareQueryConnection?: (connection: DuckDBConnection) => Promise<void>;
}

/**
 * streaming_buffer_size of the query connections. DuckDB counts a chunk's vectors, not its string
 * data, against it, so at its default (976 KiB) a streaming result of wide strings ran ~30 chunks
 * ahead of its reader: `SELECT repeat('x', 100000) FROM range(100000)` held 6.4 GB before the first
 * chunk was read; at 32 KB, about one chunk (2,048 rows, 290 MB there).
 */
const QUERY_STREAM_BUFFER = "32KB";

/**
 * Locks `instance` down (see the top of this file) through `connection`; answers the query
 * connections asked for, opened and configured before the lock.
 */
export async function lockDown(instance: DuckDBInstance, connection: DuckDBConnection, sandbox: DatabaseSandbox): Promise<DuckDBConnection[]> {
  const queryConnections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < (sandbox.queryConnections ?? 0); i++) {
      const query = await instance.connect();
      queryConnections.push(query);
      await query.run(`SET streaming_buffer_size = '${QUERY_STREAM_BUFFER}'`);
      await sandbox.prepareQueryConnection?.(query);
    }
    const directories = sandbox.allowedDirectories.map((dir) => `${resolve(dir)}/`);
    const paths = sandbox.allowedPaths.map((path) => resolve(path));
    if (directories.length > 0) await connection.run(`SET allowed_directories = ${sqlList(directories)}`);
    if (paths.length > 0) await connection.run(`SET allowed_paths = ${sqlList(paths)}`);
    await connection.run("SET enable_external_access = false");
    await connection.run("SET autoinstall_known_extensions = false");
    await connection.run("SET autoload_known_extensions = false");
    await connection.run("SET lock_configuration = true");
  } catch (error) {
    for (const query of queryConnections) query.closeSync();
    throw error;
  }
  return queryConnections;
}

/**
 * The files DuckDB writes for `COPY ... TO file`: the file, and `tmp_<name>` beside it, which it
 * writes first and renames when the file exists already.
 */
export function copyTargets(file: string): string[] {
  const absolute = resolve(file);
  const slash = absolute.lastIndexOf("/");
  return [absolute, `${absolute.slice(0, slash + 1)}tmp_${absolute.slice(slash + 1)}`];
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(", ")}]`;
}
