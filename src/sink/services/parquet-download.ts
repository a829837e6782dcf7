// POST /download/parquet {"sql": "..."}: the result of one checked SELECT as a Parquet file, written
// by DuckDB (types kept) into the download directory and sent back. Same check, connections,
// timeout and row cap as QueryService; the file may hold at most the byte cap, watched while DuckDB
// writes it (in row groups of 2,048 rows, so that it grows as it goes).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { DuckDBTypeId, type DuckDBPreparedStatement } from "@duckdb/node-api";
import type { Context } from "hono";
import { sqlString } from "../duckdb/sql-string.ts";
import type { QueryLimits } from "./query-limits.ts";
import type { QueryPool } from "./query-pool.ts";
import { checkReadOnly, prepareReadOnly } from "./read-only-sql.ts";
import { isConnectError, refused } from "./refusal.ts";
import { connectWithTimeout, timeoutMessage } from "./timed-connection.ts";
import { messageOf } from "../../common/message-of.ts";

const STATUS: Partial<Record<Code, 400 | 403 | 429 | 504>> = {
  [Code.InvalidArgument]: 400,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.DeadlineExceeded]: 504,
};
/** The name of each download's own directory in the download directory starts with this. */
export const DOWNLOAD_PREFIX = "download-";
/** How often the file's size is looked at while DuckDB writes it. */
const SIZE_WATCH_MS = 25;

/**
 * "*", or with HUGEINT columns (amounts) cast to DECIMAL(38, 0): Parquet has no 128-bit integer and
 * DuckDB would write a DOUBLE, losing digits (as in ../export/export-parquet.ts).
 */
function selectList(prepared: DuckDBPreparedStatement): string {
  const names = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
  const hugeint = names.some((_, i) => prepared.columnTypeId(i) === DuckDBTypeId.HUGEINT);
  if (!hugeint || new Set(names).size !== names.length) return "*";
  return names.map((name, i) => {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    return prepared.columnTypeId(i) === DuckDBTypeId.HUGEINT ? `${quoted}::DECIMAL(38, 0) AS ${quoted}` : quoted;
  }).join(", ");
}

/** The handler of a request whose body (parsed JSON) the route has read, bounded, after its token and origin checks. */
export function parquetDownload(pool: QueryPool, downloadDir: string, limits: QueryLimits) {
  return async (c: Context, json: unknown): Promise<Response> => {
    const body = json as { sql?: unknown } | null;
    const sql = body?.sql;
    if (typeof sql !== "string") return c.json({ error: 'the body must be JSON {"sql": "SELECT ..."}' }, 400);
    if (sql.length > limits.maxSqlLength) return c.json({ error: `sql is ${sql.length} characters long; at most ${limits.maxSqlLength} are accepted` }, 400);
    let timed;
    try {
      timed = await connectWithTimeout(pool, limits.timeoutMs, c.req.raw.signal);
    } catch (error) {
      if (isConnectError(error)) return c.json({ error: error.rawMessage }, STATUS[error.code] ?? 400);
      throw error;
    }
    const connection = timed.connection;
    const dir = mkdtempSync(join(downloadDir, DOWNLOAD_PREFIX));
    const file = join(dir, "result.parquet");
    let tooBig = false;
    const watch = setInterval(() => {
      if (fileSize(file) > limits.maxResultBytes) {
        tooBig = true;
        connection.interrupt();
      }
    }, SIZE_WATCH_MS);
    try {
      const prepared = await prepareReadOnly(connection, sql); // the checks, on the text as given
      const columns = selectList(prepared);
      prepared.destroySync();
      // the checked text is one complete SELECT; the newlines keep a trailing comment inside. The
      // wrapped query is checked again, as what runs.
      const query = `SELECT ${columns} FROM (\n${sql}\n) LIMIT ${limits.maxRows}`;
      await checkReadOnly(connection, query);
      await connection.run(`COPY (${query}) TO ${sqlString(file)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
      if (tooBig || fileSize(file) > limits.maxResultBytes) throw tooLarge(limits.maxResultBytes);
      const bytes = await Bun.file(file).arrayBuffer();
      return c.body(bytes, 200, { "content-type": "application/vnd.apache.parquet", "content-disposition": 'attachment; filename="result.parquet"' });
    } catch (error) {
      if (isConnectError(error)) return c.json({ error: error.rawMessage }, STATUS[error.code] ?? 400);
      if (tooBig) return c.json({ error: tooLarge(limits.maxResultBytes).rawMessage }, 429);
      if (timed.timedOut()) return c.json({ error: timeoutMessage(limits.timeoutMs) }, 504);
      const message = messageOf(error);
      return c.json({ error: `the export failed: ${message}` }, 400);
    } finally {
      clearInterval(watch);
      timed.release();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function tooLarge(maxBytes: number) {
  return refused(`the Parquet file passed the cap of ${maxBytes} bytes: select fewer rows or columns (the server's --query-max-result-bytes)`, Code.ResourceExhausted);
}

/** The size of `file`, 0 while it does not exist. */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
