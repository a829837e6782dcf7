// A processed batch cut into one batch per ledger, for a run paced a ledger at a time (a batch of 16
// ledgers would otherwise land at once and then wait 16 seconds at 1 ledger/s). Arrow slices share
// the batch's buffers; the sink reads sliced columns as they are.
import type { ProcessedStats } from "../arrow/processed-batch.ts";
import type { SinkBatch } from "./sink-loop.ts";

/**
 * `batch` as one batch per ledger, in order. Each slice's `stats` (when the batch has them) are
 * recounted from its rows; events the filter dropped are counted with the last slice, and so is the
 * batch's `failure` (the processor stopped after its last ledger).
 */
export function ledgerSlices<B extends SinkBatch>(batch: B): B[] {
  const count = batch.ledgers.numRows;
  if (count <= 1) return [batch];
  const sequences = batch.ledgers.getChild("sequence")!;
  const eventLedgers = batch.events.getChild("ledger_sequence");
  const slices: B[] = [];
  let eventStart = 0;
  for (let i = 0; i < count; i++) {
    const sequence = sequences.get(i) as number;
    let eventEnd = eventStart;
    while (eventLedgers && eventEnd < batch.events.numRows && (eventLedgers.get(eventEnd) as number) === sequence) eventEnd++;
    const last = i === count - 1;
    const ledgers = batch.ledgers.slice(i, i + 1);
    const events = batch.events.slice(eventStart, last ? batch.events.numRows : eventEnd);
    const slice = { ...batch, ledgers, events, firstLedger: sequence, lastLedger: sequence } as B & { stats?: ProcessedStats; failure?: unknown };
    if ("stats" in batch) slice.stats = sliceStats(ledgers, events, last ? (batch.stats as ProcessedStats).eventsFiltered : 0);
    if ("failure" in batch && !last) slice.failure = null;
    slices.push(slice);
    eventStart = eventEnd;
  }
  return slices;
}

function sliceStats(ledgers: SinkBatch["ledgers"], events: SinkBatch["events"], eventsFiltered: number): ProcessedStats {
  const number = (column: string) => (ledgers.getChild(column)?.get(0) as number | undefined) ?? 0;
  const eventsByType: Record<string, number> = {};
  const types = events.getChild("event_type");
  for (let row = 0; row < events.numRows; row++) {
    const type = types?.get(row) as string;
    eventsByType[type] = (eventsByType[type] ?? 0) + 1;
  }
  const failed = number("failed_tx_count");
  return { transactions: number("successful_tx_count") + failed, failedTransactions: failed, operations: number("operation_count"), eventsByType, eventsFiltered };
}
