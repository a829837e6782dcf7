// JSON-RPC 2.0 over HTTP POST (Stellar RPC), each call under a RetryPolicy: network errors,
// timeouts, 408/429/5xx (Retry-After honoured) and a body that is not JSON (cut short, or a
// proxy's error page) are tried again; a JSON-RPC error object is the server's answer and is not.
import { fetchBytes } from "../http/fetch-bytes.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry/retry-policy.ts";
import { TransientError } from "../retry/transient-error.ts";
import { withRetry } from "../retry/with-retry.ts";

/** The `error` member of a JSON-RPC response. */
export class JsonRpcError extends Error {
  override readonly name = "JsonRpcError";
  constructor(
    readonly code: number,
    readonly rpcMessage: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} at ${url} answered with error ${code}: ${rpcMessage}`);
  }
}

/**
 * The largest response read (256 MiB): about five default getLedgers pages of recent mainnet
 * ledgers; a server sending more (or without end) is refused before it fills the memory.
 */
export const DEFAULT_MAX_RPC_RESPONSE_BYTES = 256 * 1024 * 1024;

export class JsonRpcClient {
  #nextId = 1;
  readonly maxResponseBytes: number;
  constructor(
    readonly url: string,
    readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    limits: { readonly maxResponseBytes?: number } = {},
  ) {
    this.maxResponseBytes = limits.maxResponseBytes ?? DEFAULT_MAX_RPC_RESPONSE_BYTES;
  }

  /** The `result` of `method(params)`; a response over maxResponseBytes throws ResponseTooLargeError. */
  async call(method: string, params: Record<string, unknown> | undefined, options: { signal?: AbortSignal } = {}): Promise<unknown> {
    const id = this.#nextId++;
    const body = JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
    return withRetry(
      async (signal) => {
        const response = await fetchBytes(this.url, { method: "POST", headers: { "content-type": "application/json" }, body, signal }, [200], { maxBytes: this.maxResponseBytes });
        let message: unknown;
        try {
          message = JSON.parse(new TextDecoder().decode(response.body));
        } catch (error) {
          throw new TransientError(`malformed JSON in the ${method} response (${response.body.length} bytes)`, null, { cause: error });
        }
        if (typeof message !== "object" || message === null || Array.isArray(message)) {
          throw new TransientError(`the ${method} response is not a JSON-RPC object`);
        }
        const m = message as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
        if (m.error !== undefined && m.error !== null) {
          throw new JsonRpcError(Number(m.error.code), String(m.error.message ?? ""), method, this.url);
        }
        if (m.id !== id || !("result" in m)) throw new TransientError(`the ${method} response has no result for request id ${id}`);
        return m.result;
      },
      this.retry,
      { signal: options.signal, what: `${method} at ${this.url}` },
    );
  }
}
