// The getLedgers call of Stellar RPC: request parameters and a checked reading of its result.
// Request: { startLedger } or { pagination: { cursor } } (never both), pagination.limit <= 200,
// xdrFormat "base64". Result: { ledgers: [{ sequence, hash, ledgerCloseTime, headerXdr,
// metadataXdr }], latestLedger, oldestLedger, cursor }.

/** Stellar RPC serves at most this many ledgers per page. */
export const GET_LEDGERS_MAX_LIMIT = 200;

export interface RpcLedger {
  readonly sequence: number;
  readonly hash: string;
  /** metadataXdr: base64 LedgerCloseMeta. */
  readonly metadataXdr: string;
}

export interface GetLedgersPage {
  readonly ledgers: readonly RpcLedger[];
  readonly latestLedger: number;
  readonly oldestLedger: number;
  readonly cursor: string | null;
}

export function getLedgersParams(from: { startLedger: number } | { cursor: string }, limit: number): Record<string, unknown> {
  return "cursor" in from
    ? { pagination: { cursor: from.cursor, limit }, xdrFormat: "base64" }
    : { startLedger: from.startLedger, pagination: { limit }, xdrFormat: "base64" };
}

const isSequence = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Reads a getLedgers result; throws an Error naming the first field that is not as documented. */
export function parseGetLedgersResult(result: unknown): GetLedgersPage {
  if (typeof result !== "object" || result === null) throw new Error("getLedgers result is not an object");
  const r = result as Record<string, unknown>;
  if (!isSequence(r.latestLedger)) throw new Error(`getLedgers result: latestLedger is ${JSON.stringify(r.latestLedger)}`);
  if (!isSequence(r.oldestLedger)) throw new Error(`getLedgers result: oldestLedger is ${JSON.stringify(r.oldestLedger)}`);
  if (!Array.isArray(r.ledgers)) throw new Error("getLedgers result: ledgers is not an array");
  const ledgers = r.ledgers.map((entry: unknown, i): RpcLedger => {
    const l = (entry ?? {}) as Record<string, unknown>;
    if (!isSequence(l.sequence)) throw new Error(`getLedgers result: ledgers[${i}].sequence is ${JSON.stringify(l.sequence)}`);
    if (typeof l.metadataXdr !== "string") throw new Error(`getLedgers result: ledgers[${i}] (ledger ${l.sequence}) has no base64 metadataXdr`);
    return { sequence: l.sequence, hash: typeof l.hash === "string" ? l.hash : "", metadataXdr: l.metadataXdr };
  });
  return { ledgers, latestLedger: r.latestLedger, oldestLedger: r.oldestLedger, cursor: typeof r.cursor === "string" && r.cursor !== "" ? r.cursor : null };
}
