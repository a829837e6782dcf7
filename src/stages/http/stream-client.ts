// The client side of the data plane: reads an upstream's frames from a start ledger, and when the
// connection drops (the upstream died or restarted), reconnects with backoff and resumes from the
// ledger after the last one it handed on. "E" ends the stream; "X" is the upstream's failure.
import { sleep } from "../../timing/sleep.ts";
import { FrameError, partJson, readFrames, type Frame } from "./frames.ts";
import type { EndHeader, ErrorHeader } from "./batch-frames.ts";
import type { Upstream } from "./upstream.ts";
import { messageOf } from "../../common/message-of.ts";

export interface ReconnectPolicy {
  /** Failed connections in a row (without a frame between them) before giving up. */
  readonly attempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** The response headers must come within this long. */
  readonly connectTimeoutMs: number;
  /** A connection silent for this long is dropped and made again. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { attempts: 40, initialBackoffMs: 200, maxBackoffMs: 3000, connectTimeoutMs: 10_000, idleTimeoutMs: 120_000 };

/** The upstream stopped for good (its "X" frame), or could not be reached within the policy. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  constructor(
    message: string,
    /** true: the upstream itself failed ("X" frame, a 4xx); false: it could not be reached. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface Position {
  /** Next ledger to ask for; null: the upstream's own start. */
  readonly start: number | null;
  /** Hash of ledger start - 1, when known: the upstream checks that its first ledger chains to it. */
  readonly previousHash: string | null;
}

export interface StreamReadOptions<T> {
  readonly upstream: Upstream;
  /** e.g. "/v1/ledgers" */
  readonly path: string;
  readonly from: Position;
  /** The item of a "B" frame and the position after it. */
  readonly decode: (frame: Frame) => { item: T; next: Position };
  readonly policy?: Partial<ReconnectPolicy>;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
  /** Called with each response's headers (e.g. the network passphrase). */
  readonly onConnect?: (headers: Headers, endpoint: string) => void;
}

export interface StreamEnd {
  readonly lastLedger: number;
}

/** Yields the items in order; returns the "E" frame's header; throws UpstreamError. */
export async function* readUpstream<T>(options: StreamReadOptions<T>): AsyncGenerator<T, StreamEnd> {
  const policy = { ...DEFAULT_RECONNECT, ...options.policy };
  const log = options.log ?? (() => {});
  let position = options.from;
  let failures = 0;
  let lastProblem = "";
  for (;;) {
    options.signal?.throwIfAborted();
    const connection = new AbortController();
    const abortAll = () => connection.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", abortAll, { once: true });
    let endpoint: string | null = null;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number, why: string) => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(new Error(why)), ms);
    };
    try {
      endpoint = await options.upstream.endpoint(connection.signal);
      const url = new URL(options.path, endpoint.endsWith("/") ? endpoint : `${endpoint}/`);
      if (position.start !== null) url.searchParams.set("start", String(position.start));
      if (position.previousHash) url.searchParams.set("previous_hash", position.previousHash);
      arm(policy.connectTimeoutMs, `no answer from ${url} within ${policy.connectTimeoutMs} ms`);
      const token = options.upstream.streamToken;
      const response = await fetch(url, { signal: connection.signal, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
      if (!response.ok || !response.body) {
        const text = (await response.text().catch(() => "")).slice(0, 500);
        // a 4xx is the upstream refusing the request itself: retrying will not help
        if (response.status >= 400 && response.status < 500) throw new UpstreamError(`${url} answered ${response.status}: ${text}`, true);
        throw new Error(`${url} answered ${response.status}: ${text}`);
      }
      options.onConnect?.(response.headers, endpoint);
      if (failures > 0) log(`upstream: reconnected to ${endpoint}, resuming at ledger ${position.start ?? "(its start)"}`);
      arm(policy.idleTimeoutMs, `${url} sent nothing for ${policy.idleTimeoutMs} ms`);
      for await (const frame of readFrames(response.body)) {
        arm(policy.idleTimeoutMs, `${url} sent nothing for ${policy.idleTimeoutMs} ms`);
        if (frame.kind === "X") {
          const error = partJson<ErrorHeader>(frame.parts[0]);
          throw new UpstreamError(`${error.stage} (${endpoint}): ${error.message}`, true);
        }
        if (frame.kind === "E") return partJson<EndHeader>(frame.parts[0]);
        const { item, next } = options.decode(frame);
        failures = 0;
        position = next;
        clearTimeout(idle);
        yield item;
        arm(policy.idleTimeoutMs, `${url} sent nothing for ${policy.idleTimeoutMs} ms`);
      }
      throw new Error(`${url}: the stream ended without its end frame (the upstream stopped)`);
    } catch (error) {
      if (error instanceof UpstreamError || options.signal?.aborted) throw error;
      if (error instanceof FrameError) lastProblem = `corrupt stream: ${error.message}`;
      else lastProblem = (connection.signal.reason instanceof Error ? connection.signal.reason.message : null) ?? messageOf(error);
      if (endpoint) options.upstream.failed(endpoint);
      failures++;
      if (failures > policy.attempts) {
        throw new UpstreamError(`gave up on the upstream (${options.upstream.describe()}) after ${policy.attempts} attempts: ${lastProblem}`, false);
      }
      if (failures === 1 || failures % 10 === 0) log(`upstream: ${lastProblem}; reconnecting (attempt ${failures} of ${policy.attempts})`);
      const delay = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (failures - 1)) * (0.7 + Math.random() * 0.3);
      await sleep(delay, options.signal);
    } finally {
      clearTimeout(idle);
      options.signal?.removeEventListener("abort", abortAll);
      connection.abort(); // closes the body when the consumer stopped early
    }
  }
}

