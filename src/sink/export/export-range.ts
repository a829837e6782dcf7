// The ledger ranges an export covers, checked before they reach SQL: one range, or several (a run
// of `--ledgers 6154623,7320888,30822015-30822025` exports the three).
import type { LedgerRange } from "../../source/ledger-source.ts";
import { checkLedgerRange } from "../duckdb/ledger-range-check.ts";

export type { LedgerRange };

/** What an export is asked for: a range, or ranges. */
export type ExportRanges = LedgerRange | readonly LedgerRange[];

export interface RangeFilter {
  /** `(column BETWEEN $1 AND $2 OR ...)` over the parameters below. */
  readonly where: (column: string) => string;
  readonly parameters: number[];
  /** "100-109", or "1, 5-9" for messages. */
  readonly text: string;
}

/** The ranges as a SQL condition with parameters; throws when one is not a ledger range, or there are none. */
export function rangeFilter(asked: ExportRanges): RangeFilter {
  const ranges: readonly LedgerRange[] = "start" in asked ? [asked as LedgerRange] : (asked as readonly LedgerRange[]);
  if (ranges.length === 0) throw new Error("no ledger range to export");
  for (const range of ranges) checkLedgerRange(range.start, range.end, "for an export");
  return {
    where: (column) => `(${ranges.map((_, i) => `${column} BETWEEN $${2 * i + 1} AND $${2 * i + 2}`).join(" OR ")})`,
    parameters: ranges.flatMap((range) => [range.start, range.end]),
    text: ranges.map((range) => `${range.start}-${range.end}`).join(", "),
  };
}
