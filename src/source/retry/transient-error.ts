/** A failure worth trying again (a 5xx, a 429, a timeout, a dropped connection, a cut-off body). */
export class TransientError extends Error {
  override readonly name = "TransientError";
  constructor(
    message: string,
    /** The server's Retry-After, in milliseconds, when it sent one. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
