// Reading `ttp_events` rows for the event streams: the filter as SQL, and a page after a keyset
// position, each row in the contract's JSON form (src/lib/row-messages.ts makes messages of them).
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { TTP_EVENTS, type EventRow } from "../../arrow/event-batch.ts";
import { jsonRowOf, jsonSelectList } from "../duckdb/table-sql.ts";

export type { EventRow };

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

/** Position after which the next page starts: (ledger, event_index). */
export interface EventPosition {
  readonly ledger: number;
  readonly eventIndex: number;
}

const COLUMNS = jsonSelectList(TTP_EVENTS);

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
  return reader.getRowObjects().map((row) => jsonRowOf(TTP_EVENTS, row) as EventRow);
}

