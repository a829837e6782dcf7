// Human-readable progress and summary lines for the pipeline.
import type { PipelineProgress } from "../components/pipeline.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";

const rate = (count: number, ms: number) => (ms > 0 ? Math.round((count * 1000) / ms) : 0);

export function progressLine(p: PipelineProgress): string {
  const total = p.range.end - p.range.start + 1;
  return `ledger ${p.lastLedger} (${p.ledgers}/${total}) | ${rate(p.ledgers, p.elapsedMs)} ledgers/s | ${rate(p.events, p.elapsedMs)} events/s | ${p.events} events`;
}

export function summaryLines(p: PipelineProgress): string[] {
  const byType = TTP_EVENT_TYPES.map((t) => `${t} ${p.eventsByType[t] ?? 0}`).join(", ");
  return [
    `ledgers      ${p.ledgers} (${p.range.start}-${p.range.end})`,
    `transactions ${p.transactions} (${p.transactions - p.failedTransactions} successful, ${p.failedTransactions} failed), ${p.operations} operations`,
    `events       ${p.events} (${byType})`,
    `time         ${(p.elapsedMs / 1000).toFixed(2)} s (${rate(p.ledgers, p.elapsedMs)} ledgers/s, ${rate(p.events, p.elapsedMs)} events/s)`,
  ];
}
