// The `{seq}` or `{start}-{end}` of /v1/ledgers/{range}/events (and GetLedgerEvents' fields): an
// inclusive, ascending range no longer than the server's cap. A RangeRefusal says what is wrong.

export interface LedgerRange {
  readonly start: number;
  readonly end: number;
}

export class RangeRefusal extends Error {
  override readonly name = "RangeRefusal";
  /** "invalid": not a range (400 / INVALID_ARGUMENT); "too-long": past the cap (400 / OUT_OF_RANGE). */
  constructor(readonly reason: "invalid" | "too-long", message: string) {
    super(message);
  }
}

const MAX_SEQUENCE = 0xffffffff;

function sequence(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d{1,10}$/.test(text) || value < 1 || value > MAX_SEQUENCE) throw new RangeRefusal("invalid", `${what} ${JSON.stringify(text)} is not a ledger sequence (1 to ${MAX_SEQUENCE})`);
  return value;
}

/** Checks a range given as numbers (from a request message). */
export function checkLedgerRange(start: number, end: number, maxLedgers: number): LedgerRange {
  sequence(String(start), "ledger");
  sequence(String(end), "end ledger");
  if (end < start) throw new RangeRefusal("invalid", `ledger range ${start}-${end} is reversed: the end comes before the start`);
  const count = end - start + 1;
  if (count > maxLedgers) {
    throw new RangeRefusal("too-long", `ledger range ${start}-${end} holds ${count} ledgers, more than the ${maxLedgers} one request may ask for (STELLAR_FLOW_MAX_LEDGERS_PER_REQUEST)`);
  }
  return { start, end };
}

/** Parses "N" or "START-END" from a path. */
export function parseLedgerRange(text: string, maxLedgers: number): LedgerRange {
  const match = /^([^-]+)(?:-(.+))?$/.exec(text);
  if (!match) throw new RangeRefusal("invalid", `${JSON.stringify(text)} is neither a ledger (N) nor a range (START-END)`);
  const start = sequence(match[1]!, "ledger");
  const end = match[2] === undefined ? start : sequence(match[2], "end ledger");
  return checkLedgerRange(start, end, maxLedgers);
}
