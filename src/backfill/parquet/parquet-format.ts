// Parquet's metadata, as its Thrift definition (parquet.thrift) numbers it, for the column types the
// dataset holds: UINTEGER, TIMESTAMPTZ (µs), VARCHAR and DECIMAL(38,0). Pure: web-standard APIs only.
import { Type, type Field } from "apache-arrow";
import { binary, bool, i32, i64, i8, string, struct, type ThriftStruct, type ThriftValue } from "./thrift-compact.ts";

export const enum PhysicalType {
  Int32 = 1,
  Int64 = 2,
  ByteArray = 6,
  FixedLenByteArray = 7,
}

const REQUIRED = 0;
const OPTIONAL = 1;

const enum ConvertedType {
  Utf8 = 0,
  Decimal = 5,
  TimestampMicros = 10,
  Uint32 = 13,
}

export const enum Encoding {
  Plain = 0,
  Rle = 3,
}

export const CODEC_ZSTD = 6;
export const PAGE_TYPE_DATA = 0;

/** The schema element of a flat column, with its logical type (and the older converted type, for older readers). */
export function schemaElement(field: Field, physical: PhysicalType): ThriftStruct {
  const type = field.type;
  let converted: number | undefined;
  let logical: ThriftValue | undefined;
  let typeLength: number | undefined;
  let scale: number | undefined;
  let precision: number | undefined;
  switch (type.typeId) {
    case Type.Utf8:
      converted = ConvertedType.Utf8;
      logical = struct([[1, struct([])]]); // STRING
      break;
    case Type.Int: // unsigned 32-bit only (layoutOf refuses the rest)
      converted = ConvertedType.Uint32;
      logical = struct([[10, struct([[1, i8(32)], [2, bool(false)]])]]); // INTEGER(32, unsigned)
      break;
    case Type.Timestamp: {
      const { unit, timezone } = type as unknown as { unit: number; timezone: string | null };
      if (unit !== 2) throw new Error(`column ${field.name}: only microsecond timestamps are written`);
      const utc = timezone !== null && timezone !== "";
      if (utc) converted = ConvertedType.TimestampMicros; // the converted type implies UTC
      logical = struct([[8, struct([[1, bool(utc)], [2, struct([[2, struct([])]])]])]]); // TIMESTAMP(isAdjustedToUTC, MICROS)
      break;
    }
    case Type.Decimal: {
      const decimal = type as unknown as { scale: number; precision: number };
      converted = ConvertedType.Decimal;
      typeLength = 16;
      scale = decimal.scale;
      precision = decimal.precision;
      logical = struct([[5, struct([[1, i32(decimal.scale)], [2, i32(decimal.precision)]])]]); // DECIMAL(scale, precision)
      break;
    }
  }
  return [
    [1, i32(physical)],
    [2, typeLength === undefined ? undefined : i32(typeLength)],
    [3, i32(field.nullable ? OPTIONAL : REQUIRED)],
    [4, string(field.name)],
    [6, converted === undefined ? undefined : i32(converted)],
    [7, scale === undefined ? undefined : i32(scale)],
    [8, precision === undefined ? undefined : i32(precision)],
    [10, logical],
  ];
}

/** The root of a flat schema. */
export function rootElement(columns: number): ThriftStruct {
  return [
    [4, string("schema")],
    [5, i32(columns)],
  ];
}

export interface ColumnChunkInfo {
  readonly physical: PhysicalType;
  readonly name: string;
  readonly values: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  readonly dataPageOffset: number;
  readonly nullCount: number;
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
  readonly nullable: boolean;
}

export function statistics(chunk: Pick<ColumnChunkInfo, "nullCount" | "min" | "max">): ThriftStruct {
  return [
    [3, i64(chunk.nullCount)],
    [5, chunk.max ? binary(chunk.max) : undefined],
    [6, chunk.min ? binary(chunk.min) : undefined],
  ];
}

export function columnChunk(chunk: ColumnChunkInfo): ThriftStruct {
  const encodings = chunk.nullable ? [Encoding.Plain, Encoding.Rle] : [Encoding.Plain];
  const metadata: ThriftStruct = [
    [1, i32(chunk.physical)],
    [2, { list: "i32", items: encodings }],
    [3, { list: "string", items: [chunk.name] }],
    [4, i32(CODEC_ZSTD)],
    [5, i64(chunk.values)],
    [6, i64(chunk.uncompressedBytes)],
    [7, i64(chunk.compressedBytes)],
    [9, i64(chunk.dataPageOffset)],
    [12, struct(statistics(chunk))],
  ];
  return [
    [2, i64(chunk.dataPageOffset)],
    [3, struct(metadata)],
  ];
}

export function dataPageHeader(options: { uncompressed: number; compressed: number; values: number; nullCount: number; min: Uint8Array | null; max: Uint8Array | null }): ThriftStruct {
  return [
    [1, i32(PAGE_TYPE_DATA)],
    [2, i32(options.uncompressed)],
    [3, i32(options.compressed)],
    [
      5,
      struct([
        [1, i32(options.values)],
        [2, i32(Encoding.Plain)],
        [3, i32(Encoding.Rle)],
        [4, i32(Encoding.Rle)],
        [5, struct(statistics(options))],
      ]),
    ],
  ];
}
