// Runs a request under a RetryPolicy: each try gets its own timeout (through the AbortSignal it is
// handed), a TransientError or a timeout is tried again after a backoff, anything else fails at
// once, and the caller's signal stops everything immediately.
import { systemClock, type Clock } from "../../timing/clock.ts";
import { backoffDelayMs, type RetryPolicy } from "./retry-policy.ts";
import { TransientError } from "./transient-error.ts";

export interface RetryOptions {
  readonly signal?: AbortSignal;
  /** What is being fetched, for the final error, e.g. the URL. */
  readonly what: string;
  /** Called before each retry (for logs and tests). */
  readonly onRetry?: (error: TransientError, retry: number, delayMs: number) => void;
  readonly random?: () => number;
  /** Times the tries and the waits between them (default: the system's). */
  readonly clock?: Clock;
}

/** The last failure after a RetryPolicy ran out; `cause` is the last TransientError. */
export class RetriesExhaustedError extends Error {
  override readonly name = "RetriesExhaustedError";
}

export async function withRetry<T>(task: (signal: AbortSignal) => Promise<T>, policy: RetryPolicy, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let error: TransientError;
    // A try never runs past the overall budget.
    const budget = policy.maxElapsedMs === undefined ? Number.POSITIVE_INFINITY : policy.maxElapsedMs - (clock.now() - started);
    try {
      return await attemptWithTimeout(task, Math.max(1, Math.round(Math.min(policy.timeoutMs, budget))), options.signal, clock);
    } catch (caught) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!(caught instanceof TransientError)) throw caught;
      error = caught;
    }
    const delay = backoffDelayMs(attempt - 1, policy, error.retryAfterMs, options.random);
    const elapsed = clock.now() - started;
    if (attempt >= policy.attempts || (policy.maxElapsedMs !== undefined && elapsed + delay >= policy.maxElapsedMs)) {
      throw new RetriesExhaustedError(
        `${options.what}: ${error.message} (gave up after ${attempt} ${attempt === 1 ? "try" : "tries"} in ${(elapsed / 1000).toFixed(1)} s)`,
        { cause: error },
      );
    }
    options.onRetry?.(error, attempt, delay);
    await clock.sleep(delay, options.signal);
  }
}

async function attemptWithTimeout<T>(task: (signal: AbortSignal) => Promise<T>, timeoutMs: number, outer: AbortSignal | undefined, clock: Clock): Promise<T> {
  const controller = new AbortController();
  const timeout = new TransientError(`timed out after ${timeoutMs} ms`);
  const over = new AbortController(); // ends the timer once the try is over
  clock.sleep(timeoutMs, over.signal).then(
    () => controller.abort(timeout),
    () => undefined,
  );
  const onAbort = () => controller.abort(outer!.reason);
  outer?.addEventListener("abort", onAbort, { once: true });
  try {
    // The race makes the timeout hold even for a task that ignores its signal.
    return await Promise.race([
      task(controller.signal),
      new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true })),
    ]);
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason === timeout) throw timeout;
    throw error;
  } finally {
    over.abort();
    outer?.removeEventListener("abort", onAbort);
  }
}
