// A streaming Parquet writer for flat Arrow record batches: batches are buffered until a row group
// is full (closing only between batches, so a batch's rows never straddle two row groups), then each
// column is written as one zstd-compressed PLAIN data page with min/max statistics; the footer
// declares the sort order. Pure: the compressor and the byte sink are given.
import type { Data, RecordBatch, Schema } from "apache-arrow";
import { Type } from "apache-arrow";
import { encodeColumn, layoutOf, type ColumnLayout } from "./column-encoding.ts";
import { columnChunk, dataPageHeader, rootElement, schemaElement, type ColumnChunkInfo } from "./parquet-format.ts";
import { bool, encodeStruct, i32, i64, string, type ThriftStruct } from "./thrift-compact.ts";

const MAGIC = new TextEncoder().encode("PAR1");

export interface ParquetWriterOptions {
  readonly schema: Schema;
  /** A row group is closed at the first batch boundary where it holds at least this many rows. */
  readonly rowGroupRows: number;
  /** zstd (the codec the footer names). */
  readonly compress: (bytes: Uint8Array) => Uint8Array;
  /** Where the file's bytes go, in order. */
  readonly output: (bytes: Uint8Array) => void | Promise<void>;
  /** Columns the rows are sorted by (ascending), declared in every row group. */
  readonly sortedBy?: readonly string[];
  /** key/value metadata of the file. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly createdBy?: string;
  /** Names a row for an error message (e.g. "ledger 5, event 3"). */
  readonly describeRow?: (batch: RecordBatch, row: number) => string;
}

/** A value the file's column type cannot hold (an amount beyond DECIMAL(38,0)). */
export class ParquetValueError extends Error {
  override readonly name = "ParquetValueError";
}

// 10^38: DECIMAL(38,0) holds |v| < 10^38; a value whose top 32-bit word is within this band is below it.
const DECIMAL38_LIMIT = 10n ** 38n;
const DECIMAL38_SAFE_TOP = 0x4b3b4ca8;

export class ParquetWriter {
  readonly #options: ParquetWriterOptions;
  readonly #layouts: ColumnLayout[];
  readonly #sorting: ThriftStruct[];
  #pending: RecordBatch[] = [];
  #pendingRows = 0;
  #offset = 0;
  #rows = 0;
  #rowGroups: ThriftStruct[] = [];
  #closed = false;

