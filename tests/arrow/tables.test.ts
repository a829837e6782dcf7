// Each table is declared once (src/arrow/event-batch.ts, ledger-summary-batch.ts); what is derived
// from the declaration agrees with the data contract and with itself: the protobuf messages, the
// DuckDB tables, the JSON rows read back from DuckDB and made in memory.
import { describe, expect, test } from "bun:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { TTP_EVENTS, ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { LEDGERS } from "../../src/arrow/ledger-summary-batch.ts";
import { LedgerSummarySchema } from "../../src/gen/stellarflow/v1/ledger_pb.ts";
import { TtpEventSchema } from "../../src/gen/stellarflow/v1/ttp_event_pb.ts";
import { eventRow, ledgerRow } from "../../src/lib/rows.ts";
import { ledgerSummaryMessage, ttpEventMessage } from "../../src/lib/row-messages.ts";
import { createSchema } from "../../src/sink/duckdb/schema.ts";
import { readEventPage } from "../../src/sink/services/event-rows.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { ledgerEvents, ledgerSummary, processedBatch } from "../sink/fixtures.ts";

const NO_FILTER = { startLedger: 0, endLedger: 0, accounts: [], assets: [], eventTypes: [], contracts: [] };

describe("the table declarations", () => {
  for (const [table, message] of [
    [TTP_EVENTS, TtpEventSchema],
    [LEDGERS, LedgerSummarySchema],
  ] as const) {
    test(`${table.name}: every column names a field of ${message.typeName}, and every field is some column's`, () => {
      expect(table.protoMessage).toBe(message.typeName);
      const named = new Set(table.columns.map((c) => c.proto));
      expect([...named].every((field) => message.fields.some((f) => f.name === field))).toBe(true);
      expect(message.fields.map((f) => f.name).filter((field) => !named.has(field))).toEqual([]);
    });
  }

  test("the DuckDB tables are the data contract's (names, types, nullability, order, key)", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await createSchema(connection);
      const describe = async (table: string) => (await connection.runAndReadAll(`DESCRIBE ${table}`)).getRows().map((r) => `${r[0]} ${r[1]}${r[2] === "NO" ? " NOT NULL" : ""}${r[3] === "PRI" ? " KEY" : ""}`);
      expect(await describe("ttp_events")).toEqual([
        "ledger_sequence UINTEGER NOT NULL",
        "closed_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "tx_hash VARCHAR NOT NULL",
        "transaction_index UINTEGER NOT NULL",
        "operation_index UINTEGER",
        "event_index UINTEGER NOT NULL",
        "event_type VARCHAR NOT NULL",
        "from_address VARCHAR",
        "to_address VARCHAR",
        "asset VARCHAR",
        "amount HUGEINT NOT NULL",
        "contract_address VARCHAR NOT NULL",
        "to_muxed_type VARCHAR",
        "to_muxed_value VARCHAR",
      ]);
      expect(await describe("ledgers")).toEqual([
        "sequence UINTEGER NOT NULL KEY",
        "hash VARCHAR NOT NULL",
        "previous_hash VARCHAR NOT NULL",
        "closed_at TIMESTAMP WITH TIME ZONE NOT NULL",
        "protocol_version UINTEGER NOT NULL",
        "successful_tx_count UINTEGER NOT NULL",
        "failed_tx_count UINTEGER NOT NULL",
        "operation_count UINTEGER NOT NULL",
        "event_count UINTEGER NOT NULL",
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    expect(ttpEventSchema.fields.map((f) => `${f.name}${f.nullable ? "?" : ""}`)).toEqual(TTP_EVENTS.columns.map((c) => `${c.name}${c.nullable ? "?" : ""}`));
  });

  test("a row read back from DuckDB as JSON is the row made in memory, and both make the same message", async () => {
    const sink = await DuckDbSink.open(":memory:");
    try {
      await sink.write(processedBatch(100, 101));
      const stored = await readEventPage(await sink.connect(), NO_FILTER, { ledger: 0, eventIndex: -1 }, 101, 100);
      const made = [100, 101].flatMap((ledger) => ledgerEvents(ledger).map((event, i) => eventRow(event, i)));
      expect(stored).toEqual(made);
      expect(made[2]).toMatchObject({ amount: "12345678901234567890", to_muxed_type: "id", closed_at: "2024-05-29T16:26:40.000Z", operation_index: 1 });
      expect(stored.map(ttpEventMessage)).toEqual(made.map(ttpEventMessage));
      const message = ttpEventMessage(made[2]!);
      expect(message).toMatchObject({ ledgerSequence: 100, eventIndex: 2, amount: "12345678901234567890", toMuxed: { value: { case: "id", value: 18446744073709551615n } } });
      expect(message.closedAt?.seconds).toBe(1_717_000_000n);
      expect(message.operationIndex).toBe(1);
      expect(ttpEventMessage(made[0]!).operationIndex).toBeUndefined(); // a fee: no operation
      expect(ledgerSummaryMessage(ledgerRow(ledgerSummary(100, 4)))).toMatchObject({ sequence: 100, eventCount: 4, closedAt: { seconds: 1_717_000_000n } });
    } finally {
      await sink.close();
    }
  });
});
