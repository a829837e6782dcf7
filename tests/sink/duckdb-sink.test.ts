import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { ledgerSummaryBatch, ledgerSummarySchema } from "../../src/arrow/ledger-summary-batch.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";
import {
  expectedRows,
  I128_MAX,
  I128_MIN,
  ledgerEvents,
  ledgerSummary,
  processedBatch,
  readEvents,
  scalar,
  tempDir,
} from "./fixtures.ts";

let dir: ReturnType<typeof tempDir>;
let sink: DuckDbSink;
let db: DuckDBConnection;

beforeEach(async () => {
  dir = tempDir();
  sink = await DuckDbSink.open(join(dir.path, "nested", "dirs", "stellar.duckdb"));
  db = await sink.connect();
});

afterEach(async () => {
  db.closeSync();
  await sink.close();
  dir.remove();
});

const count = async (table: string, where = "true"): Promise<number> => Number(await scalar(db, `SELECT count(*) FROM ${table} WHERE ${where}`));
const ledgerSequences = async (): Promise<number[]> =>
  (await db.runAndReadAll("SELECT sequence FROM ledgers ORDER BY sequence")).getRows().map((row) => row[0] as number);

describe("DuckDbSink schema", () => {
  test("creates the database file and its parent directories", () => {
    expect(existsSync(join(dir.path, "nested", "dirs", "stellar.duckdb"))).toBe(true);
  });

  test("ttp_events has exactly the data contract's columns, types and nullability", async () => {
    const rows = (await db.runAndReadAll("DESCRIBE ttp_events")).getRows().map((row) => [row[0], row[1], row[2]]);
    expect(rows).toEqual([
      ["ledger_sequence", "UINTEGER", "NO"],
      ["closed_at", "TIMESTAMP WITH TIME ZONE", "NO"],
      ["tx_hash", "VARCHAR", "NO"],
      ["transaction_index", "UINTEGER", "NO"],
      ["operation_index", "UINTEGER", "YES"],
      ["event_index", "UINTEGER", "NO"],
      ["event_type", "VARCHAR", "NO"],
      ["from_address", "VARCHAR", "YES"],
      ["to_address", "VARCHAR", "YES"],
      ["asset", "VARCHAR", "YES"],
      ["amount", "HUGEINT", "NO"],
      ["contract_address", "VARCHAR", "NO"],
      ["to_muxed_type", "VARCHAR", "YES"],
      ["to_muxed_value", "VARCHAR", "YES"],
    ]);
    expect(rows.map((row) => row[0])).toEqual(ttpEventSchema.fields.map((f) => f.name));
  });

  test("ledgers has one row per ledger keyed by sequence, in ledgerSummarySchema's column order", async () => {
    const rows = (await db.runAndReadAll("DESCRIBE ledgers")).getRows();
    expect(rows.map((row) => row[0])).toEqual(ledgerSummarySchema.fields.map((f) => f.name));
    expect(rows.map((row) => row[1])).toEqual(["UINTEGER", "VARCHAR", "VARCHAR", "TIMESTAMP WITH TIME ZONE", ...Array(5).fill("UINTEGER")]);
    expect(rows[0]![3]).toBe("PRI");
  });

  test("reopening an existing database keeps its rows and cursor", async () => {
    await sink.write(processedBatch(100, 101));
    db.closeSync();
    await sink.close();
    sink = await DuckDbSink.open(join(dir.path, "nested", "dirs", "stellar.duckdb"));
    db = await sink.connect();
    expect((await sink.cursor())?.sequence).toBe(101);
    expect(await count("ttp_events")).toBe(8);
  });
});

