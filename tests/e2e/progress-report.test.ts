import { describe, expect, test } from "bun:test";
import { formatRate, progressLine, summaryLines } from "../../src/cli/progress-report.ts";
import type { PipelineProgress } from "../../src/pipeline/run-pipeline.ts";

const progress = (end: number, elapsedMs = 500): PipelineProgress => ({
  range: { start: 100, end },
  lastLedger: 104,
  ledgers: 5,
  transactions: 9,
  failedTransactions: 2,
  operations: 20,
  events: 30,
  eventsByType: { fee: 9, transfer: 21 },
  elapsedMs,
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

  test("a run slower than a ledger a second prints its rates with a decimal, not as 0", () => {
    // 5 ledgers and 30 events in 10 s: the README demo's pace, halved
    expect(progressLine(progress(109, 10_000))).toBe("ledger 104 (5/10) | 0.5 ledgers/s | 3 events/s | 30 events");
    expect(summaryLines(progress(109, 10_000))[3]).toBe("time         10.00 s (0.5 ledgers/s, 3 events/s)");
    expect(summaryLines(progress(109, 125_000))[3]).toBe("time         125.00 s (0.04 ledgers/s, 0.2 events/s)");
  });

  test("rates: whole numbers from 1 up, one significant digit below, 0 for nothing", () => {
    expect([1234.5, 1, 0.96, 0.5, 0.25, 0.04, 0, Number.NaN, Infinity].map(formatRate)).toEqual(["1235", "1", "1", "0.5", "0.3", "0.04", "0", "0", "0"]);
  });
});
