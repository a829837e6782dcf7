// Waiting for work that may never finish (a file-system call on a hung mount) without being held
// by it: the caller gets an error at the deadline or when its signal aborts.

/** The outcome of `work`, or an error once `timeoutMs` passed ("`what` took longer than ...") or `signal` aborted. */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  signal?.throwIfAborted();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  work.catch(() => undefined); // settling after the deadline must not surface as unhandled
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
