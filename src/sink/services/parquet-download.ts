// POST /download/parquet {"sql": "..."}: the result of one checked SELECT as a Parquet file, written
// by DuckDB (types kept) into the download directory and sent back. Same fence, row cap and
// timeout as QueryService.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { DuckDBTypeId, type DuckDBPreparedStatement } from "@duckdb/node-api";
import type { Context } from "hono";
import { sqlString } from "../duckdb/sql-string.ts";
import type { QueryLimits } from "./query-service.ts";
import { isConnectError, prepareReadOnly } from "./read-only-sql.ts";
import type { ServiceDatabase } from "./service-database.ts";
import { connectWithTimeout, timeoutMessage } from "./timed-connection.ts";

const STATUS: Partial<Record<Code, 400 | 403 | 504>> = { [Code.InvalidArgument]: 400, [Code.PermissionDenied]: 403, [Code.DeadlineExceeded]: 504 };

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
export function parquetDownload(db: ServiceDatabase, limits: QueryLimits) {
  return async (c: Context, json: unknown): Promise<Response> => {
    const body = json as { sql?: unknown } | null;
    const sql = body?.sql;
    if (typeof sql !== "string") return c.json({ error: 'the body must be JSON {"sql": "SELECT ..."}' }, 400);
    if (sql.length > limits.maxSqlLength) return c.json({ error: `sql is ${sql.length} characters long; at most ${limits.maxSqlLength} are accepted` }, 400);
    const dir = mkdtempSync(join(db.exportDir ?? tmpdir(), "download-"));
    const file = join(dir, "result.parquet");
    const timed = await connectWithTimeout(db, limits.timeoutMs);
    const connection = timed.connection;
    try {
      const prepared = await prepareReadOnly(connection, sql); // the fence, on the text as given
      // the checked text is one complete SELECT; the newlines keep a trailing comment inside
      const copy = `COPY (SELECT ${selectList(prepared)} FROM (\n${sql}\n) LIMIT ${limits.maxRows}) TO ${sqlString(file)} (FORMAT parquet)`;
      const statements = await connection.extractStatements(copy);
      if (statements.count !== 1) return c.json({ error: "the query cannot be exported" }, 400);
      await connection.run(copy);
      const bytes = await Bun.file(file).arrayBuffer();
      return c.body(bytes, 200, { "content-type": "application/vnd.apache.parquet", "content-disposition": 'attachment; filename="result.parquet"' });
    } catch (error) {
      if (isConnectError(error)) return c.json({ error: error.rawMessage }, STATUS[error.code] ?? 400);
      const message = error instanceof Error ? error.message : String(error);
      if (timed.timedOut()) return c.json({ error: timeoutMessage(limits.timeoutMs) }, 504);
      return c.json({ error: `the export failed: ${message}` }, 400);
    } finally {
      timed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
