// Fills a DuckDB data-chunk column straight from an Arrow column, without a JS value or a native
// call per row: fixed-width values and validity are copied as memory (Arrow and DuckDB lay out
// UINTEGER, TIMESTAMPTZ micros, HUGEINT and validity bits the same way on little-endian machines),
// and VARCHARs are written as DuckDB's own string headers (see ./string-headers.ts).
import duckdb from "@duckdb/node-bindings";
import type { DuckDBDataChunk } from "@duckdb/node-api";
import { DataType, TimeUnit, type Data } from "apache-arrow";
import { STRING_HEADER_BYTES, writeStringHeaders } from "./string-headers.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes per value of the Arrow types this writer copies as memory, or 0 for VARCHAR, or null when unsupported. */
function valueWidth(column: Data): number | null {
  const { type } = column;
  if (DataType.isInt(type) && type.bitWidth === 32 && !type.isSigned) return 4;
  if (DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND) return 8;
  if (DataType.isDecimal(type) && type.scale === 0 && type.bitWidth === 128) return 16;
  if (DataType.isUtf8(type)) return 0;
  return null;
}

/** Whether `writeVector` can fill a column from this Arrow column. */
export function canWriteVector(column: Data): boolean {
  return LITTLE_ENDIAN && valueWidth(column) !== null;
}

/** Reused for every chunk: copy_data_to_vector copies it before returning. */
let headers = new Uint8Array(0);

/**
 * Writes rows [start, start + rowCount) of `column` into column `index` of `chunk`. `column`'s
 * buffers must stay untouched until the chunk has been appended: VARCHAR headers point into them.
 * Throws when a string is not valid UTF-8, naming `columnName` and the row (counted from the column's start).
 */
export function writeVector(chunk: DuckDBDataChunk, index: number, column: Data, start: number, rowCount: number, columnName = `column ${index + 1}`): void {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
  const width = valueWidth(column)!;
  // A sliced Arrow column's values and value offsets already start at the slice; its `offset` only
  // applies to the validity bitmap.
  if (width > 0) {
    const values = column.values as ArrayBufferView;
    duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * width, rowCount * width);
  } else {
    if (headers.byteLength < rowCount * STRING_HEADER_BYTES) headers = new Uint8Array(rowCount * STRING_HEADER_BYTES);
    writeStringHeaders(headers, column.values as Uint8Array, column.valueOffsets as Int32Array, start, rowCount, { column: columnName, firstRow: start });
    duckdb.copy_data_to_vector(vector, 0, headers.buffer as ArrayBuffer, 0, rowCount * STRING_HEADER_BYTES);
  }
  const bitmap = column.nullBitmap;
  if (column.nullCount === 0 || !bitmap || bitmap.length === 0) return;
  // DuckDB's validity mask is 64-bit words, bit i for row i: the same bit order as Arrow's bitmap.
  const mask = new Uint8Array(Math.ceil(rowCount / 64) * 8);
  const first = column.offset + start;
  for (let row = 0; row < rowCount; row++) {
    const i = first + row;
    if ((bitmap[i >> 3]! >> (i & 7)) & 1) mask[row >> 3]! |= 1 << (row & 7);
  }
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
}
