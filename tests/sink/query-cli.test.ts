import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { I128_MAX, ledgerEvents, processedBatch, tempDir } from "./fixtures.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
let dir: ReturnType<typeof tempDir>;
let dbPath: string;

/** Runs the CLI in a time zone far from UTC, so that printing UTC is not an accident. */
function query(...args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, TZ: "America/New_York" };
  const run = Bun.spawnSync([process.execPath, "src/cli/query.ts", ...args], { cwd: REPO, env, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

beforeAll(async () => {
  dir = tempDir("stellar-flow-query-");
  dbPath = join(dir.path, "stellar.duckdb");
  const sink = await DuckDbSink.open(dbPath);
  await sink.write(processedBatch(100, 101, [...ledgerEvents(100), { ...ledgerEvents(101)[1]!, amount: I128_MAX }]));
  await sink.close();
});

afterAll(() => dir.remove());

describe("bun src/cli/query.ts", () => {
  test("prints an aligned table with exact integers, ISO UTC times, NULL and a row count", () => {
    const sql = "SELECT ledger_sequence, closed_at, event_type, operation_index, amount FROM ttp_events WHERE event_index = 0 ORDER BY ledger_sequence";
    const { code, stdout, stderr } = query(sql, "--db", dbPath);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(
      [
        " ledger_sequence | closed_at            | event_type | operation_index | amount",
        "-----------------+----------------------+------------+-----------------+-----------------------------------------",
        "             100 | 2024-05-29T16:26:40Z | fee        |            NULL |                                     100",
        "             101 | 2024-05-29T16:26:45Z | transfer   |               1 | 170141183460469231731687303715884105727",
        "(2 rows)",
        "",
      ].join("\n"),
    );
  });

  test("--format json keeps 128-bit integers as strings", () => {
    const { code, stdout } = query("SELECT ledger_sequence, amount, to_address FROM ttp_events WHERE ledger_sequence = 101", "--db", dbPath, "--format", "json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([{ ledger_sequence: 101, amount: "170141183460469231731687303715884105727", to_address: ledgerEvents(101)[1]!.to }]);
  });

  test("--format csv", () => {
    const { code, stdout } = query("SELECT event_index, to_muxed_value FROM ttp_events WHERE ledger_sequence = 100 AND event_index >= 2 ORDER BY 1", "--db", dbPath, "--format", "csv");
    expect(code).toBe(0);
    expect(stdout).toBe('event_index,to_muxed_value\n2,18446744073709551615\n3,"it\'s ""quoted"", with a comma\nand a newline"\n');
  });

  test("a missing database names the path and says to run the pipeline first", () => {
    const missing = join(dir.path, "nowhere", "stellar.duckdb");
    const { code, stdout, stderr } = query("SELECT 1", "--db", missing);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`No DuckDB database at ${missing}: run the pipeline first`);
  });

  test("opens the database read-only: DELETE is refused and nothing changes", () => {
    const refused = query("DELETE FROM ttp_events", "--db", dbPath);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/read-only/);
    expect(query("SELECT count(*) AS n FROM ttp_events", "--db", dbPath, "--format", "csv").stdout).toBe("n\n5\n");
  });

  test("SQL errors print DuckDB's message and exit 1", () => {
    const { code, stderr } = query("SELECT nope FROM ttp_events", "--db", dbPath);
    expect(code).toBe(1);
    expect(stderr).toContain('Referenced column "nope" not found');
  });

  test("a database held open for writing is reported as such", async () => {
    const sink = await DuckDbSink.open(dbPath);
    try {
      // the holder is this test process, which serves no sink: the hint gives the default address
      const { code, stdout, stderr } = query("SELECT 1", "--db", dbPath);
      expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
      const lines = stderr.split("\n");
      expect(lines[0]).toStartWith(`error: ${dbPath} is open for writing in PID ${process.pid} (`);
      expect(lines.slice(1)).toEqual([
        `hint: if it is a pipeline or a sink, query it through the sink while it runs: bun run query --url http://127.0.0.1:8090 "SQL" (the sink's port: 8090 unless --health-ports or --port chose another)`,
        "",
      ]);
    } finally {
      await sink.close();
    }
  });

  test("--help, and usage errors exit 2", () => {
    const help = query("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toStartWith('Usage: bun run query "SQL" [--db PATH | --url URL] [--dataset DIR] [--format table|json|csv]\n');
    const usage = (message: string) => ({ code: 2, stdout: "", stderr: `error: ${message}\ntry: bun run query --help\n` });
    expect(query()).toEqual(usage('give the SQL to run, quoted: bun run query "SELECT ..."'));
    expect(query("SELECT 1", "--format", "xml")).toEqual(usage('--format must be one of table, json, csv, got "xml"'));
    expect(query("SELECT 1", "--bogus")).toEqual(usage("--bogus is not a flag of bun run query"));
    expect(query("SELECT 1", "--fromat", "csv")).toEqual(usage("--fromat is not a flag of bun run query (did you mean --format?)"));
    expect(query("SELECT 1", "SELECT 2")).toEqual(usage("give exactly one SQL string (quote it); got 2 arguments"));
    expect(query("SELECT 1", "--db", "x", "--url", "http://127.0.0.1:8090")).toEqual(usage("--db and --url both name what to query: give one"));
    expect(query("SELECT 1", "--token", "t")).toEqual(usage("--token goes with --url"));
    expect(query("SELECT 1", "--dataset", "d", "--url", "http://127.0.0.1:8090")).toEqual(usage("--dataset goes with a database file (--db), not with --url"));
  });
});
