// ServiceDatabase adapters: over a running DuckDbSink (the pipeline's, same instance), or over a
// database file opened for serving only (READ_ONLY, no file access, configuration locked).
import type { DuckDbSink } from "../duckdb/duckdb-sink.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../duckdb/open-database.ts";
import { sqlString } from "../duckdb/sql-string.ts";
import type { ServiceDatabase } from "./service-database.ts";

export function sinkServiceDatabase(sink: Pick<DuckDbSink, "connect">): ServiceDatabase {
  return { connect: () => sink.connect(), locked: false, exportDir: null };
}

export interface OpenedServiceDatabase extends ServiceDatabase {
  /** The sink cursor (last committed ledger) when the file was opened. */
  readonly cursor: number | null;
  close(): void;
}

export async function openServiceDatabase(path: string, config: Readonly<Record<string, string>> = {}): Promise<OpenedServiceDatabase> {
  const { instance, connection } = await openDatabase(path, { readOnly: true, config });
  const exportDir = mkdtempSync(join(tmpdir(), "stellar-flow-downloads-"));
  let cursor: number | null = null;
  try {
    // instance-wide, then locked: no connection can read or write files (but the download
    // directory) or change a setting again
    await connection.run(`SET allowed_directories = [${sqlString(`${exportDir}/`)}]`);
    await connection.run("SET enable_external_access = false");
    await connection.run("SET lock_configuration = true");
    const value = (await connection.runAndReadAll("SELECT last_ledger FROM sink_cursor WHERE id = 1")).getRows()[0]?.[0];
    cursor = typeof value === "number" ? value : null;
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    rmSync(exportDir, { recursive: true, force: true });
    throw new Error(`${path} is not a stellar-flow sink database (no sink_cursor table): ${(error as Error).message}`, { cause: error });
  }
  const connections = [connection];
  return {
    locked: true,
    exportDir,
    cursor,
    async connect() {
      const c = await instance.connect();
      connections.push(c);
      return c;
    },
    close() {
      for (const c of connections) c.closeSync();
      instance.closeSync();
      rmSync(exportDir, { recursive: true, force: true });
    },
  };
}
