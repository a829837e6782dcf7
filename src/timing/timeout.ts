// Waiting for a promise, but not for ever: the outcome, or word that the time ran out. The promise
// itself is left running (a file-system call on a hung mount cannot be cancelled); only the wait ends.

export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * The promise's outcome, or TIMED_OUT once `ms` passed (at once when `ms` <= 0 and it has not
 * settled); rejects with the signal's reason when `signal` aborts first.
 */
export async function raceTimeout<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | typeof TIMED_OUT> {
  signal?.throwIfAborted();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve, reject) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => undefined); // settling after the deadline must not surface as unhandled
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/** The outcome of `work`, or an error once `timeoutMs` passed ("`what` took longer than ...") or `signal` aborted. */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  const outcome = await raceTimeout(work, timeoutMs, signal);
  if (outcome === TIMED_OUT) throw new Error(`${what} took longer than ${timeoutMs} ms`);
  return outcome;
}
