// A query's result as `bun run query` prints it: an aligned table, JSON or CSV. One renderer for a
// result read from a database file and one answered by a sink's QueryService, so both print alike.
import { formatCsv } from "./format-csv.ts";
import { formatTable } from "./format-table.ts";
import { isNumericTypeName, textJson } from "./result-values.ts";

export const QUERY_FORMATS = ["table", "json", "csv"] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** Columns with their DuckDB type names, and each value as text (result-values.ts valueText; null: NULL). */
export interface QueryResultText {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly (string | null)[])[];
  /** Only the first rows came back (QueryService's row cap). */
  readonly truncated: boolean;
}

export function renderResult(result: QueryResultText, format: QueryFormat): string {
  const { columns, rows } = result;
  if (format === "json") {
    const objects = rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((column, c) => [column.name, textJson(row[c] ?? null, column.type)]))));
    return objects.length === 0 ? "[]" : `[\n${objects.join(",\n")}\n]`;
  }
  if (format === "csv") return formatCsv(columns.map((column) => column.name), rows);
  return formatTable({ columns: columns.map((column) => ({ name: column.name, alignRight: isNumericTypeName(column.type) })), rows });
}
