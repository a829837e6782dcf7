// The sink's database opened to serve clients as well as to be written (`bun run sink`, `bun run
// pipeline`): the writer's settings first, then DuckDB's sandbox, which allows the database's own
// files, the exports the run writes, a download directory and any directory given, and nothing else.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbSink, type DuckDbSinkOptions } from "../duckdb/duckdb-sink.ts";
import { copyTargets } from "../duckdb/sandbox.ts";
import type { ServiceDatabase } from "./service-database.ts";

export interface ServedSinkOptions {
  /** DuckDB settings of the writer (memory_limit, checkpoint_threshold, ...): decided before the lock. */
  readonly config?: DuckDbSinkOptions["config"];
  /** Files the run writes with `COPY ... TO` besides the database (its exports). */
  readonly exportFiles?: readonly string[];
  /** Further directories DuckDB may read and write (e.g. a Parquet dataset that views read). */
  readonly allowedDirectories?: readonly string[];
  /** Queries the services run at once: one query connection each. */
  readonly queryConcurrency: number;
}

export interface ServedSink {
  readonly sink: DuckDbSink;
  readonly services: ServiceDatabase;
  /** Closes the sink and removes the download directory. */
  close(): Promise<void>;
}

/**
 * The download directory: `<db>.downloads` beside the database file, as DuckDB keeps `<db>.wal` and
 * `<db>.tmp` (what a killed process left there is cleared at the next open, once DuckDB holds the
 * file's lock); a temporary directory for an in-memory database.
 */
function downloadDirOf(path: string): string {
  return path === ":memory:" ? mkdtempSync(join(tmpdir(), "stellar-flow-downloads-")) : `${path}.downloads`;
}

export async function openServedSink(path: string, options: ServedSinkOptions): Promise<ServedSink> {
  const downloadDir = downloadDirOf(path);
  let sink: DuckDbSink;
  try {
    sink = await DuckDbSink.open(path, {
      config: options.config,
      sandbox: {
        allowedDirectories: [downloadDir, ...(options.allowedDirectories ?? [])],
        allowedPaths: (options.exportFiles ?? []).flatMap(copyTargets),
        queryConnections: options.queryConcurrency,
      },
    });
  } catch (error) {
    if (path === ":memory:") rmSync(downloadDir, { recursive: true, force: true });
    throw error;
  }
  rmSync(downloadDir, { recursive: true, force: true });
  mkdirSync(downloadDir);
  return {
    sink,
    services: { connect: () => sink.connect(), queryConnections: sink.queryConnections, downloadDir },
    async close() {
      await sink.close();
      rmSync(downloadDir, { recursive: true, force: true });
    },
  };
}
