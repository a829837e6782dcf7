// The part of Thrift's compact protocol that Parquet's footer and page headers need: structs of
// i8/i32/i64/bool/binary/string fields, lists of structs, i32s and strings. Pure: web-standard APIs only.
// (Thrift compact protocol spec: field header = delta << 4 | type, zigzag varints, lists = size << 4 | type.)

const enum CompactType {
  BooleanTrue = 1,
  BooleanFalse = 2,
  Byte = 3,
  I32 = 5,
  I64 = 6,
  Binary = 8,
  List = 9,
  Struct = 12,
}

const encoder = new TextEncoder();

/** A Thrift struct: fields by id, in ascending order; undefined fields are left out. */
export type ThriftStruct = ReadonlyArray<readonly [id: number, value: ThriftValue | undefined]>;

export type ThriftValue =
  | { readonly i8: number }
  | { readonly i32: number }
  | { readonly i64: number }
  | { readonly bool: boolean }
  | { readonly binary: Uint8Array }
  | { readonly string: string }
  | { readonly struct: ThriftStruct }
  | { readonly list: "i32"; readonly items: readonly number[] }
  | { readonly list: "string"; readonly items: readonly string[] }
  | { readonly list: "struct"; readonly items: readonly ThriftStruct[] };

export const i8 = (value: number): ThriftValue => ({ i8: value });
export const i32 = (value: number): ThriftValue => ({ i32: value });
export const i64 = (value: number): ThriftValue => ({ i64: value });
export const bool = (value: boolean): ThriftValue => ({ bool: value });
export const binary = (value: Uint8Array): ThriftValue => ({ binary: value });
export const string = (value: string): ThriftValue => ({ string: value });
export const struct = (fields: ThriftStruct): ThriftValue => ({ struct: fields });

/** Growable byte buffer for the encoder. */
class Bytes {
  #buffer = new Uint8Array(256);
  length = 0;

  #ensure(extra: number): void {
    if (this.length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.length));
    this.#buffer = grown;
  }

  byte(value: number): void {
    this.#ensure(1);
    this.#buffer[this.length++] = value & 0xff;
  }

  bytes(value: Uint8Array): void {
    this.#ensure(value.length);
    this.#buffer.set(value, this.length);
    this.length += value.length;
  }

  /** Unsigned varint of a non-negative safe integer (up to 2^53). */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  /** Zigzag varint of a safe integer. */
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  result(): Uint8Array {
    return this.#buffer.slice(0, this.length);
  }
}

function typeOf(value: ThriftValue): CompactType {
  if ("i8" in value) return CompactType.Byte;
  if ("i32" in value) return CompactType.I32;
  if ("i64" in value) return CompactType.I64;
  if ("bool" in value) return value.bool ? CompactType.BooleanTrue : CompactType.BooleanFalse;
  if ("binary" in value || "string" in value) return CompactType.Binary;
  if ("struct" in value) return CompactType.Struct;
  return CompactType.List;
}

function writeValue(out: Bytes, value: ThriftValue): void {
  if ("i8" in value) out.byte(value.i8);
  else if ("i32" in value || "i64" in value) out.zigzag("i32" in value ? value.i32 : value.i64);
  else if ("binary" in value) {
    out.varint(value.binary.length);
    out.bytes(value.binary);
  } else if ("string" in value) {
    const bytes = encoder.encode(value.string);
    out.varint(bytes.length);
    out.bytes(bytes);
  } else if ("struct" in value) writeStruct(out, value.struct);
  else if ("list" in value) {
    const elementType = value.list === "i32" ? CompactType.I32 : value.list === "string" ? CompactType.Binary : CompactType.Struct;
    const size = value.items.length;
    if (size < 15) out.byte((size << 4) | elementType);
    else {
      out.byte(0xf0 | elementType);
      out.varint(size);
    }
    if (value.list === "i32") for (const item of value.items) out.zigzag(item);
    else if (value.list === "string") for (const item of value.items) writeValue(out, { string: item });
    else for (const item of value.items) writeStruct(out, item);
  }
  // bool: carried by the field header's type
}

function writeStruct(out: Bytes, fields: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of fields) {
    if (value === undefined) continue;
    if (id <= last) throw new Error(`thrift field ids must ascend: ${id} after ${last}`);
    const type = typeOf(value);
    const delta = id - last;
    if (delta <= 15) out.byte((delta << 4) | type);
    else {
      out.byte(type);
      out.zigzag(id);
    }
    writeValue(out, value);
    last = id;
  }
  out.byte(0); // stop
}

/** The compact-protocol encoding of a struct. */
export function encodeStruct(fields: ThriftStruct): Uint8Array {
  const out = new Bytes();
  writeStruct(out, fields);
  return out.result();
}
