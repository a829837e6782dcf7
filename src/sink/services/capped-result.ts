// A query's result as text, read chunk by chunk and value by value with its caps enforced as it
// goes: no more rows than the row cap (then `truncated`), and no more bytes of text than the byte
// cap (then ResourceExhausted), so that a result too big for a response is refused before it is
// held in memory, not after.
import { Code } from "@connectrpc/connect";
import type { DuckDBPreparedStatement, DuckDBType } from "@duckdb/node-api";
import { valueText } from "../query/result-values.ts";
import { refused } from "./refusal.ts";

export interface ResultCaps {
  readonly maxRows: number;
  readonly maxBytes: number;
}

export interface TextResult {
  readonly columns: readonly { readonly name: string; readonly type: DuckDBType }[];
  readonly rows: (string | null)[][];
  /** More rows than maxRows were there. */
  readonly truncated: boolean;
}

/**
 * Runs `prepared` as a streaming query and reads its values as text (valueText). `stopped` is
 * asked between chunks: once it answers true (the deadline passed), reading ends with an error.
 */
export async function readCapped(prepared: DuckDBPreparedStatement, caps: ResultCaps, stopped: () => boolean): Promise<TextResult> {
  const result = await prepared.stream();
  const types = result.columnTypes();
  const columns = result.columnNames().map((name, i) => ({ name, type: types[i]! }));
  const rows: (string | null)[][] = [];
  let bytes = 0;
  for (;;) {
    if (stopped()) throw new Error("interrupted: the statement timeout passed");
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return { columns, rows, truncated: false };
    const vectors = columns.map((_, i) => chunk.getColumnVector(i));
    for (let r = 0; r < chunk.rowCount; r++) {
      if (rows.length === caps.maxRows) return { columns, rows, truncated: true };
      const row: (string | null)[] = [];
      for (let c = 0; c < columns.length; c++) {
        const text = valueText(vectors[c]!.getItem(r), columns[c]!.type);
        if (text !== null) bytes += Buffer.byteLength(text);
        if (bytes > caps.maxBytes) {
          throw refused(
            `the result passed the cap of ${caps.maxBytes} bytes at row ${rows.length + 1}: select fewer rows or narrower columns (the server's --query-max-result-bytes)`,
            Code.ResourceExhausted,
          );
        }
        row.push(text);
      }
      rows.push(row);
    }
  }
}
