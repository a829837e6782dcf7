// One HTTP request read to its last byte, its failure sorted into "try again" (TransientError:
// network errors, 408, 429, 5xx, a body cut short) or "give up" (HttpStatusError).
import { TransientError } from "../retry/transient-error.ts";
import { parseRetryAfter } from "./retry-after.ts";
import { messageOf } from "../../common/message-of.ts";

export interface HttpBytes {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** A response status that trying again will not fix (400, 401, 403, ...). */
export class HttpStatusError extends Error {
  override readonly name = "HttpStatusError";
  constructor(
    readonly status: number,
    readonly url: string,
    detail: string,
  ) {
    super(`HTTP ${status} from ${url}${detail ? `: ${detail}` : ""}`);
  }
}

/** A response body larger than the caller's cap: no retry (the same request would bring the same bytes). */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
  constructor(
    readonly url: string,
    readonly maxBytes: number,
    /** The declared length, or null when the body was cut off while streaming past the cap. */
    readonly declaredBytes: number | null,
  ) {
    super(`the response from ${url} is ${declaredBytes === null ? "more than" : `${declaredBytes} bytes, over`} the cap of ${maxBytes} bytes`);
  }
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Fetches `url` and reads the whole body. `okStatuses` lists the statuses handed back (default
 * 200 and 404, so a store can tell "not there" from a failure).
 */
export async function fetchBytes(
  url: string,
  init: RequestInit & { signal: AbortSignal },
  okStatuses: readonly number[] = [200, 404],
  limits: { readonly maxBytes?: number } = {},
): Promise<HttpBytes> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (init.signal.aborted) throw init.signal.reason;
    throw new TransientError(`request failed: ${messageOf(error)}`, null, { cause: error });
  }
  let body: Uint8Array;
  try {
    body = await readBody(response, url, limits.maxBytes ?? Number.POSITIVE_INFINITY);
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw error;
    if (init.signal.aborted) throw init.signal.reason;
    throw new TransientError(`response body cut short: ${messageOf(error)}`, null, { cause: error });
  }
  const declared = response.headers.get("content-length");
  if (declared !== null && !response.headers.has("content-encoding") && Number(declared) !== body.length) {
    throw new TransientError(`response body cut short: ${body.length} of ${declared} bytes`);
  }
  if (okStatuses.includes(response.status)) return { status: response.status, headers: response.headers, body };
  const detail = new TextDecoder().decode(body.subarray(0, 200)).trim();
  if (RETRYABLE_STATUS(response.status)) {
    throw new TransientError(`HTTP ${response.status}${detail ? `: ${detail}` : ""}`, parseRetryAfter(response.headers.get("retry-after")));
  }
  throw new HttpStatusError(response.status, url, detail);
}


/** The whole body, refused (and the rest left unread) once it would pass `maxBytes`. */
async function readBody(response: Response, url: string, maxBytes: number): Promise<Uint8Array> {
  if (maxBytes === Number.POSITIVE_INFINITY || response.body === null) return new Uint8Array(await response.arrayBuffer());
  const declared = response.headers.has("content-encoding") ? null : Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared !== null && declared > maxBytes) {
    await response.body.cancel().catch(() => {});
    throw new ResponseTooLargeError(url, maxBytes, declared);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLargeError(url, maxBytes, null);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
