// A dataset in S3 or an S3-compatible store (s3://bucket/prefix), through Bun's S3 client. An
// object appears whole or not at all, so a file is written to a local temporary file first and
// uploaded under its final key once complete (Bun uploads big files in parts). Every request has a
// timeout and is retried with backoff (../source/retry).
import { rmSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "bun";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../source/retry/retry-policy.ts";
import { withRetry } from "../source/retry/with-retry.ts";
import { classifyS3Error, parseS3Url, s3ClientFor, type S3StoreOptions } from "../source/datalake/s3-store.ts";
import type { DatasetStore, StagedFile } from "./dataset-store.ts";
import { isOrphanedStagingFile, stagingName } from "./staging-names.ts";

/** Uploading a shard's file may take minutes; each try of it gets this long. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;
/** Staged files of S3 datasets live in the temporary folder, named so. */
const STAGED_PREFIX = "stellar-flow-staged-";

export class S3DatasetStore implements DatasetStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #retry: RetryPolicy;

  constructor(
    readonly location: string,
    options: S3StoreOptions = {},
  ) {
    const { bucket, prefix } = parseS3Url(location);
    this.#bucket = bucket;
    this.#prefix = prefix;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#client = s3ClientFor(bucket, options);
  }

  describe(key: string): string {
    return `s3://${this.#bucket}/${this.#prefix}${key}`;
  }

  #call<T>(what: string, task: () => Promise<T>, policy: RetryPolicy = this.#retry): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await task();
        } catch (error) {
          throw classifyS3Error(error);
        }
      },
      policy,
      { what },
    );
  }

  async read(key: string): Promise<Uint8Array | null> {
    return this.#call(`GET ${this.describe(key)}`, async () => {
      try {
        return await this.#client.file(this.#prefix + key).bytes();
      } catch (error) {
        if ((error as { code?: unknown }).code === "NoSuchKey") return null;
        throw error;
      }
    });
  }

  async stream(key: string): Promise<ReadableStream<Uint8Array> | null> {
    const file = this.#client.file(this.#prefix + key);
    const exists = await this.#call(`HEAD ${this.describe(key)}`, () => file.exists());
    return exists ? (file.stream() as ReadableStream<Uint8Array>) : null;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.#call(`list ${this.describe(prefix)}`, () =>
        this.#client.list({ prefix: this.#prefix + prefix, maxKeys: 1000, ...(continuationToken ? { continuationToken } : {}) }),
      );
      for (const entry of page.contents ?? []) keys.push(entry.key.slice(this.#prefix.length));
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (continuationToken);
    return keys.sort();
  }

  async writeBytes(key: string, bytes: Uint8Array): Promise<void> {
    await this.#call(`PUT ${this.describe(key)}`, () => this.#client.write(this.#prefix + key, bytes));
  }

  async stage(key: string): Promise<StagedFile> {
    const path = join(tmpdir(), `${STAGED_PREFIX}${stagingName(key)}`);
    const discard = async () => rmSync(path, { force: true });
    return {
      path,
      publish: async (as = key) => {
        await this.#call(`PUT ${this.describe(as)}`, () => this.#client.write(this.#prefix + as, Bun.file(path)), { ...this.#retry, timeoutMs: UPLOAD_TIMEOUT_MS });
        await discard();
      },
      discard,
    };
  }

  async remove(key: string): Promise<void> {
    await this.#call(`DELETE ${this.describe(key)}`, () => this.#client.delete(this.#prefix + key));
  }

  async sweepStaged(): Promise<string[]> {
    const names = (await readdir(tmpdir())).filter((name) => name.startsWith(STAGED_PREFIX) && isOrphanedStagingFile(name));
    const swept = names.map((name) => join(tmpdir(), name));
    for (const path of swept) rmSync(path, { force: true });
    return swept;
  }
}
