// VARCHAR columns are written as DuckDB string headers pointing into the Arrow buffers: every
// length class, sliced and multi-chunk columns, nulls, non-ASCII text, invalid UTF-8, and buffers
// reused right after the append must all read back exactly.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { Field, Schema, Utf8, makeData, type Data } from "apache-arrow";
import { recordBatchOf, utf8Column } from "../../src/arrow/columns.ts";
import { appendRecordBatch } from "../../src/sink/duckdb/append-record-batch.ts";

let instance: DuckDBInstance;
let db: DuckDBConnection;
const schema = new Schema([new Field("s", new Utf8(), true)]);

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  await db.run("CREATE TABLE strings (s VARCHAR)");
});
beforeEach(() => db.run("DELETE FROM strings"));
afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

const append = (column: Data<Utf8>) => appendRecordBatch(db, "strings", recordBatchOf(schema, column.length, [column]), schema);

async function stored(): Promise<(string | null)[]> {
  const reader = await db.runAndReadAll("SELECT s FROM strings");
  return reader.getRows().map((row) => row[0] as string | null);
}

test("every length around the 12 inlined bytes, nulls and non-ASCII text read back as written", async () => {
  const values = [
    "",
    "a",
    "abcdefghijk",
    "abcdefghijkl",
    "abcdefghijklm",
    null,
    "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7",
    "ünïcödé ✓",
    "🚀🚀🚀🚀",
    "x".repeat(100_000),
  ];
  await append(utf8Column(values));
  expect(await stored()).toEqual(values);
});

test("short strings compare equal to literals after longer ones used the same scratch space", async () => {
  await append(utf8Column(Array.from({ length: 3000 }, (_, i) => (i % 2 ? "twelve-bytes" : "abcdefghijklmnopqrstuvwxyz"))));
  await append(utf8Column(Array.from({ length: 3000 }, (_, i) => (i % 3 ? "ab" : null))));
  const reader = await db.runAndReadAll("SELECT count(*) FILTER (s = 'ab'), count(DISTINCT s), count(*) FILTER (s IS NULL) FROM strings");
  expect(reader.getRows()[0]).toEqual([2000n, 3n, 1000n]);
});

test("a column spanning several data chunks, and a slice starting inside its buffers", async () => {
  const values = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? null : `value number ${i} ${"#".repeat(i % 20)}`));
  const whole = utf8Column(values);
  await append(whole);
  expect(await stored()).toEqual(values);
  await db.run("DELETE FROM strings");
  await append(whole.slice(1234, 3000));
  expect(await stored()).toEqual(values.slice(1234, 4234));
});

test("DuckDB keeps its own copy: overwriting the Arrow bytes right after the append changes nothing", async () => {
  const values = Array.from({ length: 100 }, (_, i) => `a string long enough to live out of line ${i}`);
  const column = utf8Column(values);
  await db.run("BEGIN TRANSACTION");
  await append(column);
  (column.values as Uint8Array).fill(0x41);
  await db.run("COMMIT");
  expect(await stored()).toEqual(values);
});

test("a value that is not UTF-8 is refused with its column and row, and nothing is appended", async () => {
  const bytes = new TextEncoder().encode("fine" + "also fine" + "bad:");
  const data = new Uint8Array([...bytes, 0xc3, 0x28]);
  const column = makeData({ type: new Utf8(), length: 3, data, valueOffsets: new Int32Array([0, 4, 13, data.length]) });
  await expect(append(column)).rejects.toThrow("strings.s of row 2 is not valid UTF-8");
  expect(await stored()).toEqual([]);
});
