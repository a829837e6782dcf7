// One table's Parquet file of a shard, written to the store's staging file as batches come, with its
// size and SHA-256 counted on the way (the manifest records both).
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { RecordBatch, Schema } from "apache-arrow";
import type { DatasetStore, StagedFile } from "./dataset-store.ts";
import { ParquetWriter } from "./parquet/parquet-writer.ts";

export interface StagedParquetOptions {
  readonly schema: Schema;
  readonly sortedBy: readonly string[];
  readonly rowGroupRows: number;
  /** zstd level (default 3). */
  readonly zstdLevel?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly describeRow?: (batch: RecordBatch, row: number) => string;
}

export interface FinishedFile {
  readonly key: string;
  readonly staged: StagedFile;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

export class StagedParquetFile {
  readonly #hash = new Bun.CryptoHasher("sha256");
  #fd: number | null;

  private constructor(
    readonly key: string,
    readonly staged: StagedFile,
    private readonly writer: ParquetWriter,
    fd: number,
  ) {
    this.#fd = fd;
  }

  static async open(store: DatasetStore, key: string, options: StagedParquetOptions): Promise<StagedParquetFile> {
    const staged = await store.stage(key);
    const fd = openSync(staged.path, "w");
    const level = options.zstdLevel ?? 3;
    let file: StagedParquetFile | undefined;
    const writer = new ParquetWriter({
      schema: options.schema,
      rowGroupRows: options.rowGroupRows,
      sortedBy: options.sortedBy,
      metadata: options.metadata,
      createdBy: "stellar-flow backfill",
      describeRow: options.describeRow,
      compress: (bytes) => Bun.zstdCompressSync(bytes, { level }),
      output: (bytes) => file!.#output(bytes),
    });
    file = new StagedParquetFile(key, staged, writer, fd);
    return file;
  }

  #output(bytes: Uint8Array): void {
    let written = 0;
    while (written < bytes.length) written += writeSync(this.#fd!, bytes, written, bytes.length - written);
    this.#hash.update(bytes);
  }

  write(batch: RecordBatch): Promise<void> {
    return this.writer.write(batch);
  }

  /** Completes the file (footer, fsync); it stays staged until published. */
  async finish(): Promise<FinishedFile> {
    const { rows, bytes } = await this.writer.close();
    fsyncSync(this.#fd!);
    this.#close();
    return { key: this.key, staged: this.staged, rows, bytes, sha256: this.#hash.digest("hex") };
  }

  /** Removes the staged file (after a failure). */
  async discard(): Promise<void> {
    this.#close();
    await this.staged.discard();
  }

  #close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    closeSync(fd);
  }
}
