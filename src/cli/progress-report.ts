// Human-readable progress and summary lines for the pipeline.
import type { PipelineProgress } from "../pipeline/run-pipeline.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";
import type { LedgerRange } from "../source/ledger-source.ts";
import type { ExportReport } from "../sink/open-sink.ts";

/**
 * A rate for people: whole numbers from 1 up, one significant digit below ("0.5", "0.04"), so that
 * a run paced at 0.5 ledgers/s does not print "0 ledgers/s".
 */
export function formatRate(perSecond: number): string {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return "0";
  return perSecond >= 1 ? String(Math.round(perSecond)) : String(Number(perSecond.toPrecision(1)));
}

const rate = (count: number, ms: number) => (ms > 0 ? formatRate((count * 1000) / ms) : "0");

/** "start-end", "start" for one ledger, or "start-" when following the network with no end. */
const rangeText = (range: LedgerRange) => (range.start === range.end ? `${range.start}` : `${range.start}-${Number.isFinite(range.end) ? range.end : ""}`);

export function progressLine(p: PipelineProgress): string {
  const position = Number.isFinite(p.range.end) ? `${p.ledgers}/${p.range.end - p.range.start + 1}` : `${p.ledgers}, following`;
  return `ledger ${p.lastLedger} (${position}) | ${rate(p.ledgers, p.elapsedMs)} ledgers/s | ${rate(p.events, p.elapsedMs)} events/s | ${p.events} events`;
}

/** The summary of a run over one range (`ranges`: of several, for the overall one). */
export function summaryLines(p: PipelineProgress, ranges: readonly LedgerRange[] = [p.range]): string[] {
  const byType = TTP_EVENT_TYPES.map((t) => `${t} ${p.eventsByType[t] ?? 0}`).join(", ");
  return [
    `ledgers      ${p.ledgers} (${ranges.map(rangeText).join(", ")})`,
    `transactions ${p.transactions} (${p.transactions - p.failedTransactions} successful, ${p.failedTransactions} failed), ${p.operations} operations`,
    `events       ${p.events} (${byType})`,
    `time         ${(p.elapsedMs / 1000).toFixed(2)} s (${rate(p.ledgers, p.elapsedMs)} ledgers/s, ${rate(p.events, p.elapsedMs)} events/s)`,
  ];
}

/** The overall summary of a run over several ranges: their totals, after a line naming how many. */
export function overallLines(runs: readonly PipelineProgress[]): string[] {
  const eventsByType: Record<string, number> = {};
  for (const run of runs) for (const [type, count] of Object.entries(run.eventsByType)) eventsByType[type] = (eventsByType[type] ?? 0) + count;
  const sum = (field: "ledgers" | "transactions" | "failedTransactions" | "operations" | "events" | "elapsedMs") => runs.reduce((n, run) => n + run[field], 0);
  const total: PipelineProgress = {
    range: runs[0]!.range,
    lastLedger: runs[runs.length - 1]!.lastLedger,
    ledgers: sum("ledgers"),
    transactions: sum("transactions"),
    failedTransactions: sum("failedTransactions"),
    operations: sum("operations"),
    events: sum("events"),
    eventsByType,
    elapsedMs: sum("elapsedMs"),
  };
  return [`all ${runs.length} ranges`, ...summaryLines(total, runs.map((run) => run.range))];
}

/**
 * What a --ledgers run left to read, as a --ledgers list: the rest of the range it stopped in (after
 * `cursor`, the last ledger committed) and the ranges after it; `finished`: the ranges it completed.
 */
export function remainingLedgers(ranges: readonly LedgerRange[], finished: number, cursor: number | null): string {
  const rest: LedgerRange[] = [];
  ranges.slice(finished).forEach((range, i) => {
    const from = i === 0 && cursor !== null && cursor >= range.start ? cursor + 1 : range.start;
    if (from <= range.end) rest.push({ start: from, end: range.end });
  });
  return rest.map(rangeText).join(",");
}

/** The lines saying what a run exported. */
export function exportLines(report: ExportReport): string[] {
  return [
    ...(report.json ? [`exported     ${report.json.events} events to ${report.json.file}`] : []),
    ...(report.parquet ? [`exported     ${report.parquet.events} events and ${report.parquet.ledgers} ledgers as Parquet to ${report.parquet.dir}`] : []),
  ];
}