  constructor(options: ParquetWriterOptions) {
    if (!(options.rowGroupRows >= 1)) throw new RangeError(`rowGroupRows must be at least 1, got ${options.rowGroupRows}`);
    this.#options = options;
    this.#layouts = options.schema.fields.map(layoutOf);
    this.#sorting = (options.sortedBy ?? []).map((name) => {
      const index = options.schema.fields.findIndex((f) => f.name === name);
      if (index < 0) throw new Error(`sort column ${name} is not in the schema`);
      return [
        [1, i32(index)],
        [2, bool(false)],
        [3, bool(false)],
      ] as ThriftStruct;
    });
  }

  /** Rows written or buffered so far. */
  get rows(): number {
    return this.#rows + this.#pendingRows;
  }

  /** Bytes handed to the output so far. */
  get bytesWritten(): number {
    return this.#offset;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (this.#closed) throw new Error("the Parquet writer is closed");
    this.#checkSchema(batch);
    if (batch.numRows === 0) return;
    this.#checkValues(batch);
    this.#pending.push(batch);
    this.#pendingRows += batch.numRows;
    if (this.#pendingRows >= this.#options.rowGroupRows) await this.#flushRowGroup();
  }

  /** Writes what is buffered and the footer; the file is complete once this resolves. */
  async close(): Promise<{ rows: number; bytes: number }> {
    if (this.#closed) throw new Error("the Parquet writer is closed");
    this.#closed = true;
    if (this.#offset === 0) await this.#emit(MAGIC);
    await this.#flushRowGroup();
    const { schema, metadata, createdBy } = this.#options;
    const footer = encodeStruct([
      [1, i32(1)],
      [2, { list: "struct", items: [rootElement(schema.fields.length), ...schema.fields.map((f, c) => schemaElement(f, this.#layouts[c]!.physical))] }],
      [3, i64(this.#rows)],
      [4, { list: "struct", items: this.#rowGroups }],
      [
        5,
        metadata && Object.keys(metadata).length > 0
          ? { list: "struct", items: Object.entries(metadata).map(([k, v]) => [[1, string(k)], [2, string(v)]] as ThriftStruct) }
          : undefined,
      ],
      [6, createdBy === undefined ? undefined : string(createdBy)],
    ]);
    const tail = new Uint8Array(footer.length + 8);
    tail.set(footer);
    new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
    tail.set(MAGIC, footer.length + 4);
    await this.#emit(tail);
    return { rows: this.#rows, bytes: this.#offset };
  }

  async #emit(bytes: Uint8Array): Promise<void> {
    await this.#options.output(bytes);
    this.#offset += bytes.length;
  }

  async #flushRowGroup(): Promise<void> {
    const batches = this.#pending;
    const rows = this.#pendingRows;
    this.#pending = [];
    this.#pendingRows = 0;
    if (rows === 0) return;
    if (this.#offset === 0) await this.#emit(MAGIC);
    const groupStart = this.#offset;
    const columns: ThriftStruct[] = [];
    let uncompressedTotal = 0;
    for (const [c, field] of this.#options.schema.fields.entries()) {
      const chunks: Data[] = batches.flatMap((b) => b.data.children[c]!);
      const encoded = encodeColumn(field, this.#layouts[c]!, chunks);
      const compressed = this.#options.compress(encoded.body);
      const header = encodeStruct(dataPageHeader({ uncompressed: encoded.body.length, compressed: compressed.length, values: rows, ...encoded }));
      const info: ColumnChunkInfo = {
        physical: this.#layouts[c]!.physical,
        name: field.name,
        values: rows,
        uncompressedBytes: header.length + encoded.body.length,
        compressedBytes: header.length + compressed.length,
        dataPageOffset: this.#offset,
        nullCount: encoded.nullCount,
        min: encoded.min,
        max: encoded.max,
        nullable: field.nullable,
      };
      await this.#emit(header);
      await this.#emit(compressed);
      uncompressedTotal += info.uncompressedBytes;
      columns.push(columnChunk(info));
    }
    this.#rowGroups.push([
      [1, { list: "struct", items: columns }],
      [2, i64(uncompressedTotal)],
      [3, i64(rows)],
      [4, this.#sorting.length > 0 ? { list: "struct", items: this.#sorting } : undefined],
      [5, i64(groupStart)],
      [6, i64(this.#offset - groupStart)],
    ]);
    this.#rows += rows;
  }

  #checkSchema(batch: RecordBatch): void {
    const want = this.#options.schema.fields;
    const got = batch.schema.fields;
    const same = got.length === want.length && want.every((f, i) => f.name === got[i]!.name && String(f.type) === String(got[i]!.type));
    if (!same) throw new Error(`a batch of columns (${got.map((f) => `${f.name} ${String(f.type)}`).join(", ")}) does not match the file's schema`);
  }

  /** DECIMAL(38,0) holds |v| < 10^38, a little less than a 128-bit integer: anything beyond is refused, never rounded. */
  #checkValues(batch: RecordBatch): void {
    for (const [c, field] of this.#options.schema.fields.entries()) {
      if (field.type.typeId !== Type.Decimal || (field.type as unknown as { precision: number }).precision !== 38) continue;
      let row = 0;
      for (const data of batch.data.children[c] ? [batch.data.children[c]!] : []) {
        const words = data.values as Uint32Array;
        for (let i = 0; i < data.length; i++, row++) {
          const top = words[i * 4 + 3]! | 0;
          if (top < DECIMAL38_SAFE_TOP && top >= -DECIMAL38_SAFE_TOP) continue;
          const value = BigInt.asIntN(128, BigInt(words[i * 4]!) | (BigInt(words[i * 4 + 1]!) << 32n) | (BigInt(words[i * 4 + 2]!) << 64n) | (BigInt(words[i * 4 + 3]!) << 96n));
          if (value < DECIMAL38_LIMIT && value > -DECIMAL38_LIMIT) continue;
          const where = this.#options.describeRow?.(batch, row) ?? `row ${row} of a batch`;
          throw new ParquetValueError(`${where}: ${field.name} ${value} is beyond Parquet's DECIMAL(38,0)`);
        }
      }
    }
  }
}
