// Reads single values out of an Arrow column, as the DuckDB value its table column takes.
import { DuckDBTimestampTZValue, type DuckDBValue } from "@duckdb/node-api";
import { DataType, TimeUnit, type Data } from "apache-arrow";
import { readInt128 } from "../../arrow/columns.ts";

/** Value `row` of the column (relative to the column's own offset), or null. */
export type ColumnReader = (row: number) => DuckDBValue | null;

const decoder = new TextDecoder();

/**
 * A reader for the Arrow types the sink's batches use: Uint32 -> UINTEGER, Utf8 -> VARCHAR,
 * Timestamp(MICROSECOND, UTC) -> TIMESTAMPTZ, Decimal128(38, 0) -> HUGEINT. Arrow's
 * Decimal128 words and DuckDB's HUGEINT are both 128-bit two's complement, so amounts copy exactly.
 */
export function columnReader(column: Data): ColumnReader {
  const read = valueReader(column);
  // A sliced column's values already start at the slice; its `offset` only applies to the bitmap.
  const { nullBitmap, offset } = column;
  if (column.nullCount === 0 || !nullBitmap) return read;
  return (row) => {
    const i = offset + row;
    return (nullBitmap[i >> 3]! >> (i & 7)) & 1 ? read(row) : null;
  };
}

function valueReader(column: Data): (i: number) => DuckDBValue {
  const { type } = column;
  if (DataType.isInt(type) && type.bitWidth === 32 && !type.isSigned) {
    const values = column.values as Uint32Array;
    return (i) => values[i]!;
  }
  if (DataType.isUtf8(type)) {
    const bytes = column.values as Uint8Array;
    const offsets = column.valueOffsets as Int32Array;
    return (i) => decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
  }
  if (DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND) {
    const micros = column.values as BigInt64Array;
    return (i) => new DuckDBTimestampTZValue(micros[i]!);
  }
  if (DataType.isDecimal(type) && type.scale === 0 && type.bitWidth === 128) {
    const words = column.values as Uint32Array;
    return (i) => readInt128(words, i);
  }
  throw new Error(`Arrow type ${String(type)} has no DuckDB column mapping in the sink`);
}
