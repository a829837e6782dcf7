// The ledger range an export covers, checked before it reaches SQL.
import type { LedgerRange } from "../../source/ledger-source.ts";
import { checkLedgerRange } from "../duckdb/ledger-range-check.ts";

export type { LedgerRange };

/** The inclusive `range` as SQL parameters [start, end]; throws when it is not a ledger range. */
export function rangeParameters(range: LedgerRange): [number, number] {
  checkLedgerRange(range.start, range.end, "for an export");
  return [range.start, range.end];
}
