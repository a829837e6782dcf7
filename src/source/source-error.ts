/** A failure reading or validating a ledger, naming the ledger and where it came from. */
export class SourceError extends Error {
  override readonly name = "SourceError";
  constructor(
    message: string,
    readonly ledger: number | null,
    /** Object key, file path or URL the ledger was read from. */
    readonly location: string | null,
    options?: { cause?: unknown },
  ) {
    super(
      `${message}${ledger !== null ? ` (ledger ${ledger}` : ""}${location ? `${ledger !== null ? ", " : " ("}${location}` : ""}${
        ledger !== null || location ? ")" : ""
      }`,
      options,
    );
  }
}
