// DuckDB's own sandbox under the sink's services (the second fence, tested here on its own, with no
// statement check in front): a query connection cannot read, write or list files beyond the
// database, install or load extensions, or change a setting; the writer still writes, checkpoints,
// spills and exports where it was allowed to.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { exportJson } from "../../src/sink/export/export-json.ts";
import { exportParquet, parquetExportFiles } from "../../src/sink/export/export-parquet.ts";
import { openServedSink, type ServedSink } from "../../src/sink/services/served-sink.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { writeCanaries, type Canaries } from "../support/canaries.ts";
import { ledgerEvents, processedBatch, tempDir } from "../sink/fixtures.ts";

const work = tempDir("stellar-flow-sandbox-");
const db = join(work.path, "db.duckdb");
const json = join(work.path, "out", "events.ndjson");
const parquetDir = join(work.path, "parquet");
let canaries: Canaries;
let served: ServedSink;
let query: DuckDBConnection;

beforeAll(async () => {
  canaries = await writeCanaries();
  served = await openServedSink(db, { queryConcurrency: 1, exportFiles: [json, ...parquetExportFiles(parquetDir)] });
  await served.sink.write(processedBatch(1, 10));
  query = served.services.queryConnections[0]!;
});
afterAll(async () => {
  await served.close();
  canaries.remove();
  work.remove();
});

/**
 * What DuckDB answers `sql` with on a query connection (the statement check is not involved): its
 * error, or the text of its one value when the statement reports errors as a value (json_serialize_plan).
 */
async function refusal(sql: string): Promise<string> {
  let value: unknown;
  try {
    value = (await query.runAndReadAll(sql)).getRows()[0]?.[0];
  } catch (error) {
    return (error as Error).message;
  }
  if (typeof value === "string" && value.includes('"error":true')) return value;
  throw new Error(`DuckDB ran it: ${sql}`);
}

describe("DuckDB's sandbox refuses on its own", () => {
  const cases: [string, () => string, RegExp][] = [
    ["read_csv of a file outside", () => `SELECT * FROM read_csv('${canaries.csv}')`, /disabled by configuration/],
    ["a path as a table", () => `SELECT * FROM '${canaries.parquet}'`, /disabled by configuration/],
    ["read_text", () => `SELECT * FROM read_text('${canaries.passwd}')`, /disabled by configuration/],
    ["glob of the canary directory", () => `SELECT * FROM glob('${canaries.dir}/*')`, /disabled by configuration/],
    ["a binder error over a file (Candidate bindings)", () => `SELECT nonexistent FROM read_csv('${canaries.passwd}', header=true, delim='|')`, /disabled by configuration/],
    ["json_serialize_plan of a file reader", () => `SELECT json_serialize_plan('SELECT nonexistent FROM read_csv(''${canaries.passwd}'', header=true, delim=''|'')')`, /disabled by configuration/],
    ["IMPORT DATABASE", () => `IMPORT DATABASE '${canaries.exported}'`, /disabled by configuration/],
    ["COPY to a file outside", () => `COPY ttp_events TO '${join(canaries.dir, "out.csv")}'`, /disabled by configuration/],
    ["COPY beside an allowed export file", () => `COPY ttp_events TO '${join(work.path, "out", "other.ndjson")}'`, /disabled by configuration/],
    ["EXPORT DATABASE", () => `EXPORT DATABASE '${join(canaries.dir, "export-here")}'`, /disabled by configuration/],
    ["ATTACH", () => `ATTACH '${join(canaries.dir, "other.duckdb")}' AS other`, /disabled by configuration/],
    ["INSTALL", () => "INSTALL httpfs", /disabled|not allowed|Permission/i],
    ["an httpfs setting (no autoload, no download)", () => "SELECT current_setting('s3_secret_access_key')", /not in the catalog/],
    ["CREATE SECRET of type s3 (no secret directory, no autoload)", () => "CREATE SECRET leak (TYPE s3, KEY_ID 'k', SECRET 's')", /disabled by configuration/],
    ["SET enable_external_access", () => "SET enable_external_access = true", /configuration has been locked/],
    ["SET of a connection's own setting", () => "SET threads = 1", /configuration has been locked/],
    ["RESET", () => "RESET allowed_directories", /configuration has been locked/],
  ];
  for (const [name, sql, message] of cases) {
    test(name, async () => {
      const error = await refusal(sql());
      expect(error).toMatch(message);
      expect(canaries.leaked(error)).toBe(false);
    });
  }

  test("nothing was created outside", () => {
    for (const path of [join(canaries.dir, "out.csv"), join(work.path, "out", "other.ndjson"), join(canaries.dir, "export-here"), join(canaries.dir, "other.duckdb")]) {
      expect(existsSync(path)).toBe(false);
    }
  });

  test("a new connection inherits the sandbox", async () => {
    const fresh = await served.sink.connect();
    try {
      await expect(fresh.run(`SELECT * FROM read_csv('${canaries.csv}')`)).rejects.toThrow(/disabled by configuration/);
      await expect(fresh.run("SET enable_external_access = true")).rejects.toThrow(/locked/);
    } finally {
      fresh.closeSync();
    }
  });
});

