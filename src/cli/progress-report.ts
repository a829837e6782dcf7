// Human-readable progress and summary lines for the pipeline.
import type { PipelineProgress } from "../pipeline/run-pipeline.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";

/**
 * A rate for people: whole numbers from 1 up, one significant digit below ("0.5", "0.04"), so that
 * a run paced at 0.5 ledgers/s does not print "0 ledgers/s".
 */
export function formatRate(perSecond: number): string {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return "0";
  return perSecond >= 1 ? String(Math.round(perSecond)) : String(Number(perSecond.toPrecision(1)));
}

const rate = (count: number, ms: number) => (ms > 0 ? formatRate((count * 1000) / ms) : "0");

/** "start-end", or "start-" when following the network with no end. */
const rangeText = (p: PipelineProgress) => `${p.range.start}-${Number.isFinite(p.range.end) ? p.range.end : ""}`;

export function progressLine(p: PipelineProgress): string {
  const position = Number.isFinite(p.range.end) ? `${p.ledgers}/${p.range.end - p.range.start + 1}` : `${p.ledgers}, following`;
  return `ledger ${p.lastLedger} (${position}) | ${rate(p.ledgers, p.elapsedMs)} ledgers/s | ${rate(p.events, p.elapsedMs)} events/s | ${p.events} events`;
}

export function summaryLines(p: PipelineProgress): string[] {
  const byType = TTP_EVENT_TYPES.map((t) => `${t} ${p.eventsByType[t] ?? 0}`).join(", ");
  return [
    `ledgers      ${p.ledgers} (${rangeText(p)})`,
    `transactions ${p.transactions} (${p.transactions - p.failedTransactions} successful, ${p.failedTransactions} failed), ${p.operations} operations`,
    `events       ${p.events} (${byType})`,
    `time         ${(p.elapsedMs / 1000).toFixed(2)} s (${rate(p.ledgers, p.elapsedMs)} ledgers/s, ${rate(p.events, p.elapsedMs)} events/s)`,
  ];
}
