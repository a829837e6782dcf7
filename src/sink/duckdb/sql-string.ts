/** A SQL string literal: `it's` -> `'it''s'`. For values DuckDB takes only as literals, such as COPY paths. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
