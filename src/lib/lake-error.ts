// What went wrong reading a ledger from a lake, sorted by whose problem it is, naming the ledger
// and the object. The edge API answers each kind with its own status (src/edge/error-response.ts).

export type LakeErrorKind =
  /** No object holds the ledger (yet). */
  | "not-found"
  /** The lake did not answer, or refused (network error, timeout, 5xx after retries, 403). */
  | "unreachable"
  /** An object or the manifest is not what it must be: bad zstd, undecodable XDR, wrong ledger, broken header hash or chain. */
  | "corrupt"
  /** The transaction set or results do not hash to what the ledger's header commits to. */
  | "tampered"
  /** The lake holds another network than the one asked for. */
  | "wrong-network"
  /** Something this reader does not handle (a batch of several ledgers without a LedgerCloseMeta measure). */
  | "unsupported";

export class LakeError extends Error {
  override readonly name = "LakeError";
  constructor(
    readonly kind: LakeErrorKind,
    message: string,
    readonly ledger: number | null,
    /** URL, path or key of the object (or manifest) concerned. */
    readonly object: string | null,
    options?: { cause?: unknown },
  ) {
    super(message + whereSuffix(ledger, object), options);
  }

  /** The same failure reported by a source (a SourceError or anything with `ledger` and `location`), as this kind. */
  static of(kind: LakeErrorKind, error: Error & { readonly ledger: number | null; readonly location: string | null }): LakeError {
    const suffix = whereSuffix(error.ledger, error.location);
    const detail = suffix !== "" && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
    return new LakeError(kind, detail, error.ledger, error.location, { cause: error });
  }
}

/** " (ledger N, object)", as SourceError words it. */
function whereSuffix(ledger: number | null, object: string | null): string {
  const where = [ledger !== null ? `ledger ${ledger}` : null, object || null].filter((part) => part !== null);
  return where.length > 0 ? ` (${where.join(", ")})` : "";
}
