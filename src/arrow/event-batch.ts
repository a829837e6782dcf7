// Arrow form of `ttp_events` rows (the data contract in ../shared/ENGINEERING.md).
import { Field, Schema, type RecordBatch, TimestampMicrosecond, Uint32, Utf8 } from "apache-arrow";
import type { TtpEvent } from "../ttp/event.ts";
import { recordBatchOf, HUGEINT_TYPE, int128Column, readInt128, timestampColumn, uint32Column, utf8Column } from "./columns.ts";

export const ttpEventSchema = new Schema([
  new Field("ledger_sequence", new Uint32(), false),
  new Field("closed_at", new TimestampMicrosecond("UTC"), false),
  new Field("tx_hash", new Utf8(), false),
  new Field("transaction_index", new Uint32(), false),
  new Field("operation_index", new Uint32(), true),
  new Field("event_index", new Uint32(), false),
  new Field("event_type", new Utf8(), false),
  new Field("from_address", new Utf8(), true),
  new Field("to_address", new Utf8(), true),
  new Field("asset", new Utf8(), true),
  new Field("amount", HUGEINT_TYPE, false),
  new Field("contract_address", new Utf8(), false),
  new Field("to_muxed_type", new Utf8(), true),
  new Field("to_muxed_value", new Utf8(), true),
]);

/**
 * Events of consecutive ledgers in TTP order. event_index is each event's position in its ledger's
 * full event list: pass it when some events were filtered out; by default it counts from 0 per ledger.
 */
export function ttpEventBatch(events: readonly TtpEvent[], eventIndexes?: ArrayLike<number>): RecordBatch {
  let eventIndex: ArrayLike<number>;
  if (eventIndexes) {
    if (eventIndexes.length !== events.length) throw new Error(`${eventIndexes.length} event indexes for ${events.length} events`);
    eventIndex = eventIndexes;
  } else {
    const counted = new Array<number>(events.length);
    for (let i = 0; i < events.length; i++) {
      const sameLedger = i > 0 && events[i - 1]!.ledgerSequence === events[i]!.ledgerSequence;
      counted[i] = sameLedger ? counted[i - 1]! + 1 : 0;
    }
    eventIndex = counted;
  }
  const children = [
    uint32Column(events.map((e) => e.ledgerSequence)),
    timestampColumn(events.map((e) => e.closedAt)),
    utf8Column(events.map((e) => e.txHash)),
    uint32Column(events.map((e) => e.transactionIndex)),
    uint32Column(events.map((e) => e.operationIndex)),
    uint32Column(eventIndex),
    utf8Column(events.map((e) => e.eventType)),
    utf8Column(events.map((e) => e.from)),
    utf8Column(events.map((e) => e.to)),
    utf8Column(events.map((e) => e.asset)),
    int128Column(events.map((e) => e.amount)),
    utf8Column(events.map((e) => e.contractAddress)),
    utf8Column(events.map((e) => e.toMuxedType)),
    utf8Column(events.map((e) => e.toMuxedValue)),
  ];
  return recordBatchOf(ttpEventSchema, events.length, children);
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

