// How often and how patiently a failed request is tried again: exponential backoff with full
// jitter (a random delay in [0, min(maxDelay, baseDelay * 2^retry)]), so many clients that failed
// together do not come back together. A server's Retry-After replaces the backoff, capped.

export interface RetryPolicy {
  /** Tries in all, the first included (>= 1). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A server's Retry-After is honoured up to this many milliseconds. */
  readonly maxRetryAfterMs: number;
  /** Each try is abandoned (and counts as a transient failure) after this long. */
  readonly timeoutMs: number;
  /** No new try starts once this much time has passed since the first (default: no limit). */
  readonly maxElapsedMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  timeoutMs: 30_000,
};

/** Delay before retry number `retry` (0 for the first retry). `random` returns a number in [0, 1). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
