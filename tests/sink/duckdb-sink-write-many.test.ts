// DuckDbSink.writeMany: several batches in one transaction, all of them or none; re-runs still
// replace (the DELETEs are skipped only above the cursor, which survives a reopen).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { expectedRows, ledgerEvents, processedBatch, readEvents, scalar, tempDir } from "./fixtures.ts";

let dir: ReturnType<typeof tempDir>;
let path: string;
let sink: DuckDbSink;
let db: DuckDBConnection;

beforeEach(async () => {
  dir = tempDir();
  path = join(dir.path, "stellar.duckdb");
  sink = await DuckDbSink.open(path);
  db = await sink.connect();
});

afterEach(async () => {
  db.closeSync();
  await sink.close();
  dir.remove();
});

const events = (from: number, to: number, salt = 0n) => Array.from({ length: to - from + 1 }, (_, i) => ledgerEvents(from + i, salt)).flat();
const ledgerCount = async () => Number(await scalar(db, "SELECT count(*) FROM ledgers"));

describe("DuckDbSink.writeMany", () => {
  test("commits several batches at once: the same rows and cursor as a write each", async () => {
    await sink.writeMany([processedBatch(100, 101), processedBatch(102, 102), processedBatch(103, 106)]);
    expect((await sink.cursor())?.sequence).toBe(106);
    expect(await readEvents(db)).toEqual(expectedRows(events(100, 106)));
    expect(await ledgerCount()).toBe(7);
  });

  test("all or none: a bad batch among them leaves the database as it was", async () => {
    await sink.write(processedBatch(100, 101));
    const bad = processedBatch(104, 105);
    const malformed = { ...bad, events: bad.events.selectAt([0, 1, 2]) };
    await expect(sink.writeMany([processedBatch(102, 103), malformed, processedBatch(106, 107)])).rejects.toThrow(
      /writing ledgers 102-107 failed, none of it was committed: The batch for ttp_events does not match its schema/,
    );
    expect((await sink.cursor())?.sequence).toBe(101);
    expect(await readEvents(db)).toEqual(expectedRows(events(100, 101)));
    await sink.writeMany([processedBatch(102, 103), processedBatch(104, 105)]);
    expect((await sink.cursor())?.sequence).toBe(105);
    expect(await ledgerCount()).toBe(6);
  });

  test("a group overlapping what is committed replaces it, batch by batch", async () => {
    await sink.writeMany([processedBatch(100, 104), processedBatch(105, 109)]);
    await sink.writeMany([processedBatch(103, 106, events(103, 106, 7n)), processedBatch(107, 112, events(107, 112, 7n))]);
    expect(await readEvents(db)).toEqual(expectedRows([...events(100, 102), ...events(103, 112, 7n)]));
    expect(await ledgerCount()).toBe(13);
    expect((await sink.cursor())?.sequence).toBe(112);
  });

  test("batches overlapping each other within one group: the later one replaces the earlier", async () => {
    await sink.writeMany([processedBatch(100, 103), processedBatch(102, 105, events(102, 105, 9n))]);
    expect(await readEvents(db)).toEqual(expectedRows([...events(100, 101), ...events(102, 105, 9n)]));
    expect(await ledgerCount()).toBe(6);
  });

  test("after a reopen, a re-run of committed ledgers still replaces them (the cursor is read from the file)", async () => {
    await sink.writeMany([processedBatch(100, 104)]);
    db.closeSync();
    await sink.close();
    sink = await DuckDbSink.open(path);
    db = await sink.connect();
    await sink.write(processedBatch(104, 106));
    await sink.writeMany([processedBatch(100, 102)]);
    expect(await readEvents(db)).toEqual(expectedRows(events(100, 106)));
    expect(await ledgerCount()).toBe(7);
    expect((await sink.cursor())?.sequence).toBe(106);
  });

  test("an empty list commits nothing", async () => {
    await sink.writeMany([]);
    expect(await sink.cursor()).toBeNull();
  });
});
