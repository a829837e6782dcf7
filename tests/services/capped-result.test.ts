// readCapped: a streaming result read chunk by chunk, stopping at the chunk where a cap is passed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from "@duckdb/node-api";
import { readCapped } from "../../src/sink/services/capped-result.ts";

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  connection = await instance.connect();
  await connection.run("SET streaming_buffer_size = '32KB'");
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** `sql` prepared, and how many chunks readCapped fetched of its result. */
async function counted(sql: string): Promise<{ prepared: DuckDBPreparedStatement; fetches: () => number }> {
  const prepared = await connection.prepare(sql);
  let fetches = 0;
  const stream = prepared.stream.bind(prepared);
  prepared.stream = async () => {
    const result = await stream();
    const fetchChunk = result.fetchChunk.bind(result);
    result.fetchChunk = () => {
      fetches++;
      return fetchChunk();
    };
    return result;
  };
  return { prepared, fetches: () => fetches };
}

test("1 GB of rows: refused within the first chunk of 2,048 rows, the rest never fetched", async () => {
  const { prepared, fetches } = await counted("SELECT repeat('x', 1000) AS s FROM range(1000000)");
  await expect(readCapped(prepared, { maxRows: 10_000, maxBytes: 1_000_000 }, () => false)).rejects.toThrow(/passed the cap of 1000000 bytes at row 1001:/);
  expect(fetches()).toBe(1);
});

test("the row cap: rows up to it, truncated, and one chunk past it at most", async () => {
  const { prepared, fetches } = await counted("SELECT range AS n FROM range(100000)");
  const result = await readCapped(prepared, { maxRows: 3000, maxBytes: 1_000_000 }, () => false);
  expect(result.rows).toHaveLength(3000);
  expect(result.rows[2999]).toEqual(["2999"]);
  expect(result.truncated).toBe(true);
  expect(fetches()).toBe(2);
});

test("a whole result under both caps, not truncated; NULL stays null", async () => {
  const { prepared } = await counted("SELECT range AS n, NULL AS nothing FROM range(3)");
  const result = await readCapped(prepared, { maxRows: 3, maxBytes: 100 }, () => false);
  expect(result.columns.map((c) => c.name)).toEqual(["n", "nothing"]);
  expect(result.rows).toEqual([["0", null], ["1", null], ["2", null]]);
  expect(result.truncated).toBe(false);
});

test("once stopped (the deadline passed), no further chunk is read", async () => {
  const { prepared, fetches } = await counted("SELECT range FROM range(100000)");
  await expect(readCapped(prepared, { maxRows: 100_000, maxBytes: 10_000_000 }, () => true)).rejects.toThrow(/interrupted/);
  expect(fetches()).toBe(0);
});
