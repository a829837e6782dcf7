// Where a dataset lives: a folder or an object store (s3://bucket/prefix). The one seam between the
// shard runner (and verify) and storage. Every write is whole or nothing: a reader never sees half
// a file under its final name.

/** A local file being written, published under its key once complete. */
export interface StagedFile {
  /** Local path to write to. */
  readonly path: string;
  /** Makes the complete file visible under its key (or `key`, when given), atomically: a rename, or an upload. */
  publish(key?: string): Promise<void>;
  /** Removes the local file (after a failure, or after an upload). */
  discard(): Promise<void>;
}

export interface DatasetStore {
  /** Where the dataset is, e.g. "/data/backfill" or "s3://bucket/prefix". */
  readonly location: string;
  /** Where `key` lives, for messages. */
  describe(key: string): string;
  /** The object's bytes, or null when there is none. */
  read(key: string): Promise<Uint8Array | null>;
  /** The object's bytes as a stream (for checksums of big files), or null when there is none. */
  stream(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Keys under `prefix` ("" for all), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Writes a small object (a manifest) atomically and durably. */
  writeBytes(key: string, bytes: Uint8Array): Promise<void>;
  /** A local file to write a big object into, to be published under `key`. */
  stage(key: string): Promise<StagedFile>;
  /** Removes an object; none there is no error. */
  remove(key: string): Promise<void>;
  /**
   * Removes the staged files that processes of this host left when they died before publishing
   * them (./staging-names.ts); answers where they were.
   */
  sweepStaged(): Promise<string[]>;
}
