// The one way to wait: a timer that an AbortSignal cuts short. An abort always rejects (with the
// signal's reason), so every loop that waits stops where it waits; one that should end quietly on
// an abort catches it there.

/** Resolves after `ms`; rejects with the signal's reason when it aborts first (or had already). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
