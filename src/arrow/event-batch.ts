// The `ttp_events` table (the data contract in ../shared/ENGINEERING.md), declared once: its Arrow
// schema and batches here, its DuckDB DDL, JSON rows and protobuf messages derived from it.
import type { RecordBatch } from "apache-arrow";
import type { TtpEvent } from "../ttp/event.ts";
import { readInt128 } from "./columns.ts";
import { INT128, tableBatch, tableOf, TIMESTAMP, UINT32, UTF8, type JsonRow } from "./table.ts";

const t = tableOf<TtpEvent>();

// No primary key on (ledger_sequence, event_index): the sink's write protocol (delete the batch's
// ledgers, then append them, in one transaction) already keeps it unique. Measured with 200k events
// in 5k-row batches, a primary key's ART index made DuckDB appends ~12% slower and range rewrites ~30%
// slower, and the index lives in memory and grows with the table. Deleting a ledger range stays cheap
// without an index: rows arrive in ledger order, so DuckDB's per-row-group min/max skips the rest.
export const TTP_EVENTS = t.define({
  name: "ttp_events",
  protoMessage: "stellarflow.v1.TtpEvent",
  columns: [
    t.column("ledger_sequence", UINT32, { nullable: false, proto: "ledger_sequence", of: (e) => e.ledgerSequence }),
    t.column("closed_at", TIMESTAMP, { nullable: false, proto: "closed_at", of: (e) => e.closedAt }),
    t.column("tx_hash", UTF8, { nullable: false, proto: "tx_hash", of: (e) => e.txHash }),
    t.column("transaction_index", UINT32, { nullable: false, proto: "transaction_index", of: (e) => e.transactionIndex }),
    t.column("operation_index", UINT32, { nullable: true, proto: "operation_index", of: (e) => e.operationIndex }),
    // the event's position in its ledger's full list of events: given to the builder
    t.column("event_index", UINT32, { nullable: false, proto: "event_index", of: null }),
    t.column("event_type", UTF8, { nullable: false, proto: "event_type", of: (e) => e.eventType }),
    t.column("from_address", UTF8, { nullable: true, proto: "from_address", of: (e) => e.from }),
    t.column("to_address", UTF8, { nullable: true, proto: "to_address", of: (e) => e.to }),
    t.column("asset", UTF8, { nullable: true, proto: "asset", of: (e) => e.asset }),
    t.column("amount", INT128, { nullable: false, proto: "amount", of: (e) => e.amount }),
    t.column("contract_address", UTF8, { nullable: false, proto: "contract_address", of: (e) => e.contractAddress }),
    // the pair is one MuxedInfo in the message
    t.column("to_muxed_type", UTF8, { nullable: true, proto: "to_muxed", of: (e) => e.toMuxedType }),
    t.column("to_muxed_value", UTF8, { nullable: true, proto: "to_muxed", of: (e) => e.toMuxedValue }),
  ],
});

export const ttpEventSchema = TTP_EVENTS.schema;

/** A `ttp_events` row as JSON (NDJSON export, /ws, the edge API). */
export type EventRow = JsonRow<typeof TTP_EVENTS>;

/**
 * Events of consecutive ledgers in TTP order. event_index is each event's position in its ledger's
 * full event list: pass it when some events were filtered out; by default it counts from 0 per ledger.
 */
export function ttpEventBatch(events: readonly TtpEvent[], eventIndexes?: ArrayLike<number>): RecordBatch {
  if (eventIndexes && eventIndexes.length !== events.length) throw new Error(`${eventIndexes.length} event indexes for ${events.length} events`);
  return tableBatch(TTP_EVENTS, events, { event_index: eventIndexes ?? indexesInLedger(events) });
}

/** Each event's position within its ledger, counting from 0. */
function indexesInLedger(events: readonly TtpEvent[]): number[] {
  const counted = new Array<number>(events.length);
  for (let i = 0; i < events.length; i++) {
    const sameLedger = i > 0 && events[i - 1]!.ledgerSequence === events[i]!.ledgerSequence;
    counted[i] = sameLedger ? counted[i - 1]! + 1 : 0;
  }
  return counted;
}

/** The amount column as bigints (Arrow's Decimal getters do not return bigint). */
export function amountsOf(batch: RecordBatch): bigint[] {
  const column = batch.getChild("amount")!;
  const out: bigint[] = [];
  let row = 0;
  for (const chunk of column.data as readonly { values: Uint32Array; length: number; offset: number }[]) {
    for (let i = 0; i < chunk.length; i++) out[row++] = readInt128(chunk.values, chunk.offset + i);
  }
  return out;
}
