// One column of a row group, from Arrow chunks to a Parquet data page body (v1): definition levels
// (RLE/bit-packed hybrid, for nullable columns) then the non-null values PLAIN-encoded, with the
// statistics DuckDB prunes on. Pure: web-standard APIs only.
import { Type, type Data, type DataType, type Field } from "apache-arrow";
import { PhysicalType } from "./parquet-format.ts";

/** How an Arrow type is stored: the Parquet physical type and the PLAIN width of a value (0: variable). */
export interface ColumnLayout {
  readonly physical: PhysicalType;
  readonly width: number;
}

export function layoutOf(field: Field): ColumnLayout {
  const type: DataType = field.type;
  switch (type.typeId) {
    case Type.Int:
      if (!isUint32(type)) break;
      return { physical: PhysicalType.Int32, width: 4 };
    case Type.Timestamp:
      return { physical: PhysicalType.Int64, width: 8 };
    case Type.Decimal:
      if ((type as DataType<Type.Decimal> & { bitWidth: number }).bitWidth !== 128) break;
      return { physical: PhysicalType.FixedLenByteArray, width: 16 };
    case Type.Utf8:
      return { physical: PhysicalType.ByteArray, width: 0 };
  }
  throw new Error(`column ${field.name}: no Parquet encoding for Arrow type ${String(type)}`);
}

/** Unsigned 32-bit integers (UINTEGER): the only integer type the dataset holds. */
export function isUint32(type: DataType): boolean {
  const int = type as DataType & { bitWidth?: number; isSigned?: boolean };
  return type.typeId === Type.Int && int.bitWidth === 32 && int.isSigned === false;
}

export interface EncodedColumn {
  /** Levels and values, uncompressed. */
  readonly body: Uint8Array;
  readonly nullCount: number;
  /** PLAIN bytes of the smallest and largest value (integer and timestamp columns), else null. */
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
}

const isValid = (data: Data, i: number): boolean => {
  const bitmap = data.nullBitmap;
  if (!bitmap || data.nullCount === 0) return true;
  const bit = data.offset + i;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
};

/** Definition levels of `rows` values (bit width 1), with the 4-byte length prefix of a v1 page. */
function definitionLevels(chunks: readonly Data[], rows: number, nullCount: number): Uint8Array {
  if (nullCount === 0) {
    // one RLE run: header (rows << 1), then the value 1 in one byte
    const header = varintBytes(rows * 2);
    const out = new Uint8Array(4 + header.length + 1);
    new DataView(out.buffer).setUint32(0, header.length + 1, true);
    out.set(header, 4);
    out[4 + header.length] = 1;
    return out;
  }
  // one bit-packed run of ceil(rows / 8) groups of 8 levels, least significant bit first (as Arrow's bitmaps)
  const groups = Math.ceil(rows / 8);
  const header = varintBytes(groups * 2 + 1);
  const out = new Uint8Array(4 + header.length + groups);
  new DataView(out.buffer).setUint32(0, header.length + groups, true);
  out.set(header, 4);
  const bits = out.subarray(4 + header.length);
  let row = 0;
  for (const data of chunks) {
    for (let i = 0; i < data.length; i++, row++) if (isValid(data, i)) bits[row >> 3]! |= 1 << (row & 7);
  }
  return out;
}

function varintBytes(value: number): Uint8Array {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Uint8Array.from(out);
}

/** Bytes of a fixed-width chunk's values (already sliced to the chunk by Arrow). */
function fixedBytes(data: Data, width: number): Uint8Array {
  const values = data.values as ArrayBufferView;
  return new Uint8Array(values.buffer, values.byteOffset, data.length * width);
}

function encodeFixed(chunks: readonly Data[], rows: number, nullCount: number, layout: ColumnLayout, levels: Uint8Array | null): Uint8Array {
  const width = layout.width;
  const out = new Uint8Array((levels?.length ?? 0) + (rows - nullCount) * width);
  let at = 0;
  if (levels) {
    out.set(levels);
    at = levels.length;
  }
  const bigEndian = layout.physical === PhysicalType.FixedLenByteArray; // Parquet decimals: big-endian two's complement
  for (const data of chunks) {
    const bytes = fixedBytes(data, width);
    if (!bigEndian && data.nullCount === 0) {
      out.set(bytes, at);
      at += bytes.length;
      continue;
    }
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) continue;
      const from = i * width;
      if (bigEndian) for (let b = 0; b < width; b++) out[at + b] = bytes[from + width - 1 - b]!;
      else out.set(bytes.subarray(from, from + width), at);
      at += width;
    }
  }
  return out;
}

function encodeByteArray(chunks: readonly Data[], rows: number, nullCount: number, levels: Uint8Array | null): Uint8Array {
  let size = (levels?.length ?? 0) + (rows - nullCount) * 4;
  for (const data of chunks) {
    const offsets = data.valueOffsets as Int32Array;
    size += offsets[data.length]! - offsets[0]!;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  if (levels) {
    out.set(levels);
    at = levels.length;
  }
  for (const data of chunks) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) continue;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      view.setUint32(at, end - start, true);
      at += 4;
      // short strings (hashes, strkeys) copy faster byte by byte than through a subarray
      if (end - start <= 96) for (let b = start; b < end; b++) out[at++] = bytes[b]!;
      else {
        out.set(bytes.subarray(start, end), at);
        at += end - start;
      }
    }
  }
  return out;
}

/** Smallest and largest of an unsigned 32-bit column's non-null values, as PLAIN bytes. */
function uint32Range(chunks: readonly Data[]): [Uint8Array, Uint8Array] | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const data of chunks) {
    const values = data.values as Uint32Array;
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) continue;
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Number.POSITIVE_INFINITY) return null;
  const le = (v: number) => new Uint8Array(Uint32Array.of(v).buffer);
  return [le(min), le(max)];
}

/** Smallest and largest of a signed 64-bit column's non-null values, as PLAIN bytes. */
function int64Range(chunks: readonly Data[]): [Uint8Array, Uint8Array] | null {
  let min: bigint | null = null;
  let max: bigint | null = null;
  for (const data of chunks) {
    const bytes = fixedBytes(data, 8);
    const values = new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) continue;
      const v = values[i]!;
      if (min === null || v < min) min = v;
      if (max === null || v > max) max = v;
    }
  }
  if (min === null || max === null) return null;
  const le = (v: bigint) => new Uint8Array(BigInt64Array.of(v).buffer);
  return [le(min), le(max)];
}

/** Encodes the chunks of one column (its part of a row group) as a v1 data page body. */
export function encodeColumn(field: Field, layout: ColumnLayout, chunks: readonly Data[]): EncodedColumn {
  let rows = 0;
  let nullCount = 0;
  for (const data of chunks) {
    rows += data.length;
    nullCount += data.nullCount;
  }
  if (nullCount > 0 && !field.nullable) throw new Error(`column ${field.name} is declared NOT NULL but holds ${nullCount} nulls`);
  const levels = field.nullable ? definitionLevels(chunks, rows, nullCount) : null;
  const body = layout.width === 0 ? encodeByteArray(chunks, rows, nullCount, levels) : encodeFixed(chunks, rows, nullCount, layout, levels);
  const range = isUint32(field.type) ? uint32Range(chunks) : field.type.typeId === Type.Timestamp ? int64Range(chunks) : null;
  return { body, nullCount, min: range?.[0] ?? null, max: range?.[1] ?? null };
}
