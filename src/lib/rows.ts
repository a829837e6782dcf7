// The data contract's rows as JSON (../shared/ENGINEERING.md): what `--export-json` writes for
// `ttp_events` (amount as a decimal string, closed_at ISO-8601 UTC with milliseconds), and the
// `ledgers` row with the same column names.
import type { LedgerSummary } from "../arrow/ledger-summary-batch.ts";
import type { TtpEvent } from "../ttp/event.ts";

export interface EventRow {
  readonly ledger_sequence: number;
  readonly closed_at: string;
  readonly tx_hash: string;
  readonly transaction_index: number;
  readonly operation_index: number | null;
  readonly event_index: number;
  readonly event_type: string;
  readonly from_address: string | null;
  readonly to_address: string | null;
  readonly asset: string | null;
  readonly amount: string;
  readonly contract_address: string;
  readonly to_muxed_type: string | null;
  readonly to_muxed_value: string | null;
}

export interface LedgerRow {
  readonly sequence: number;
  readonly hash: string;
  readonly previous_hash: string;
  readonly closed_at: string;
  readonly protocol_version: number;
  readonly successful_tx_count: number;
  readonly failed_tx_count: number;
  readonly operation_count: number;
  readonly event_count: number;
}

export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** `eventIndex`: the event's position in its ledger's full list of events. */
export function eventRow(event: TtpEvent, eventIndex: number): EventRow {
  return {
    ledger_sequence: event.ledgerSequence,
    closed_at: isoTime(event.closedAt),
    tx_hash: event.txHash,
    transaction_index: event.transactionIndex,
    operation_index: event.operationIndex,
    event_index: eventIndex,
    event_type: event.eventType,
    from_address: event.from,
    to_address: event.to,
    asset: event.asset,
    amount: event.amount.toString(),
    contract_address: event.contractAddress,
    to_muxed_type: event.toMuxedType,
    to_muxed_value: event.toMuxedValue,
  };
}

/** Every event of one ledger, event_index counted from 0. */
export function eventRows(events: readonly TtpEvent[]): EventRow[] {
  return events.map(eventRow);
}

export function ledgerRow(summary: LedgerSummary): LedgerRow {
  return {
    sequence: summary.sequence,
    hash: summary.hash,
    previous_hash: summary.previousHash,
    closed_at: isoTime(summary.closedAt),
    protocol_version: summary.protocolVersion,
    successful_tx_count: summary.successfulTxCount,
    failed_tx_count: summary.failedTxCount,
    operation_count: summary.operationCount,
    event_count: summary.eventCount,
  };
}
