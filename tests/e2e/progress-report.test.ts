import { describe, expect, test } from "bun:test";
import { progressLine, summaryLines } from "../../src/cli/progress-report.ts";
import type { PipelineProgress } from "../../src/pipeline/run-pipeline.ts";

const progress = (end: number): PipelineProgress => ({
  range: { start: 100, end },
  lastLedger: 104,
  ledgers: 5,
  transactions: 9,
  failedTransactions: 2,
  operations: 20,
  events: 30,
  eventsByType: { fee: 9, transfer: 21 },
  elapsedMs: 500,
});

describe("progress report", () => {
  test("a bounded run shows its position in the range and rates", () => {
    expect(progressLine(progress(109))).toBe("ledger 104 (5/10) | 10 ledgers/s | 60 events/s | 30 events");
    expect(summaryLines(progress(109))).toEqual([
      "ledgers      5 (100-109)",
      "transactions 9 (7 successful, 2 failed), 20 operations",
      "events       30 (transfer 21, mint 0, burn 0, clawback 0, fee 9)",
      "time         0.50 s (10 ledgers/s, 60 events/s)",
    ]);
  });

  test("a --follow run has no end: no Infinity anywhere", () => {
    expect(progressLine(progress(Infinity))).toBe("ledger 104 (5, following) | 10 ledgers/s | 60 events/s | 30 events");
    expect(summaryLines(progress(Infinity))[0]).toBe("ledgers      5 (100-)");
  });
});
