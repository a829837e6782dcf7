// Opens a DuckDB database file, with errors that name the file.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { messageOf } from "../../common/message-of.ts";
import { lockDown, type DatabaseSandbox } from "./sandbox.ts";

export interface OpenDatabaseOptions {
  /** Open with DuckDB's access_mode READ_ONLY; the file must exist. Default false. */
  readonly readOnly?: boolean;
  /** Further DuckDB configuration options, e.g. { threads: "4", memory_limit: "2GB" }. */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * DuckDB's own sandbox (./sandbox.ts), applied after `config` and anything else settled at open,
   * then locked. Unset: none (tools that serve nobody, tests of the writer alone).
   */
  readonly sandbox?: DatabaseSandbox;
}

export interface OpenDatabase {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** The sandbox's query connections (none without a sandbox). */
  readonly queryConnections: readonly DuckDBConnection[];
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
    throw new Error(`Cannot open DuckDB database ${path}${openFailureHint(error, config)}: ${messageOf(error)}`, { cause: error });
  }
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const queryConnections = options.sandbox ? await lockDown(instance, connection, options.sandbox) : [];
    return { instance, connection, queryConnections };
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw new Error(`Cannot set up DuckDB database ${path}${openFailureHint(error, config)}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * What probably went wrong, for the message: another process holding the file's lock, or a
 * memory_limit too small to open it (DuckDB's "failed to pin block" once matched a bare /lock/).
 */
export function openFailureHint(error: unknown, config: Readonly<Record<string, string>> = {}): string {
  const message = messageOf(error);
  if (/Could not set lock on file|Conflicting lock is held/i.test(message)) return " (another process has it open, such as a running pipeline)";
  if (/Out of Memory Error/i.test(message)) {
    const limit = config["memory_limit"];
    return limit ? ` (its memory_limit of ${limit}, --duckdb-memory-limit, is too small for DuckDB to work in; the default is 64MB)` : " (DuckDB ran out of memory)";
  }
  return "";
}
