// ServiceDatabase adapters: over a running DuckDbSink (the pipeline's, same instance), or over a
// database file opened for serving only (READ_ONLY, no file access, configuration locked).
import type { DuckDbSink } from "../duckdb/duckdb-sink.ts";
import { openDatabase } from "../duckdb/open-database.ts";
import type { ServiceDatabase } from "./service-database.ts";

export function sinkServiceDatabase(sink: Pick<DuckDbSink, "connect">): ServiceDatabase {
  return { connect: () => sink.connect(), locked: false };
}

export interface OpenedServiceDatabase extends ServiceDatabase {
  /** The sink cursor (last committed ledger) when the file was opened. */
  readonly cursor: number | null;
  close(): void;
}

/** DuckDB settings that keep every connection of the instance off files and settings. */
export const LOCKED_CONFIG: Readonly<Record<string, string>> = { enable_external_access: "false", lock_configuration: "true" };

export async function openServiceDatabase(path: string, config: Readonly<Record<string, string>> = {}): Promise<OpenedServiceDatabase> {
  const { instance, connection } = await openDatabase(path, { readOnly: true, config: { ...config, ...LOCKED_CONFIG } });
  let cursor: number | null = null;
  try {
    const value = (await connection.runAndReadAll("SELECT last_ledger FROM sink_cursor WHERE id = 1")).getRows()[0]?.[0];
    cursor = typeof value === "number" ? value : null;
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw new Error(`${path} is not a stellar-flow sink database (no sink_cursor table): ${(error as Error).message}`, { cause: error });
  }
  const connections = [connection];
  return {
    locked: true,
    cursor,
    async connect() {
      const c = await instance.connect();
      connections.push(c);
      return c;
    },
    close() {
      for (const c of connections) c.closeSync();
      instance.closeSync();
    },
  };
}
