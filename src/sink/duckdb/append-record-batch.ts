// Appends an Arrow record batch to a table through DuckDB's Appender, one data chunk at a time.
import { DuckDBDataChunk, DuckDBVector, type DuckDBConnection } from "@duckdb/node-api";
import type { RecordBatch, Schema } from "apache-arrow";
import { columnReader } from "./arrow-column-reader.ts";
import { canWriteVector, writeVector } from "./vector-writer.ts";

/**
 * Appends `batch` to `table`, whose columns must be `schema`'s fields in order. The rows land in the
 * connection's open transaction (if any) once flushed here, so a later ROLLBACK removes them. On
 * failure the appender's buffered rows are discarded, never flushed into a later statement.
 */
export async function appendRecordBatch(connection: DuckDBConnection, table: string, batch: RecordBatch, schema: Schema): Promise<void> {
  await appendRecordBatches(connection, table, [batch], schema);
}

/**
 * Appends `batches`, in order, through one appender (one flush): what appendRecordBatch does for
 * each, without an appender per batch. Every batch is checked against `schema` before any row is
 * appended.
 */
export async function appendRecordBatches(connection: DuckDBConnection, table: string, batches: readonly RecordBatch[], schema: Schema): Promise<void> {
  for (const batch of batches) {
    const mismatch = schemaMismatch(schema, batch.schema);
    if (mismatch) throw new Error(`The batch for ${table} does not match its schema: ${mismatch}`);
  }
  if (batches.every((batch) => batch.numRows === 0)) return;
  const appender = await connection.createAppender(table);
  try {
    const types = schema.fields.map((_, c) => appender.columnType(c));
    const chunkSize = DuckDBVector.standardSize();
    for (const batch of batches) {
      const columns = batch.data.children;
      const readers = columns.map(columnReader);
      for (let start = 0; start < batch.numRows; start += chunkSize) {
        const rowCount = Math.min(chunkSize, batch.numRows - start);
        const chunk = DuckDBDataChunk.create(types, rowCount);
        readers.forEach((read, c) => {
          const column = columns[c]!;
          if (canWriteVector(column)) return writeVector(chunk, c, column, start, rowCount, `${table}.${schema.fields[c]!.name}`);
          const vector = chunk.getColumnVector(c);
          for (let row = 0; row < rowCount; row++) vector.setItem(row, read(start + row));
          vector.flush();
        });
        appender.appendDataChunk(chunk);
      }
    }
    appender.closeSync(); // flushes
  } catch (error) {
    try {
      appender.clear();
      appender.closeSync();
    } catch {
      // The appender is unusable either way; the original error is the one to report.
    }
    throw error;
  }
}

/** Why `actual` cannot fill a table made for `expected`, or null when it can. */
function schemaMismatch(expected: Schema, actual: Schema): string | null {
  if (actual.fields.length !== expected.fields.length) {
    return `expected ${expected.fields.length} columns, got ${actual.fields.length} (${actual.fields.map((f) => f.name).join(", ")})`;
  }
  for (const [i, want] of expected.fields.entries()) {
    const got = actual.fields[i]!;
    if (got.name !== want.name || String(got.type) !== String(want.type)) {
      return `column ${i + 1} should be ${want.name} ${String(want.type)}, got ${got.name} ${String(got.type)}`;
    }
  }
  return null;
}
