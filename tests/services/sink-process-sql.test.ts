// Issue 12, items 1-4 and 6, against the SQL surface as a user meets it: `bun run sink --db FILE`
// and `bun run pipeline` started as processes (their own HOME, so that ~/.duckdb is theirs to
// watch), called over Connect's JSON protocol and plain HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { killAll, sinkLedger, spawnCli, type Child } from "../processes/stage-processes.ts";
import { writeCanaries, type Canaries } from "../support/canaries.ts";
import { freePort, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";
import { attacks } from "./sql-attacks.ts";
import { connectQuery, downloadParquet, peakRss } from "./sql-process.ts";

const HEAVY = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3";
const work = tempDir("stellar-flow-sql-process-");
const home = join(work.path, "home");
const canaries: Canaries = await writeCanaries();
const readsShow = canaries.arm();
const children: Child[] = [];

beforeAll(() => mkdirSync(home));
afterAll(async () => {
  await killAll(children);
  canaries.remove();
  work.remove();
});

/** Every attack of sql-attacks.ts, over Connect JSON and /download/parquet: refused, nothing leaked, nothing created. */
async function expectAttacksRefused(url: string): Promise<void> {
  const problems: string[] = [];
  for (const attack of attacks(canaries)) {
    const query = await connectQuery(url, attack.sql);
    if (query.code !== "permission_denied" && query.code !== "invalid_argument") problems.push(`${attack.name}: Query answered ${query.status} ${query.text.slice(0, 200)}`);
    else if (!attack.refusal.test(query.text)) problems.push(`${attack.name}: Query refused for another reason: ${query.text.slice(0, 200)}`);
    if (canaries.leaked(query.text)) problems.push(`${attack.name}: Query answer carries a canary`);
    const download = await downloadParquet(url, attack.sql);
    if (download.status !== 400 && download.status !== 403) problems.push(`${attack.name}: /download/parquet answered ${download.status}`);
    if (canaries.leaked(download.text)) problems.push(`${attack.name}: /download/parquet answer carries a canary`);
    if (attack.creates && existsSync(attack.creates)) problems.push(`${attack.name}: created ${attack.creates}`);
  }
  if (existsSync(join(home, ".duckdb"))) problems.push(`${join(home, ".duckdb")} was created (an extension download or a stored secret)`);
  expect(problems).toEqual([]);
}

describe("bun run sink --db FILE", () => {
  const db = join(work.path, "sink.duckdb");
  let sink: Child;
  let url: string;
  beforeAll(async () => {
    const writer = await DuckDbSink.open(db);
    await writer.write(processedBatch(100, 109));
    await writer.close();
    const port = freePort();
    // UV_THREADPOOL_SIZE as `bun run sink` sets it (package.json): Bun sizes its native pool at start
    sink = spawnCli("sink", ["--db", db, "--port", String(port), "--flowctl", "off", "--query-timeout", "3s", "--query-concurrency", "2", "--query-queue", "1"], { HOME: home, UV_THREADPOOL_SIZE: "8" });
    children.push(sink);
    url = `http://127.0.0.1:${port}`;
    await waitFor("bun run sink", async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined), 20_000);
  }, 30_000);

  test("refuses every attack of issue 12 (items 1-3): nothing read, nothing created", async () => {
    await expectAttacksRefused(url);
    const answer = await connectQuery(url, "SELECT count(*) AS n FROM ttp_events");
    expect(JSON.parse(answer.text).rows[0].values[0].text).toBe("40");
  }, 60_000);

  test("heavy queries: two run, one waits, the next is refused at once; /health and event streams go on; all end by the timeout", async () => {
    const started = performance.now();
    let heavyEnded = false;
    const running = [connectQuery(url, HEAVY), connectQuery(url, HEAVY)];
    void Promise.race(running).then(() => (heavyEnded = true));
    await Bun.sleep(300);
    const waiting = connectQuery(url, HEAVY);
    await Bun.sleep(300);
    const beyond = await connectQuery(url, "SELECT 1");
    expect([beyond.status, beyond.code]).toEqual([429, "resource_exhausted"]);
    expect(beyond.text).toContain("the server is busy: 2 queries are running and 1 waiting");

    // DuckDB's other work is not held by the running queries: the health check, and a catch-up read of events
    expect((await fetch(`${url}/health`)).status).toBe(200);
    let events = 0;
    const client = createClient(EventService, createConnectTransport({ baseUrl: url, defaultTimeoutMs: 60_000 }));
    for await (const page of client.streamEvents({ startLedger: 100, endLedger: 109 })) events += page.events.length;
    expect(events).toBe(40);
    expect(heavyEnded).toBe(false); // the stream was answered while both heavy queries still ran

    for (const answer of await Promise.all(running)) expect([answer.status, answer.code]).toEqual([504, "deadline_exceeded"]);
    const waited = await waiting;
    expect(["resource_exhausted", "deadline_exceeded"]).toContain(waited.code!);
    expect(performance.now() - started).toBeLessThan(3000 + 10_000); // a hang is what this rules out
    expect(JSON.parse((await connectQuery(url, "SELECT 42 AS n")).text).rows[0].values[0].text).toBe("42");
  }, 60_000);

  test("the byte cap: 200 values of 1 MB are refused, and the process stays far below the 1.27 GB they once took", async () => {
    const answer = await connectQuery(url, "SELECT repeat('x', 1000000) FROM range(200)");
    expect([answer.status, answer.code]).toEqual([429, "resource_exhausted"]);
    expect(answer.text).toContain(`the result passed the cap of ${16 * 1024 * 1024} bytes at row 17`);
    expect(peakRss(sink.proc.pid)).toBeLessThan(1024 ** 3);
  }, 60_000);
});

describe("bun run pipeline: its sink serves the same surface", () => {
  test("refuses every attack of issue 12 (items 1-3) while it runs", async () => {
    const db = join(work.path, "pipeline.duckdb");
    const ports = [freePort(), freePort(), freePort()];
    const pipeline = spawnCli(
      "pipeline",
      ["--datalake", lakePath("pubnet"), "--start", "30822015", "--follow", "--db", db, "--health-ports", ports.join(","), "--flowctl", "off", "--workers", "0"],
      { HOME: home, UV_THREADPOOL_SIZE: "8" },
    );
    children.push(pipeline);
    const url = `http://127.0.0.1:${ports[2]}`;
    // --follow: it commits the lake's ledgers, then waits for the next one until SIGINT
    await waitFor("the pipeline's last ledger", async () => ((await sinkLedger(`${url}/health`)) === 30822025 ? true : undefined), 60_000);
    await expectAttacksRefused(url);
    const answer = await connectQuery(url, "SELECT count(*) FROM ttp_events");
    expect(JSON.parse(answer.text).rows[0].values[0].text).toBe("668");
    pipeline.proc.kill("SIGINT");
    const done = await pipeline.done;
    expect(done.code).toBe(0);
  }, 90_000);
});

test.skipIf(!readsShow)("no canary file or directory was read at all (their access times did not move)", () => {
  expect(canaries.touched()).toEqual([]);
});
