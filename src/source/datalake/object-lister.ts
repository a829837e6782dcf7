// Listing a lake's keys (S3 ListObjectsV2 semantics), used to find its newest ledger. Keys are
// relative to the store root and come back in ascending byte order; SEP-54 names make that
// newest-first.

export interface ObjectListing {
  /** Object keys directly under the prefix (with a delimiter) or below it. */
  readonly keys: readonly string[];
  /** With a delimiter: the "folders", each ending in the delimiter. */
  readonly prefixes: readonly string[];
}

export interface ObjectLister {
  /** The first `maxKeys` entries (keys and prefixes together) under `prefix`. */
  list(prefix: string, options: { delimiter?: string; maxKeys: number; signal?: AbortSignal }): Promise<ObjectListing>;
}

export function isObjectLister(store: object): store is ObjectLister {
  return typeof (store as Partial<ObjectLister>).list === "function";
}
