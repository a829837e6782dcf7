// The sink's database opened to serve clients as well as to be written (`bun run sink`, `bun run
// pipeline`): the writer's settings first, then DuckDB's sandbox, which allows the database's own
// files, the exports the run writes, a download directory and any directory given, and nothing else.
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbSink, type DuckDbSinkOptions } from "../duckdb/duckdb-sink.ts";
import { copyTargets } from "../duckdb/sandbox.ts";
import { temporaryNameFor } from "../export/atomic-file.ts";
import { DOWNLOAD_PREFIX } from "./parquet-download.ts";
import type { ServiceDatabase } from "./service-database.ts";

export interface ServedSinkOptions {
  /** DuckDB settings of the writer (memory_limit, checkpoint_threshold, ...): decided before the lock. */
  readonly config?: DuckDbSinkOptions["config"];
  /** Files the run writes with `COPY ... TO` besides the database (its exports). */
  readonly exportFiles?: readonly string[];
  /** Further directories DuckDB may read and write (e.g. a Parquet dataset that views read). */
  readonly allowedDirectories?: readonly string[];
  /** Runs on every connection the services read through (query connections before the lock), never on the writer's. */
  readonly prepareConnection?: (connection: DuckDBConnection) => Promise<void>;
  /** Queries the services run at once: one query connection each. */
  readonly queryConcurrency: number;
  /** The operator's explicit start, recorded with the tables (see DuckDbSink.open). */
  readonly startOver?: DuckDbSinkOptions["startOver"];
}

export interface ServedSink {
  readonly sink: DuckDbSink;
  readonly services: ServiceDatabase;
  /**
   * Closes the sink and removes the download directory; with removeIfUnused, also the database file
   * if this run created it and never committed to it (answers whether it did).
   */
  close(options?: { readonly removeIfUnused?: boolean }): Promise<boolean>;
}

/**
 * The download directory: `<db>.downloads` beside the database file, as DuckDB keeps `<db>.wal` and
 * `<db>.tmp` (downloads a killed process left there are removed at the next open, once DuckDB holds
 * the file's lock); a temporary directory for an in-memory database.
 */
function downloadDirOf(path: string): string {
  return path === ":memory:" ? mkdtempSync(join(tmpdir(), "stellar-flow-downloads-")) : `${path}.downloads`;
}

/** Removes the downloads in `dir` (parquet-download.ts's directories), and nothing else. */
function clearDownloads(dir: string): void {
  for (const name of readdirSync(dir)) if (name.startsWith(DOWNLOAD_PREFIX)) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Clears `dir` and removes it unless something else was put there. */
function removeDownloadDir(dir: string): void {
  clearDownloads(dir);
  try {
    rmdirSync(dir);
  } catch {
    // not empty: someone else's files, left alone
  }
}

export async function openServedSink(path: string, options: ServedSinkOptions): Promise<ServedSink> {
  const downloadDir = downloadDirOf(path);
  let sink: DuckDbSink;
  try {
    sink = await DuckDbSink.open(path, {
      config: options.config,
      ...(options.startOver ? { startOver: options.startOver } : {}),
      sandbox: {
        allowedDirectories: [downloadDir, ...(options.allowedDirectories ?? [])],
        // exports are written under a temporary name, then renamed (../export/atomic-file.ts)
        allowedPaths: (options.exportFiles ?? []).map(temporaryNameFor).flatMap(copyTargets),
        queryConnections: options.queryConcurrency,
        ...(options.prepareConnection ? { prepareQueryConnection: options.prepareConnection } : {}),
      },
    });
  } catch (error) {
    if (path === ":memory:") removeDownloadDir(downloadDir);
    throw error;
  }
  mkdirSync(downloadDir, { recursive: true });
  clearDownloads(downloadDir);
  return {
    sink,
    services: {
      connect: async () => {
        const connection = await sink.connect();
        try {
          await options.prepareConnection?.(connection);
        } catch (error) {
          connection.closeSync();
          throw error;
        }
        return connection;
      },
      queryConnections: sink.queryConnections,
      downloadDir,
    },
    async close(closing = {}) {
      const removed = closing.removeIfUnused ? await sink.closeAndRemoveIfUnused() : (await sink.close(), false);
      removeDownloadDir(downloadDir);
      return removed;
    },
  };
}
