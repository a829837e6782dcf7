// `bun run query`: one SQL statement over a sink's database file, opened read-only (statements that
// write are refused), its result as text.
import { openDatabase } from "../duckdb/open-database.ts";
import { lockConflictOf } from "../duckdb/lock-conflict.ts";
import { SinkBusyError } from "../ledger-sink.ts";
import { valueText } from "./result-values.ts";
import type { QueryResultText } from "./render-result.ts";

/**
 * The result of `sql` over the database file at `path`, each value as text; throws DuckDB's error,
 * or a SinkBusyError naming the process that holds the file for writing.
 */
export async function queryDatabaseFile(path: string, sql: string): Promise<QueryResultText> {
  let opened;
  try {
    opened = await openDatabase(path, { readOnly: true });
  } catch (error) {
    const conflict = lockConflictOf(error);
    if (conflict) throw new SinkBusyError(`${path} is open for writing in ${conflict.holder}`, conflict.holder, { cause: error, pid: conflict.pid });
    throw error;
  }
  const { instance, connection } = opened;
  try {
    const reader = await connection.runAndReadAll(sql);
    const types = reader.columnTypes();
    return {
      columns: reader.columnNames().map((name, c) => ({ name, type: types[c]!.toString() })),
      rows: reader.getRows().map((row) => row.map((value, c) => valueText(value, types[c]!))),
      truncated: false,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