describe("DuckDbSink.write", () => {
  test("stores every value exactly, including amounts beyond 2^64 and at the i128 limits", async () => {
    const events: TtpEvent[] = [
      ...ledgerEvents(100),
      { ...ledgerEvents(101)[1]!, amount: -250n }, // a fee refund
      { ...ledgerEvents(101)[1]!, amount: I128_MAX },
      { ...ledgerEvents(101)[1]!, amount: I128_MIN },
      { ...ledgerEvents(101)[1]!, amount: I128_MAX - 1n },
      { ...ledgerEvents(101)[1]!, amount: -(2n ** 64n) - 1n },
      { ...ledgerEvents(101)[1]!, amount: 0n, asset: "", toMuxedType: "hash", toMuxedValue: "ab".repeat(32) },
    ];
    await sink.write(processedBatch(100, 101, events));
    expect(await readEvents(db)).toEqual(expectedRows(events));
    expect(await scalar(db, "SELECT CAST(max(amount) AS VARCHAR) FROM ttp_events")).toBe("170141183460469231731687303715884105727");
    expect(await scalar(db, "SELECT CAST(min(amount) AS VARCHAR) FROM ttp_events")).toBe("-170141183460469231731687303715884105728");
    expect(await scalar(db, "SELECT strftime(timezone('UTC', closed_at), '%Y-%m-%dT%H:%M:%SZ') FROM ttp_events LIMIT 1")).toBe("2024-05-29T16:26:40Z");
  });

  test("stores the ledgers rows", async () => {
    await sink.write(processedBatch(100, 102));
    const rows = (await db.runAndReadAll("SELECT sequence, hash, previous_hash, epoch(closed_at), protocol_version, successful_tx_count, failed_tx_count, operation_count, event_count FROM ledgers ORDER BY sequence")).getRows();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([100, "f".repeat(62) + "64", "f".repeat(62) + "63", 1_717_000_000, 23, 2, 1, 3, 4]);
  });

  test("appends consecutive batches, each moving the cursor", async () => {
    expect(await sink.cursor()).toBeNull();
    await sink.write(processedBatch(100, 104));
    expect((await sink.cursor())?.sequence).toBe(104);
    await sink.write(processedBatch(105, 109));
    expect((await sink.cursor())?.sequence).toBe(109);
    expect(await count("ttp_events")).toBe(40);
    expect(await count("ledgers")).toBe(10);
    expect(await readEvents(db)).toEqual(expectedRows(Array.from({ length: 10 }, (_, i) => ledgerEvents(100 + i)).flat()));
  });

  test("handles batches larger than one DuckDB data chunk (2048 rows)", async () => {
    const events = Array.from({ length: 1300 }, (_, i) => ledgerEvents(100 + Math.floor(i / 100), BigInt(i))).flat();
    await sink.write(processedBatch(100, 112, events));
    expect(await count("ttp_events")).toBe(5200);
    expect(await readEvents(db)).toEqual(expectedRows(events));
  });

  test("re-writing the same range replaces it: no duplicates, same rows", async () => {
    await sink.write(processedBatch(100, 104));
    const before = await readEvents(db);
    await sink.write(processedBatch(100, 104));
    await sink.write(processedBatch(100, 104));
    expect(await readEvents(db)).toEqual(before);
    expect(await count("ledgers")).toBe(5);
    expect((await sink.cursor())?.sequence).toBe(104);
  });

  test("a partly overlapping re-run replaces the overlap and keeps the rest", async () => {
    await sink.write(processedBatch(100, 109));
    const changed = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => ledgerEvents(from + i, 1_000n).slice(0, 2)).flat();
    await sink.write(processedBatch(105, 114, changed(105, 114)));
    expect((await sink.cursor())?.sequence).toBe(114);
    const expected = [...Array.from({ length: 5 }, (_, i) => ledgerEvents(100 + i)).flat(), ...changed(105, 114)];
    expect(await readEvents(db)).toEqual(expectedRows(expected));
    expect(await ledgerSequences()).toEqual(Array.from({ length: 15 }, (_, i) => 100 + i));
    expect(await scalar(db, "SELECT event_count FROM ledgers WHERE sequence = 105")).toBe(2);
  });

  test("re-running an earlier range rewrites only that range and never moves the cursor back", async () => {
    await sink.write(processedBatch(100, 119));
    await sink.write(processedBatch(100, 104, []));
    expect((await sink.cursor())?.sequence).toBe(119);
    expect(await count("ttp_events", "ledger_sequence BETWEEN 100 AND 104")).toBe(0);
    expect(await count("ttp_events", "ledger_sequence BETWEEN 105 AND 119")).toBe(60);
    expect(await ledgerSequences()).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
  });

  test("the cursor is the highest committed ledger with its hash (what a resumed run chains to), kept by a re-run below it", async () => {
    await sink.writeMany([processedBatch(100, 104), processedBatch(105, 109)]);
    expect(await sink.cursor()).toEqual({ sequence: 109, hash: ledgerSummary(109, 0).hash });
    await sink.write(processedBatch(100, 101));
    expect(await sink.cursor()).toEqual({ sequence: 109, hash: ledgerSummary(109, 0).hash });
  });

  test("serializes writes and cursor reads that are not awaited one by one", async () => {
    const results = await Promise.all([
      sink.write(processedBatch(100, 101)),
      sink.cursor(),
      sink.write(processedBatch(102, 103)),
      sink.cursor(),
    ]);
    expect(results).toEqual([undefined, { sequence: 101, hash: ledgerSummary(101, 0).hash }, undefined, { sequence: 103, hash: ledgerSummary(103, 0).hash }]);
    expect(await count("ttp_events")).toBe(16);
  });

  test("refuses a batch with rows outside its range, committing nothing", async () => {
    const batch = { ...processedBatch(100, 102), lastLedger: 101 };
    await expect(sink.write(batch)).rejects.toThrow(/ledgers 100-101 failed.*ledger 102 lies outside/);
    expect(await count("ledgers")).toBe(0);
    expect(await sink.cursor()).toBeNull();
  });

  test("after close, writes are refused with the database path, and connections handed out are closed", async () => {
    await sink.close();
    await expect(db.run("SELECT 1")).rejects.toThrow();
    const path = join(dir.path, "nested", "dirs", "stellar.duckdb");
    await expect(sink.write(processedBatch(100, 100))).rejects.toThrow(`DuckDB sink ${path} is closed`);
    await expect(sink.cursor()).rejects.toThrow(`DuckDB sink ${path} is closed`);
    await expect(sink.connect()).rejects.toThrow(`DuckDB sink ${path} is closed`);
    sink = await DuckDbSink.open(":memory:");
    db = await sink.connect();
  });
});

