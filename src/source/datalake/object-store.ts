// The only thing a data-lake source needs from storage: fetch an object by key. A local folder
// today (folder-store.ts); HTTPS and S3 adapters implement the same two methods.

export interface ObjectStore {
  /** The object's bytes, or null when nothing is stored under `key`. Any other failure throws. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null>;
  /** Where `key` lives (file path, URL, s3:// address), for messages; `describe("")` is the store root. */
  describe(key: string): string;
}
