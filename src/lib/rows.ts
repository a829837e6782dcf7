// The data contract's rows as JSON (../shared/ENGINEERING.md): what `--export-json` writes for
// `ttp_events` (amount as a decimal string, closed_at ISO-8601 UTC with milliseconds), and the
// `ledgers` row with the same column names; both from the table declarations.
import { TTP_EVENTS, type EventRow } from "../arrow/event-batch.ts";
import { LEDGERS, type LedgerRow, type LedgerSummary } from "../arrow/ledger-summary-batch.ts";
import { jsonRow } from "../arrow/table.ts";
import type { TtpEvent } from "../ttp/event.ts";

export type { EventRow, LedgerRow };
export { isoTime } from "../arrow/table.ts";

/** `eventIndex`: the event's position in its ledger's full list of events. */
export function eventRow(event: TtpEvent, eventIndex: number): EventRow {
  return jsonRow(TTP_EVENTS, event, { event_index: eventIndex });
}

/** Every event of one ledger, event_index counted from 0. */
export function eventRows(events: readonly TtpEvent[]): EventRow[] {
  return events.map(eventRow);
}

export function ledgerRow(summary: LedgerSummary): LedgerRow {
  return jsonRow(LEDGERS, summary);
}
