// A forward-only XDR reader over one buffer (RFC 4506: big-endian, 4-byte aligned). Every read
// checks bounds and names the XDR type it reads, so malformed input fails with the type and offset.
import { XdrReadError } from "./ledger-header-reader.ts";

const utf8 = new TextDecoder();

export class XdrReader {
  readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string, type: string, at = this.pos): never {
    throw new XdrReadError(`${type}: ${message} at offset ${at}`, type, at);
  }

  /** Advances by `size` bytes and returns where they start. */
  take(size: number, type: string): number {
    const at = this.pos;
    if (at + size > this.bytes.length) {
      this.fail(`cut short, needs ${size} byte(s), ${this.bytes.length - at} left`, type, at);
    }
    this.pos = at + size;
    return at;
  }

  u32(type: string): number {
    return this.view.getUint32(this.take(4, type));
  }

  i32(type: string): number {
    return this.view.getInt32(this.take(4, type));
  }

  i64(type: string): bigint {
    return this.view.getBigInt64(this.take(8, type));
  }

  u64(type: string): bigint {
    return this.view.getBigUint64(this.take(8, type));
  }

  skip(size: number, type: string): void {
    this.take(size, type);
  }

  /** A union discriminant (or enum) that must lie in [min, max]. */
  arm(type: string, min: number, max: number): number {
    const at = this.pos;
    const v = this.view.getInt32(this.take(4, type));
    if (v < min || v > max) this.fail(`unknown union arm ${v}`, type, at);
    return v;
  }

  /** An `ExtensionPoint`-like union whose only arm is 0 (void). */
  ext0(type: string): void {
    const at = this.pos;
    if (this.view.getInt32(this.take(4, type)) !== 0) this.fail(`unknown union arm ${this.view.getInt32(at)}`, type, at);
  }

  bool(type: string): boolean {
    return this.arm(type, 0, 1) === 1;
  }

  /** Presence flag of an XDR optional (`T*`). */
  present(type: string): boolean {
    return this.arm(`${type} (optional flag)`, 0, 1) === 1;
  }

  /** Element count of a variable-length array; every element takes at least `minElementSize` bytes. */
  count(type: string, minElementSize: number, max = 0xffffffff): number {
    const at = this.pos;
    const n = this.u32(type);
    if (n > max) this.fail(`array length ${n} exceeds its maximum ${max}`, type, at);
    if (n * minElementSize > this.bytes.length - this.pos) {
      this.fail(`array length ${n} cannot fit in the ${this.bytes.length - this.pos} bytes left`, type, at);
    }
    return n;
  }

  /** Fixed-length opaque, as a view into the input (not a copy). */
  fixed(size: number, type: string): Uint8Array {
    const at = this.take(size, type);
    return this.bytes.subarray(at, at + size);
  }

  /** Variable-length opaque, as a view into the input (not a copy). */
  opaque(type: string, max = 0xffffffff): Uint8Array {
    const at = this.pos;
    const length = this.u32(type);
    if (length > max) this.fail(`length ${length} exceeds its maximum ${max}`, type, at);
    const start = this.take(length + ((4 - (length & 3)) & 3), type);
    return this.bytes.subarray(start, start + length);
  }

  skipOpaque(type: string, max = 0xffffffff): void {
    const at = this.pos;
    const length = this.u32(type);
    if (length > max) this.fail(`length ${length} exceeds its maximum ${max}`, type, at);
    this.take(length + ((4 - (length & 3)) & 3), type);
  }

  string(type: string, max = 0xffffffff): string {
    return utf8.decode(this.opaque(type, max));
  }
}
