// The SQL of a declared table (src/arrow/table.ts): its DDL, and the SELECT lists that give its rows
// as the data contract's JSON (NDJSON export, event streams) and as Parquet keeps them.
import type { AnyTable, Column } from "../../arrow/table.ts";

/** CREATE TABLE IF NOT EXISTS with the declaration's columns, types, nullability and primary key. */
export function createTableSql(table: AnyTable): string {
  const columns = table.columns.map((c) => `  ${c.name} ${c.type.duckdb}${c.nullable ? "" : " NOT NULL"}`);
  const key = table.primaryKey.length > 0 ? [`  PRIMARY KEY (${table.primaryKey.join(", ")})`] : [];
  return `CREATE TABLE IF NOT EXISTS ${table.name} (\n${[...columns, ...key].join(",\n")}\n)`;
}

/** A column as JSON has it: times ISO-8601 UTC with milliseconds (as Date.prototype.toISOString gives them, whatever the session's TimeZone), 128-bit integers as decimal strings. */
function jsonExpression(c: Column<any>): string {
  if (c.type.name === "timestamp") return `strftime(timezone('UTC', ${c.name}), '%Y-%m-%dT%H:%M:%S.%gZ') AS ${c.name}`;
  if (c.type.name === "int128") return `CAST(${c.name} AS VARCHAR) AS ${c.name}`;
  return c.name;
}

/** The table's columns, in order, in their JSON form. */
export function jsonSelectList(table: AnyTable): string {
  return table.columns.map(jsonExpression).join(", ");
}

/**
 * The table's columns for a Parquet file. Parquet has no 128-bit integer, and DuckDB writes HUGEINT
 * as DOUBLE, losing digits; DECIMAL(38, 0) is exact (|value| < 10^38, a little less than i128's range).
 */
export function parquetSelectList(table: AnyTable): string {
  return table.columns.map((c) => (c.type.name === "int128" ? `CAST(${c.name} AS DECIMAL(38, 0)) AS ${c.name}` : c.name)).join(", ");
}

/** The row of a `jsonSelectList` query as JSON: UINTEGERs as numbers, the rest as strings, NULL as null. */
export function jsonRowOf(table: AnyTable, row: Record<string, unknown>): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const c of table.columns) {
    const value = row[c.name];
    out[c.name] = value === null || value === undefined ? null : c.type.name === "uint32" ? Number(value) : String(value);
  }
  return out;
}
