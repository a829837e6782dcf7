// Opens a DuckDB database file, with errors that name the file.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { messageOf } from "./message-of.ts";

/** Where the command-line tools keep the database unless told otherwise (relative to the working directory). */
export const DEFAULT_DATABASE_PATH = "./data/stellar.duckdb";

export interface OpenDatabaseOptions {
  /** Open with DuckDB's access_mode READ_ONLY; the file must exist. Default false. */
  readonly readOnly?: boolean;
  /** Further DuckDB configuration options, e.g. { threads: "4", memory_limit: "2GB" }. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface OpenDatabase {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
}

/** The file does not exist, so there is nothing to read yet. */
export class DatabaseNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`No DuckDB database at ${path}: run the pipeline first (bun run pipeline) to create it`);
    this.name = "DatabaseNotFoundError";
  }
}

const IN_MEMORY = ":memory:";

/**
 * Opens `path` (":memory:" for a database that lives only in this process). For writing, the parent
 * directories are created; for reading, a missing file is a DatabaseNotFoundError.
 */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const readOnly = options.readOnly ?? false;
  if (readOnly && path !== IN_MEMORY && !existsSync(path)) throw new DatabaseNotFoundError(path);
  const config: Record<string, string> = { ...options.config };
  if (readOnly) config["access_mode"] = "READ_ONLY";
  let instance: DuckDBInstance;
  try {
    if (!readOnly && path !== IN_MEMORY) mkdirSync(dirname(path), { recursive: true });
    instance = await DuckDBInstance.create(path, config);
  } catch (error) {
    const hint = /lock/i.test(messageOf(error)) ? " (another process has it open, such as a running pipeline)" : "";
    throw new Error(`Cannot open DuckDB database ${path}${hint}: ${messageOf(error)}`, { cause: error });
  }
  try {
    return { instance, connection: await instance.connect() };
  } catch (error) {
    instance.closeSync();
    throw new Error(`Cannot connect to DuckDB database ${path}: ${messageOf(error)}`, { cause: error });
  }
}
