// ObjectStore over plain HTTP(S) GETs, e.g. a public S3 bucket read anonymously. Listing uses the
// S3 ListObjectsV2 query on the bucket root: the host itself for virtual-hosted buckets
// (bucket.s3.region.amazonaws.com/prefix), else the first path segment (host/bucket/prefix).
import { fetchBytes } from "../http/fetch-bytes.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry/retry-policy.ts";
import { withRetry } from "../retry/with-retry.ts";
import { parseListBucketResult } from "./list-bucket-result.ts";
import type { ObjectLister, ObjectListing } from "./object-lister.ts";
import type { ObjectStore } from "./object-store.ts";

export interface HttpsStoreOptions {
  readonly retry?: RetryPolicy;
  /** The largest object read (default DEFAULT_MAX_FETCHED_OBJECT_BYTES); a larger body is refused unread. */
  readonly maxObjectBytes?: number;
}

/**
 * 256 MiB: a compressed ledger object is a fraction of its XDR (the largest of ../shared is 3.7 MB
 * decompressed), so this only stops a server that sends without end before it fills the memory.
 */
export const DEFAULT_MAX_FETCHED_OBJECT_BYTES = 256 * 1024 * 1024;
/** A ListObjectsV2 page of 1,000 keys is a few hundred KB of XML. */
const MAX_LISTING_BYTES = 16 * 1024 * 1024;

export class HttpsStore implements ObjectStore, ObjectLister {
  /** The lake root, ending in "/". */
  readonly #base: string;
  /** Bucket root URL (ending in "/") and the lake's key prefix within the bucket. */
  readonly #bucketRoot: string;
  readonly #prefix: string;
  readonly #retry: RetryPolicy;
  readonly #maxObjectBytes: number;

  constructor(baseUrl: string, options: HttpsStoreOptions = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`not an http(s) URL: ${baseUrl}`);
    url.search = "";
    url.hash = "";
    if (!url.pathname.endsWith("/")) url.pathname += "/";
    this.#base = url.href;
    const segments = url.pathname.split("/").filter((s) => s !== "");
    const virtualHosted = /\.s3[.-]/.test(url.hostname) && !/^s3[.-]/.test(url.hostname);
    const bucketSegments = virtualHosted ? 0 : Math.min(1, segments.length);
    this.#bucketRoot = `${url.origin}/${segments.slice(0, bucketSegments).map((s) => `${s}/`).join("")}`;
    const rest = segments.slice(bucketSegments).map(decodeURIComponent);
    this.#prefix = rest.length > 0 ? `${rest.join("/")}/` : "";
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_FETCHED_OBJECT_BYTES;
  }

  async get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    const url = this.describe(key);
    const response = await withRetry((signal) => fetchBytes(url, { signal }, [200, 404], { maxBytes: this.#maxObjectBytes }), this.#retry, { signal: options?.signal, what: `GET ${url}` });
    return response.status === 404 ? null : response.body;
  }

  async list(prefix: string, options: { delimiter?: string; maxKeys: number; signal?: AbortSignal }): Promise<ObjectListing> {
    const query = new URLSearchParams({ "list-type": "2", prefix: this.#prefix + prefix, "max-keys": String(options.maxKeys) });
    if (options.delimiter !== undefined) query.set("delimiter", options.delimiter);
    const url = `${this.#bucketRoot}?${query}`;
    const response = await withRetry((signal) => fetchBytes(url, { signal }, [200], { maxBytes: MAX_LISTING_BYTES }), this.#retry, { signal: options.signal, what: `list ${url}` });
    const listing = parseListBucketResult(new TextDecoder().decode(response.body));
    const relative = (k: string) => (k.startsWith(this.#prefix) ? k.slice(this.#prefix.length) : k);
    return { keys: listing.keys.map(relative), prefixes: listing.prefixes.map(relative) };
  }

  describe(key: string): string {
    return this.#base + key.split("/").map(encodeURIComponent).join("/");
  }
}
