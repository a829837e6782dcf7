// `bun run query --url`: the same SQL through the QueryService of a running sink, printed exactly as
// the file path prints it; a token from the environment or --token; and `--db` on a file a sink
// holds pointing at that sink's URL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { killAll, spawnCli, type Child } from "../processes/stage-processes.ts";
import { freePort, waitFor } from "../support/flowctl.ts";
import { REPO } from "../support/cli.ts";
import { I128_MAX, ledgerEvents, processedBatch, tempDir } from "./fixtures.ts";

const TOKEN = "query-url-test-token";
const work = tempDir("stellar-flow-query-url-");
const db = join(work.path, "stellar.duckdb");
const children: Child[] = [];
let url: string;

/** `bun src/cli/query.ts ...` with `env` over an environment without the machine's token. */
function query(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const base: Record<string, string | undefined> = { ...process.env, TZ: "America/New_York" };
  delete base.STELLAR_FLOW_API_TOKEN;
  const run = Bun.spawnSync([process.execPath, "src/cli/query.ts", ...args], { cwd: REPO, env: { ...base, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

const SQL = {
  table: "SELECT ledger_sequence, closed_at, event_type, operation_index, amount, to_muxed_value FROM ttp_events ORDER BY ledger_sequence, event_index",
  /** What the sink's row cap of 4 leaves of the table's rows. */
  firstFour: "SELECT ledger_sequence, closed_at, event_type, operation_index, amount, to_muxed_value FROM ttp_events ORDER BY ledger_sequence, event_index LIMIT 4",
  json: "SELECT ledger_sequence, amount, event_index, to_address, (amount > 0) AS positive, 1.5::DOUBLE AS d FROM ttp_events WHERE event_index <= 1 ORDER BY ALL",
  csv: "SELECT event_type, count(*) AS n, max(amount) AS largest FROM ttp_events GROUP BY ALL ORDER BY ALL",
} as const;
/** What `--db` printed before the sink took the file. */
const fromFile: Record<string, string> = {};

beforeAll(async () => {
  const sink = await DuckDbSink.open(db);
  await sink.write(processedBatch(100, 101, [...ledgerEvents(100), { ...ledgerEvents(101)[1]!, amount: I128_MAX }]));
  await sink.close();
  for (const [format, sql] of Object.entries(SQL)) {
    const run = query([sql, "--db", db, "--format", format === "firstFour" ? "table" : format]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    fromFile[format] = run.stdout;
  }
  const port = freePort();
  url = `http://127.0.0.1:${port}`;
  children.push(spawnCli("sink", ["--db", db, "--port", String(port), "--flowctl", "off", "--query-max-rows", "4"], { STELLAR_FLOW_API_TOKEN: TOKEN }));
  await waitFor("the sink", async () => ((await fetch(`${url}/livez`).catch(() => null))?.ok ? true : undefined), 15_000);
});

afterAll(async () => {
  await killAll(children);
  work.remove();
});

describe("bun run query --url", () => {
  test("prints what the file path prints, exact integers included, with the token from the environment (table: the next test)", () => {
    for (const format of ["json", "csv"] as const) {
      expect(query([SQL[format], "--url", url, "--format", format], { STELLAR_FLOW_API_TOKEN: TOKEN })).toEqual({ code: 0, stdout: fromFile[format]!, stderr: "" });
    }
    expect(fromFile.csv).toBe("event_type,n,largest\nfee,1,100\nmint,1,1\ntransfer,3,170141183460469231731687303715884105727\n");
  });

  test("a result cut at the sink's row cap says so on stderr, beneath the same rows", () => {
    const run = query([SQL.table, "--url", `${url}/`, "--token", TOKEN]);
    expect(run.code).toBe(0);
    expect(fromFile.table).toContain("(5 rows)");
    expect(run.stdout).toBe(fromFile.firstFour!);
    expect(run.stderr).toBe("note: the sink returned its first 4 rows only (its --query-max-rows): narrow the query (WHERE, LIMIT) or aggregate\n");
  });

  test("a missing or wrong token, a refused statement and a closed port are one line each", () => {
    expect(query(["SELECT 1", "--url", url])).toEqual({ code: 1, stdout: "", stderr: `error: the sink at ${url} wants a token: set STELLAR_FLOW_API_TOKEN or give --token\n` });
    const wrong = query(["SELECT 1", "--url", url, "--token", "nope"]);
    expect(wrong.stderr).toStartWith(`error: the sink at ${url} refused the token (STELLAR_FLOW_API_TOKEN or --token): `);
    const write = query(["DELETE FROM ttp_events", "--url", url, "--token", TOKEN]);
    expect(write.code).toBe(1);
    expect(write.stderr).toStartWith(`error: the sink at ${url} refused the query (`);
    expect(write.stderr.split("\n")).toHaveLength(2);
    const closed = `http://127.0.0.1:${freePort()}`;
    expect(query(["SELECT 1", "--url", closed])).toEqual({ code: 1, stdout: "", stderr: `error: nothing listens at ${closed} (connection refused): is the pipeline or sink running, and is this its port?\n` });
  });

  test("--db on the file the sink holds names the sink's process and its --url", () => {
    const run = query([SQL.csv, "--db", db], { STELLAR_FLOW_API_TOKEN: TOKEN });
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: "" });
    const [error, hint, end] = run.stderr.split("\n");
    expect(error).toStartWith(`error: ${db} is open for writing in PID ${children[0]!.proc.pid} (bun src/cli/sink.ts --db ${db} --port `);
    expect(hint).toBe(`hint: query it through that process's sink while it runs: bun run query --url ${url} "SQL"`);
    expect(end).toBe("");
  });
});
