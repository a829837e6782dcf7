// Timers that an AbortSignal can cut short.

/** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** Resolves after `ms`, or at once when `signal` aborts (for loops that check the signal themselves). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return pause(ms, signal).catch(() => undefined);
}
