// The data contract's rows (JSON form) as the protobuf messages of stellarflow.v1, built from the
// table declarations: each column names the message field that carries it. Two columns differ in
// shape: event_type is an enum in the message, and to_muxed_type/to_muxed_value are one MuxedInfo.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { TTP_EVENTS, type EventRow } from "../arrow/event-batch.ts";
import { LEDGERS, type LedgerRow } from "../arrow/ledger-summary-batch.ts";
import type { AnyTable } from "../arrow/table.ts";
import { LedgerSummarySchema, type LedgerSummary } from "../gen/stellarflow/v1/ledger_pb.ts";
import { EventType, MuxedInfoSchema, TtpEventSchema, type MuxedInfo, type TtpEvent } from "../gen/stellarflow/v1/ttp_event_pb.ts";
import { fromHex } from "../stellar/hash.ts";

/** Message fields whose shape is not their column's; set below, by hand. */
const SHAPED = new Set(["event_type", "to_muxed"]);

const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The message fields of the row's plain columns; a NULL column leaves its (optional) field unset. */
function plainFields(table: AnyTable, row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const c of table.columns) {
    const value = row[c.name];
    if (c.proto === null || SHAPED.has(c.proto) || value === null) continue;
    fields[camel(c.proto)] = c.type.name === "timestamp" ? timestampFromMs(Date.parse(value as string)) : value;
  }
  return fields;
}

/** The message's EventType of an `event_type` value (`transfer` ...); UNSPECIFIED for anything else. */
export function eventTypeOf(name: string): EventType {
  const type = EventType[name.toUpperCase() as keyof typeof EventType] as EventType | undefined;
  return type === undefined || type === EventType.UNSPECIFIED ? EventType.UNSPECIFIED : type;
}

/** The `event_type` value of an EventType (`transfer` ...), "unspecified" for UNSPECIFIED. */
export function eventTypeName(type: EventType): string {
  return EventType[type]?.toLowerCase() ?? "unspecified";
}

function muxedInfo(row: EventRow): MuxedInfo | undefined {
  const value = row.to_muxed_value;
  if (value === null) return undefined;
  if (row.to_muxed_type === "id") return create(MuxedInfoSchema, { value: { case: "id", value: BigInt(value) } });
  if (row.to_muxed_type === "text") return create(MuxedInfoSchema, { value: { case: "text", value } });
  if (row.to_muxed_type === "hash") return create(MuxedInfoSchema, { value: { case: "hash", value: fromHex(value) } });
  return undefined;
}

export function ttpEventMessage(row: EventRow): TtpEvent {
  const toMuxed = muxedInfo(row);
  return create(TtpEventSchema, { ...plainFields(TTP_EVENTS, row), eventType: eventTypeOf(row.event_type), ...(toMuxed ? { toMuxed } : {}) });
}

export function ledgerSummaryMessage(row: LedgerRow): LedgerSummary {
  return create(LedgerSummarySchema, plainFields(LEDGERS, row));
}
