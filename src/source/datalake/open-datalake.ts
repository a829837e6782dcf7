// Builds a DataLakeSource from where the lake lives: a folder, an http(s):// URL or s3://bucket/prefix.
import { SourceError } from "../source-error.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry/retry-policy.ts";
import { RetriesExhaustedError } from "../retry/with-retry.ts";
import { readDataLakeConfig } from "./config.ts";
import { DataLakeSource, type DataLakeSourceOptions } from "./datalake-source.ts";
import { FolderStore } from "./folder-store.ts";
import { HttpsStore } from "./https-store.ts";
import type { ObjectStore } from "./object-store.ts";
import { S3Store } from "./s3-store.ts";
import { bunZstdDecompress } from "./zstd-bun.ts";

export interface OpenDataLakeOptions extends Omit<DataLakeSourceOptions, "store" | "config" | "decompress"> {
  readonly decompress?: DataLakeSourceOptions["decompress"];
  /** Endpoint of an S3-compatible store for s3:// lakes (default: AWS). */
  readonly s3Endpoint?: string;
  readonly retry?: RetryPolicy;
  /** Reading the manifest gives up after this long (default 12 s), so an unreachable lake fails fast. */
  readonly openTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_OPEN_TIMEOUT_MS = 12_000;

export function isRemoteLake(location: string): boolean {
  return /^(https?|s3):\/\//i.test(location);
}

export function objectStoreFor(location: string, options: Pick<OpenDataLakeOptions, "s3Endpoint" | "retry"> = {}): ObjectStore {
  if (/^s3:\/\//i.test(location)) return new S3Store(location, { endpoint: options.s3Endpoint, retry: options.retry });
  if (/^https?:\/\//i.test(location)) return new HttpsStore(location, { retry: options.retry });
  return new FolderStore(location);
}

/** Reads and validates the lake's manifest, then returns a source over the lake. */
export async function openDataLake(location: string, options: OpenDataLakeOptions = {}): Promise<DataLakeSource> {
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const store = objectStoreFor(location, options);
  const openTimeoutMs = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  const manifestStore = isRemoteLake(location)
    ? objectStoreFor(location, { ...options, retry: { ...retry, timeoutMs: Math.min(retry.timeoutMs, openTimeoutMs), maxElapsedMs: openTimeoutMs } })
    : store;
  let config;
  try {
    config = await readDataLakeConfig(manifestStore, { signal: options.signal });
  } catch (error) {
    // Only a lake that could not be reached at all (retries ran out) earns the offline hint.
    if (!(error instanceof SourceError) || !isRemoteLake(location) || !(error.cause instanceof RetriesExhaustedError)) throw error;
    throw new SourceError(
      `${error.message}. Is this machine offline? Point the pipeline at a local lake instead, e.g. --datalake ../shared/ledgers/pubnet --start 30822015 --end 30822025`,
      null,
      null,
      { cause: error },
    );
  }
  const { s3Endpoint: _, retry: __, openTimeoutMs: ___, signal: ____, ...sourceOptions } = options;
  return new DataLakeSource({ ...sourceOptions, store, config, decompress: options.decompress ?? bunZstdDecompress });
}