describe("the writer under the sandbox", () => {
  test("writes, replaces and checkpoints", async () => {
    await served.sink.write(processedBatch(11, 20));
    await served.sink.write(processedBatch(15, 16, [...ledgerEvents(15, 3n), ...ledgerEvents(16, 3n)])); // a re-run replaces its range
    const connection = await served.sink.connect();
    try {
      await connection.run("CHECKPOINT");
      const rows = (await connection.runAndReadAll("SELECT count(*)::INTEGER, max(ledger_sequence) FROM ttp_events")).getRows();
      expect(rows).toEqual([[80, 20]]);
    } finally {
      connection.closeSync();
    }
  });

  test("spills a query beyond its memory limit into DuckDB's temp directory", async () => {
    expect(existsSync(`${db}.tmp`)).toBe(false);
    const connection = await served.sink.connect();
    try {
      // ~6M distinct keys: a hash table well beyond the sink's 64MB memory_limit
      const rows = (await connection.runAndReadAll("SELECT count(*)::INTEGER FROM (SELECT DISTINCT range * 7919 % 100000007 AS k FROM range(6000000))")).getRows();
      expect(rows).toEqual([[6_000_000]]);
    } finally {
      connection.closeSync();
    }
    expect(existsSync(`${db}.tmp`)).toBe(true); // created by DuckDB when it spilled
  });

  test("exports to the files it was opened with, twice (the second through DuckDB's tmp_ file)", async () => {
    const connection = await served.sink.connect();
    try {
      for (let run = 0; run < 2; run++) {
        expect(await exportJson(connection, { start: 1, end: 20 }, json)).toBe(80);
        expect(await exportParquet(connection, { start: 1, end: 20 }, parquetDir)).toEqual({ events: 80, ledgers: 20 });
      }
    } finally {
      connection.closeSync();
    }
    expect(readFileSync(json, "utf8").trim().split("\n")).toHaveLength(80);
    for (const file of parquetExportFiles(parquetDir)) expect(existsSync(file)).toBe(true);
  });
});

describe("opening errors say what is wrong", () => {
  test("a memory_limit too small is named as such, not as another process holding the file", async () => {
    const path = join(work.path, "small.duckdb");
    const sink = await DuckDbSink.open(path);
    await sink.write(processedBatch(1, 30));
    await sink.close();
    const error = await DuckDbSink.open(path, { config: { memory_limit: "1KB" } }).then(
      async (opened) => {
        await opened.close();
        return null;
      },
      (e: Error) => e.message,
    );
    expect(error).toContain("memory_limit of 1KB, --duckdb-memory-limit, is too small");
    expect(error).not.toContain("another process");
  });
});
