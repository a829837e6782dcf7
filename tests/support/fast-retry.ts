// A retry policy with millisecond delays, so fault tests finish in well under a second.
import type { RetryPolicy } from "../../src/source/retry/retry-policy.ts";

export const FAST_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 150, timeoutMs: 1_000 };
