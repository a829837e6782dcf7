// ObjectStore over Bun's S3 client: `s3://bucket/prefix`, credentials from the usual AWS
// environment variables, any S3-compatible endpoint. The client does not take an AbortSignal,
// so withRetry's timeout races it.
import { S3Client } from "bun";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry/retry-policy.ts";
import { TransientError } from "../retry/transient-error.ts";
import { withRetry } from "../retry/with-retry.ts";
import type { ObjectLister, ObjectListing } from "./object-lister.ts";
import type { ObjectStore } from "./object-store.ts";
import { messageOf } from "../../common/message-of.ts";

export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:9000 for MinIO; default: AWS, from the environment. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly retry?: RetryPolicy;
}

// Bun reports 429 and 5xx without an S3 error document as "UnknownError".
const TRANSIENT_CODES = new Set(["UnknownError", "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "Throttling", "ThrottlingException"]);

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return true; // a network failure
  return TRANSIENT_CODES.has(code) || /^Connection|Timeout|TimedOut/i.test(code);
}

/** A failure of Bun's S3 client as this project reports it: missing credentials explained, transient ones retried. */
export function classifyS3Error(error: unknown): unknown {
  if ((error as { code?: unknown } | null)?.code === "ERR_S3_MISSING_CREDENTIALS") {
    return new Error(
      "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a public bucket can be read anonymously over https://BUCKET.s3.REGION.amazonaws.com/PREFIX)",
      { cause: error },
    );
  }
  if (!isTransient(error)) return error;
  const code = (error as { code?: unknown }).code;
  return new TransientError(`${typeof code === "string" ? `${code}: ` : ""}${messageOf(error)}`, null, { cause: error });
}

/** Splits `s3://bucket/some/prefix` into bucket and key prefix ("some/prefix/"). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match || match[1] === "") throw new Error(`not an s3:// URL: ${url}`);
  const rest = match[2]!.replace(/\/+$/, "");
  return { bucket: match[1]!, prefix: rest === "" ? "" : `${rest}/` };
}

/** Bun's S3 client for `bucket`, with credentials and endpoint from `options` or the usual AWS environment variables. */
export function s3ClientFor(bucket: string, options: Omit<S3StoreOptions, "retry"> = {}, env: Record<string, string | undefined> = process.env): S3Client {
  return new S3Client({
    bucket,
    endpoint: options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    accessKeyId: options.accessKeyId ?? env.AWS_ACCESS_KEY_ID,
    secretAccessKey: options.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY,
    sessionToken: options.sessionToken ?? env.AWS_SESSION_TOKEN,
  });
}

export class S3Store implements ObjectStore, ObjectLister {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #retry: RetryPolicy;

  constructor(url: string, options: S3StoreOptions = {}) {
    const { bucket, prefix } = parseS3Url(url);
    this.#bucket = bucket;
    this.#prefix = prefix;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#client = s3ClientFor(bucket, options);
  }

  async get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    return withRetry(
      async () => {
        try {
          return await this.#client.file(this.#prefix + key).bytes();
        } catch (error) {
          if ((error as { code?: unknown }).code === "NoSuchKey") return null;
          throw classifyS3Error(error);
        }
      },
      this.#retry,
      { signal: options?.signal, what: `GET ${this.describe(key)}` },
    );
  }

  async list(prefix: string, options: { delimiter?: string; maxKeys: number; signal?: AbortSignal }): Promise<ObjectListing> {
    const response = await withRetry(
      async () => {
        try {
          return await this.#client.list({ prefix: this.#prefix + prefix, delimiter: options.delimiter, maxKeys: options.maxKeys });
        } catch (error) {
          throw classifyS3Error(error);
        }
      },
      this.#retry,
      { signal: options.signal, what: `list ${this.describe(prefix)}` },
    );
    const relative = (k: string) => (k.startsWith(this.#prefix) ? k.slice(this.#prefix.length) : k);
    return {
      keys: (response.contents ?? []).map((c) => relative(c.key)),
      prefixes: (response.commonPrefixes ?? []).map((p) => relative(p.prefix)),
    };
  }

  describe(key: string): string {
    return `s3://${this.#bucket}/${this.#prefix}${key}`;
  }
}
