// Low-level Arrow column construction from plain arrays, without per-value Builder objects.
import { Binary, Decimal, makeData, RecordBatch, Struct, TimestampMicrosecond, Uint32, Utf8, type Data, type Schema } from "apache-arrow";

const encoder = new TextEncoder();

function validityBitmap(length: number, isValid: (i: number) => boolean): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    if (isValid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return { bitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

export function uint32Column(values: ArrayLike<number | null>): Data<Uint32> {
  const length = values.length;
  const data = new Uint32Array(length);
  for (let i = 0; i < length; i++) data[i] = values[i] ?? 0;
  const { bitmap, nullCount } = validityBitmap(length, (i) => values[i] !== null);
  return makeData({ type: new Uint32(), length, data, nullBitmap: bitmap, nullCount });
}

export function utf8Column(values: ArrayLike<string | null>): Data<Utf8> {
  const length = values.length;
  const valueOffsets = new Int32Array(length + 1);
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < length; i++) {
    const value = values[i];
    if (value) {
      const bytes = encoder.encode(value);
      parts.push(bytes);
      size += bytes.length;
    }
    valueOffsets[i + 1] = size;
  }
  const data = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  const { bitmap, nullCount } = validityBitmap(length, (i) => values[i] !== null && values[i] !== undefined);
  return makeData({ type: new Utf8(), length, data, valueOffsets, nullBitmap: bitmap, nullCount });
}

export function binaryColumn(values: readonly Uint8Array[]): Data<Binary> {
  const length = values.length;
  const valueOffsets = new Int32Array(length + 1);
  let size = 0;
  for (let i = 0; i < length; i++) {
    size += values[i]!.length;
    valueOffsets[i + 1] = size;
  }
  const data = new Uint8Array(size);
  for (let i = 0; i < length; i++) data.set(values[i]!, valueOffsets[i]!);
  return makeData({ type: new Binary(), length, data, valueOffsets, nullCount: 0 });
}

/** UTC timestamps (microseconds) from Unix seconds. */
export function timestampColumn(epochSeconds: ArrayLike<number>): Data<TimestampMicrosecond> {
  const length = epochSeconds.length;
  const data = new BigInt64Array(length);
  for (let i = 0; i < length; i++) data[i] = BigInt(epochSeconds[i]!) * 1_000_000n;
  return makeData({ type: new TimestampMicrosecond("UTC"), length, data: data as never, nullCount: 0 });
}

export const HUGEINT_TYPE = new Decimal(0, 38, 128);

const U32 = 0xffffffffn;

/** Signed 128-bit integers as Decimal128(38, 0): four little-endian 32-bit words per value, two's complement. */
export function int128Column(values: ArrayLike<bigint>): Data<Decimal> {
  const length = values.length;
  const data = new Uint32Array(length * 4);
  for (let i = 0; i < length; i++) {
    const v = BigInt.asUintN(128, values[i]!);
    data[i * 4] = Number(v & U32);
    data[i * 4 + 1] = Number((v >> 32n) & U32);
    data[i * 4 + 2] = Number((v >> 64n) & U32);
    data[i * 4 + 3] = Number(v >> 96n);
  }
  return makeData({ type: HUGEINT_TYPE, length, data, nullCount: 0 });
}

/** Reads value i of a Decimal128 column written by int128Column back into a bigint. */
export function readInt128(words: Uint32Array, i: number): bigint {
  const v =
    BigInt(words[i * 4]!) |
    (BigInt(words[i * 4 + 1]!) << 32n) |
    (BigInt(words[i * 4 + 2]!) << 64n) |
    (BigInt(words[i * 4 + 3]!) << 96n);
  return BigInt.asIntN(128, v);
}

/** A record batch of `schema` from its columns, all of `length` rows. */
export function recordBatchOf(schema: Schema, length: number, children: Data[]): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}
