import { afterAll, beforeAll, expect, test } from "bun:test";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { Field, RecordBatch, Schema, Utf8, makeData, Struct, Int32 } from "apache-arrow";
import { ttpEventBatch, ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { appendRecordBatch } from "../../src/sink/duckdb/append-record-batch.ts";
import { createSchema } from "../../src/sink/duckdb/schema.ts";
import { expectedRows, ledgerEvents, readEvents, scalar } from "./fixtures.ts";

let instance: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  await createSchema(db);
});

afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

const events = [...ledgerEvents(100), ...ledgerEvents(101)];

test("appended rows belong to the open transaction: ROLLBACK removes them, COMMIT keeps them", async () => {
  const other = await instance.connect();
  await db.run("BEGIN TRANSACTION");
  await appendRecordBatch(db, "ttp_events", ttpEventBatch(events), ttpEventSchema);
  expect(await scalar(db, "SELECT count(*) FROM ttp_events")).toBe(8n);
  expect(await scalar(other, "SELECT count(*) FROM ttp_events")).toBe(0n); // not visible outside before COMMIT
  await db.run("ROLLBACK");
  expect(await scalar(db, "SELECT count(*) FROM ttp_events")).toBe(0n);

  await db.run("BEGIN TRANSACTION");
  await appendRecordBatch(db, "ttp_events", ttpEventBatch(events), ttpEventSchema);
  await db.run("COMMIT");
  expect(await readEvents(other)).toEqual(expectedRows(events));
  other.closeSync();
  await db.run("DELETE FROM ttp_events");
});

test("refuses a batch whose columns are not the table's, naming the first difference", async () => {
  const batch = ttpEventBatch(events);
  const swapped = batch.selectAt([1, 0, ...Array.from({ length: 12 }, (_, i) => i + 2)]);
  await expect(appendRecordBatch(db, "ttp_events", swapped, ttpEventSchema)).rejects.toThrow(
    "The batch for ttp_events does not match its schema: column 1 should be ledger_sequence Uint32, got closed_at Timestamp<MICROSECOND, UTC>",
  );
  await expect(appendRecordBatch(db, "ttp_events", batch.selectAt([0]), ttpEventSchema)).rejects.toThrow("expected 14 columns, got 1 (ledger_sequence)");
});

test("names an Arrow type it has no DuckDB mapping for", async () => {
  await db.run("CREATE TABLE numbers (n INTEGER, s VARCHAR)");
  const schema = new Schema([new Field("n", new Int32()), new Field("s", new Utf8())]);
  const children = [makeData({ type: new Int32(), length: 1, data: new Int32Array([1]) }), makeData({ type: new Utf8(), length: 1, data: new Uint8Array([104]), valueOffsets: new Int32Array([0, 1]) })];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children }));
  await expect(appendRecordBatch(db, "numbers", batch, schema)).rejects.toThrow("Arrow type Int32 has no DuckDB column mapping in the sink");
  expect(await scalar(db, "SELECT count(*) FROM numbers")).toBe(0n);
});

test("an empty batch appends nothing", async () => {
  await appendRecordBatch(db, "ttp_events", ttpEventBatch([]), ttpEventSchema);
  expect(await scalar(db, "SELECT count(*) FROM ttp_events")).toBe(0n);
});

test("a sliced batch appends exactly its own rows (Arrow slices values, not the validity bitmap)", async () => {
  const batch = ttpEventBatch(events);
  await appendRecordBatch(db, "ttp_events", batch.slice(2, 5), ttpEventSchema);
  expect(await readEvents(db)).toEqual(expectedRows(events).slice(2, 5));
  await db.run("DELETE FROM ttp_events");
});
