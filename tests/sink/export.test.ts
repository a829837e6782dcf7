import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { sqlString } from "../../src/sink/duckdb/sql-string.ts";
import { exportJson } from "../../src/sink/export/export-json.ts";
import { exportParquet } from "../../src/sink/export/export-parquet.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";
import { expectedRows, I128_MAX, I128_MIN, ledgerEvents, processedBatch, scalar, tempDir } from "./fixtures.ts";

let dir: ReturnType<typeof tempDir>;
let sink: DuckDbSink;
let db: DuckDBConnection;

// Ledgers 100-104; ledger 102 holds the extreme amounts, 103 has no events.
const EVENTS: TtpEvent[] = [
  ...ledgerEvents(100),
  ...ledgerEvents(101),
  { ...ledgerEvents(102)[0]!, amount: -250n },
  { ...ledgerEvents(102)[1]!, amount: 10n ** 38n - 1n },
  { ...ledgerEvents(102)[1]!, amount: -(10n ** 38n) + 1n },
  ...ledgerEvents(104),
];
const DECIMAL38_OVERFLOW: TtpEvent[] = [{ ...ledgerEvents(110)[1]!, amount: I128_MAX }, { ...ledgerEvents(110)[1]!, amount: I128_MIN }];

beforeAll(async () => {
  dir = tempDir("stellar-flow-export-");
  sink = await DuckDbSink.open(join(dir.path, "stellar.duckdb"));
  await sink.write(processedBatch(100, 104, EVENTS));
  await sink.write(processedBatch(110, 110, DECIMAL38_OVERFLOW));
  db = await sink.connect();
});

afterAll(async () => {
  db.closeSync();
  await sink.close();
  dir.remove();
});

describe("exportJson", () => {
  test("writes NDJSON with the contract's columns, exact amount strings and ISO UTC times, in order", async () => {
    const file = join(dir.path, "it's a dir", "events.ndjson"); // a quote in the path, and a directory to create
    expect(await exportJson(db, { start: 100, end: 110 }, file)).toBe(17);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(17);
    for (const row of rows) expect(Object.keys(row)).toEqual(ttpEventSchema.fields.map((f) => f.name));
    const expected = expectedRows([...EVENTS, ...DECIMAL38_OVERFLOW]).map((e) => ({
      ledger_sequence: e.ledgerSequence,
      closed_at: new Date(e.closedAt * 1000).toISOString(),
      tx_hash: e.txHash,
      transaction_index: e.transactionIndex,
      operation_index: e.operationIndex,
      event_index: e.eventIndex,
      event_type: e.eventType,
      from_address: e.from,
      to_address: e.to,
      asset: e.asset,
      amount: e.amount.toString(),
      contract_address: e.contractAddress,
      to_muxed_type: e.toMuxedType,
      to_muxed_value: e.toMuxedValue,
    }));
    expect(rows).toEqual(expected);
    expect(rows.at(-2)!["amount"]).toBe("170141183460469231731687303715884105727");
    expect(rows.at(-1)!["amount"]).toBe("-170141183460469231731687303715884105728");
  });

  test("exports only the range asked for; an empty range writes an empty file", async () => {
    const file = join(dir.path, "range.ndjson");
    expect(await exportJson(db, { start: 101, end: 102 }, file)).toBe(7);
    const ledgers = readFileSync(file, "utf8").trimEnd().split("\n").map((line) => (JSON.parse(line) as { ledger_sequence: number }).ledger_sequence);
    expect(ledgers).toEqual([101, 101, 101, 101, 102, 102, 102]);
    expect(await exportJson(db, { start: 103, end: 103 }, file)).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("");
  });

  test("refuses a reversed range", async () => {
    await expect(exportJson(db, { start: 5, end: 4 }, join(dir.path, "x.ndjson"))).rejects.toThrow("Invalid ledger range 5-4 for an export");
  });
});

describe("exportParquet", () => {
  test("writes ttp_events.parquet and ledgers.parquet that DuckDB reads back with the same rows", async () => {
    const out = join(dir.path, "parquet's", "100-104");
    expect(await exportParquet(db, { start: 100, end: 104 }, out)).toEqual({ events: 15, ledgers: 5 });
    const events = sqlString(join(out, "ttp_events.parquet"));
    const ledgers = sqlString(join(out, "ledgers.parquet"));

    const types = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${events})`)).getRows().map((row) => [row[0], row[1]]);
    const tableTypes = (await db.runAndReadAll("DESCRIBE ttp_events")).getRows().map((row) => [row[0], row[0] === "amount" ? "DECIMAL(38,0)" : row[1]]);
    expect(types).toEqual(tableTypes); // DuckDB types kept, amount as an exact DECIMAL(38,0)

    const sameEvents = `SELECT count(*) FROM (
      (SELECT * REPLACE (CAST(amount AS HUGEINT) AS amount) FROM read_parquet(${events}))
      EXCEPT ALL (SELECT * FROM ttp_events WHERE ledger_sequence BETWEEN 100 AND 104))`;
    expect(await scalar(db, sameEvents)).toBe(0n);
    expect(await scalar(db, `SELECT count(*) FROM read_parquet(${events})`)).toBe(15n);
    expect(await scalar(db, `SELECT CAST(max(amount) AS VARCHAR) FROM read_parquet(${events})`)).toBe("99999999999999999999999999999999999999");
    const order = (await db.runAndReadAll(`SELECT ledger_sequence, event_index FROM read_parquet(${events})`)).getRows();
    expect(order).toEqual(expectedRows(EVENTS).map((e) => [e.ledgerSequence, e.eventIndex]));

    const sameLedgers = `SELECT count(*) FROM ((SELECT * FROM read_parquet(${ledgers})) EXCEPT ALL (SELECT * FROM ledgers WHERE sequence BETWEEN 100 AND 104))`;
    expect(await scalar(db, sameLedgers)).toBe(0n);
    expect(await scalar(db, `SELECT count(*) FROM read_parquet(${ledgers})`)).toBe(5n);
  });

  test("refuses amounts beyond DECIMAL(38,0) instead of rounding them, naming the event", async () => {
    await expect(exportParquet(db, { start: 100, end: 110 }, join(dir.path, "wide"))).rejects.toThrow(
      /Cannot export ledgers 100-110 as Parquet to .*wide: event 0 of ledger 110 has amount 170141183460469231731687303715884105727, beyond Parquet's DECIMAL\(38,0\); export these ledgers as NDJSON instead/,
    );
    // the connection is usable afterwards (no transaction left open)
    expect(await exportParquet(db, { start: 100, end: 100 }, join(dir.path, "after"))).toEqual({ events: 4, ledgers: 1 });
  });
});