describe("DuckDbSink atomicity: a failed write leaves ledgers, events and cursor as they were", () => {
  async function snapshot() {
    return {
      events: await readEvents(db),
      ledgers: (await db.runAndReadAll("SELECT * FROM ledgers ORDER BY sequence")).getRows(),
      cursor: await sink.cursor(),
    };
  }

  test("events batch malformed after the ledgers rows were appended and the range deleted", async () => {
    await sink.write(processedBatch(100, 102));
    const before = await snapshot();
    const good = processedBatch(101, 103);
    const malformed = { ...good, events: good.events.selectAt([...Array(13).keys()]) }; // to_muxed_value missing
    await expect(sink.write(malformed)).rejects.toThrow(
      /DuckDB sink .*stellar\.duckdb: writing ledgers 101-103 failed, none of it was committed: The batch for ttp_events does not match its schema/,
    );
    expect(await snapshot()).toEqual(before);
    expect(await count("ledgers", "sequence = 103")).toBe(0);
  });

  test("DuckDB refuses a row in the second data chunk of the events (NOT NULL tx_hash)", async () => {
    await sink.write(processedBatch(100, 102));
    const before = await snapshot();
    const events = Array.from({ length: 800 }, (_, i) => ledgerEvents(101 + Math.floor(i / 400), BigInt(i))).flat();
    events[3000] = { ...events[3000]!, txHash: null as unknown as string };
    await expect(sink.write(processedBatch(101, 102, events))).rejects.toThrow(/writing ledgers 101-102 failed.*NOT NULL/i);
    expect(await snapshot()).toEqual(before);
  });

  test("DuckDB refuses a duplicate ledgers row (primary key)", async () => {
    await sink.write(processedBatch(100, 102));
    const before = await snapshot();
    const ledgers = ledgerSummaryBatch([101, 102, 103, 103].map((sequence) => ledgerSummary(sequence, 4)));
    await expect(sink.write({ ...processedBatch(101, 103), ledgers })).rejects.toThrow(/writing ledgers 101-103 failed.*(constraint|duplicate)/i);
    expect(await snapshot()).toEqual(before);
  });

  test("the next write after a failure commits only its own rows", async () => {
    const bad = processedBatch(100, 101);
    await sink.write({ ...bad, events: bad.events.selectAt([0, 1]) }).catch(() => undefined);
    await sink.write(processedBatch(102, 102));
    expect(await ledgerSequences()).toEqual([102]);
    expect(await readEvents(db)).toEqual(expectedRows(ledgerEvents(102)));
    expect((await sink.cursor())?.sequence).toBe(102);
  });
});

describe("DuckDbSink.open", () => {
  test("errors name the database path", async () => {
    const scratch = tempDir();
    try {
      const file = join(scratch.path, "a-file");
      await Bun.write(file, "not a directory");
      await expect(DuckDbSink.open(join(file, "stellar.duckdb"))).rejects.toThrow(`Cannot open DuckDB database ${join(file, "stellar.duckdb")}: `);
      await expect(DuckDbSink.open(file)).rejects.toThrow(`Cannot open DuckDB database ${file}: `);
    } finally {
      scratch.remove();
    }
  });
});

test("the writer's DuckDB is bounded (memory, checkpoints, allocator cache) unless the caller says otherwise", async () => {
  const setting = async (s: DuckDbSink, name: string) => {
    const connection = await s.connect();
    const value = (await connection.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0]![0];
    connection.closeSync();
    return value;
  };
  expect(await setting(sink, "memory_limit")).toBe("61.0 MiB"); // DuckDB shows 64 MB (10^6) in MiB
  expect(await setting(sink, "checkpoint_threshold")).toBe("61.0 MiB");
  expect(await setting(sink, "allocator_flush_threshold")).toBe("7.6 MiB");
  const roomy = await DuckDbSink.open(join(dir.path, "roomy.duckdb"), { config: { memory_limit: "1GB" } });
  expect(await setting(roomy, "memory_limit")).toBe("953.6 MiB");
  expect(await setting(roomy, "checkpoint_threshold")).toBe("61.0 MiB");
  await roomy.close();
});
