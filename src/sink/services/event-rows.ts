// Reading `ttp_events` rows for the event streams: the filter as SQL, a page after a keyset position,
// and the row as a TtpEvent message or as contract JSON.
import { create } from "@bufbuild/protobuf";
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { EventType, TtpEventSchema, type TtpEvent } from "../../gen/stellarflow/v1/ttp_event_pb.ts";

export interface EventFilter {
  /** First ledger (0: from the first). */
  readonly startLedger: number;
  /** Last ledger, inclusive (0: no end). */
  readonly endLedger: number;
  readonly accounts: readonly string[];
  readonly assets: readonly string[];
  /** Lowercase names: transfer, mint, burn, clawback, fee. */
  readonly eventTypes: readonly string[];
  readonly contracts: readonly string[];
}

/** One `ttp_events` row, with the contract's column names (amount as a decimal string, closed_at ISO-8601 UTC). */
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

export const EVENT_TYPE_NAMES: readonly string[] = ["transfer", "mint", "burn", "clawback", "fee"];

export function eventTypeName(type: EventType): string {
  return EventType[type]?.replace(/^EVENT_TYPE_/, "").toLowerCase() ?? "unspecified";
}

/** Position after which the next page starts: (ledger, event_index). */
export interface EventPosition {
  readonly ledger: number;
  readonly eventIndex: number;
}

const COLUMNS = `ledger_sequence, strftime(closed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS closed_at, epoch_us(closed_at) AS closed_at_us,
  tx_hash, transaction_index, operation_index, event_index, event_type, from_address, to_address, asset, amount::VARCHAR AS amount,
  contract_address, to_muxed_type, to_muxed_value`;

/** Up to `limit` matching events after `after`, in ledgers up to `throughLedger`, in order. */
export async function readEventPage(
  connection: DuckDBConnection,
  filter: EventFilter,
  after: EventPosition,
  throughLedger: number,
  limit: number,
): Promise<EventRow[]> {
  const values: DuckDBValue[] = [after.ledger, after.eventIndex, throughLedger];
  const where = ["(ledger_sequence > $1 OR (ledger_sequence = $1 AND event_index > $2))", "ledger_sequence <= $3"];
  const anyOf = (column: string | string[], list: readonly string[]) => {
    if (list.length === 0) return;
    const marks = list.map((value) => {
      values.push(value);
      return `$${values.length}`;
    });
    const columns = Array.isArray(column) ? column : [column];
    where.push(`(${columns.map((c) => `${c} IN (${marks.join(", ")})`).join(" OR ")})`);
  };
  anyOf(["from_address", "to_address"], filter.accounts);
  anyOf("asset", filter.assets);
  anyOf("event_type", filter.eventTypes);
  anyOf("contract_address", filter.contracts);
  const sql = `SELECT ${COLUMNS} FROM ttp_events WHERE ${where.join(" AND ")} ORDER BY ledger_sequence, event_index LIMIT ${Math.max(1, Math.floor(limit))}`;
  const reader = await connection.runAndReadAll(sql, values);
  return reader.getRowObjects().map((row) => ({
    ledger_sequence: Number(row["ledger_sequence"]),
    closed_at: String(row["closed_at"]).replace(/\.(\d{3})\d*Z$/, ".$1Z"),
    tx_hash: String(row["tx_hash"]),
    transaction_index: Number(row["transaction_index"]),
    operation_index: row["operation_index"] === null ? null : Number(row["operation_index"]),
    event_index: Number(row["event_index"]),
    event_type: String(row["event_type"]),
    from_address: row["from_address"] === null ? null : String(row["from_address"]),
    to_address: row["to_address"] === null ? null : String(row["to_address"]),
    asset: row["asset"] === null ? null : String(row["asset"]),
    amount: String(row["amount"]),
    contract_address: String(row["contract_address"]),
    to_muxed_type: row["to_muxed_type"] === null ? null : String(row["to_muxed_type"]),
    to_muxed_value: row["to_muxed_value"] === null ? null : String(row["to_muxed_value"]),
  }));
}

export function toTtpEvent(row: EventRow): TtpEvent {
  const ms = Date.parse(row.closed_at);
  const type = EVENT_TYPE_NAMES.indexOf(row.event_type) + 1;
  let toMuxed: TtpEvent["toMuxed"];
  if (row.to_muxed_type === "id" && row.to_muxed_value !== null) toMuxed = { $typeName: "stellarflow.v1.MuxedInfo", value: { case: "id", value: BigInt(row.to_muxed_value) } };
  else if (row.to_muxed_type === "text" && row.to_muxed_value !== null) toMuxed = { $typeName: "stellarflow.v1.MuxedInfo", value: { case: "text", value: row.to_muxed_value } };
  else if (row.to_muxed_type === "hash" && row.to_muxed_value !== null) toMuxed = { $typeName: "stellarflow.v1.MuxedInfo", value: { case: "hash", value: Uint8Array.from(Buffer.from(row.to_muxed_value, "hex")) } };
  return create(TtpEventSchema, {
    ledgerSequence: row.ledger_sequence,
    closedAt: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
    txHash: row.tx_hash,
    transactionIndex: row.transaction_index,
    ...(row.operation_index !== null ? { operationIndex: row.operation_index } : {}),
    eventIndex: row.event_index,
    eventType: type > 0 ? type : EventType.UNSPECIFIED,
    ...(row.from_address !== null ? { fromAddress: row.from_address } : {}),
    ...(row.to_address !== null ? { toAddress: row.to_address } : {}),
    ...(row.asset !== null ? { asset: row.asset } : {}),
    amount: row.amount,
    contractAddress: row.contract_address,
    ...(toMuxed ? { toMuxed } : {}),
  });
}
