// Issue 12, items 4 and 6, in process: queries wait for one of a fixed number of query connections
// in a bounded line and never past their statement timeout in total; results and Parquet downloads
// are capped in bytes while they are read or written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { errorOf } from "../support/flowctl.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

/** A query that runs until it is interrupted (about 10^11 rows). */
const HEAVY = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3";
const TIMEOUT_MS = 1500;

describe("a line for the query connections, within the statement timeout", () => {
  let h: ServicesHarness;
  let client: ReturnType<typeof createClient<typeof QueryService>>;
  beforeAll(async () => {
    // one connection, one place in line: one query runs, one waits, the next is refused at once
    h = await servicesHarness({ queryConcurrency: 1, query: { timeoutMs: TIMEOUT_MS, maxWaiting: 1 } });
    await h.commit(1, 3);
    client = createClient(QueryService, createConnectTransport({ baseUrl: h.server.url, defaultTimeoutMs: 60_000 }));
  });
  afterAll(() => h.close());

  test("the running query is interrupted, the waiting one refused at its deadline, the one beyond the line at once", async () => {
    const started = performance.now();
    const running = errorOf(client.query({ sql: HEAVY }));
    await Bun.sleep(100);
    const waiting = errorOf(client.query({ sql: HEAVY }));
    await Bun.sleep(100);
    const beyond = await errorOf(client.query({ sql: "SELECT 1" }));
    expect(Code[beyond.code]).toBe("ResourceExhausted");
    expect(beyond.rawMessage).toMatch(/the server is busy: 1 queries are running and 1 waiting, the most it takes/);

    const ran = await running;
    expect(Code[ran.code]).toBe("DeadlineExceeded");
    expect(ran.rawMessage).toMatch(/statement timeout of 1500 ms \(time waiting for a connection included\)/);
    // the waiting one either never got the connection, or got it with what was left of its 1500 ms
    const waited = await waiting;
    expect(["ResourceExhausted", "DeadlineExceeded"]).toContain(Code[waited.code]);
    expect(waited.rawMessage).toMatch(/statement timeout of 1500 ms/);
    // everything answered within about one timeout, not one after another (a generous bound: a hang is what it rules out)
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 8000);

    const after = await client.query({ sql: "SELECT count(*) FROM ttp_events" });
    expect(after.rows[0]!.values[0]!.text).toBe("12");
  }, 30_000);

  test("a query canceled by its client while it waits leaves the line", async () => {
    const running = errorOf(client.query({ sql: HEAVY }));
    await Bun.sleep(100);
    const gone = new AbortController();
    const canceled = errorOf(client.query({ sql: HEAVY }, { signal: gone.signal }));
    await Bun.sleep(100);
    gone.abort();
    expect(Code[(await canceled).code]).toBe("Canceled");
    // its place in line is free again: this one waits for the running query's end instead of being refused at once
    const next = await client.query({ sql: "SELECT 1" });
    expect(next.rows[0]!.values[0]!.text).toBe("1");
    expect(Code[(await running).code]).toBe("DeadlineExceeded");
  }, 30_000);
});

describe("the byte cap of results", () => {
  let h: ServicesHarness;
  let client: ReturnType<typeof createClient<typeof QueryService>>;
  beforeAll(async () => {
    h = await servicesHarness({ query: { timeoutMs: 20_000, maxResultBytes: 1024 * 1024 } });
    await h.commit(1, 3);
    client = createClient(QueryService, createConnectTransport({ baseUrl: h.server.url, defaultTimeoutMs: 60_000 }));
  });
  afterAll(() => h.close());

  test("a result under the cap is answered whole", async () => {
    const answer = await client.query({ sql: "SELECT repeat('x', 1000) FROM range(1000)" });
    expect(answer.rows).toHaveLength(1000);
    expect(answer.truncated).toBe(false);
  });

  test("a result over the cap is refused with ResourceExhausted naming the cap", async () => {
    const error = await errorOf(client.query({ sql: "SELECT repeat('x', 100000) AS wide FROM range(1000)" }));
    expect(Code[error.code]).toBe("ResourceExhausted");
    expect(error.rawMessage).toMatch(/the result passed the cap of 1048576 bytes at row 11/);
  });

  test("a result of 100 GB is refused as soon as its first rows pass the cap", async () => {
    // the old reader read 10,001 of these rows (1 GB) before it capped anything
    const error = await errorOf(client.query({ sql: "SELECT repeat('x', 100000) AS wide FROM range(1000000)" }));
    expect(Code[error.code]).toBe("ResourceExhausted");
    expect(error.rawMessage).toMatch(/at row 11:/);
  }, 60_000);

  test("the row cap still truncates below the byte cap", async () => {
    const answer = await client.query({ sql: "SELECT range FROM range(100000)" });
    expect(answer.rows).toHaveLength(10_000);
    expect(answer.truncated).toBe(true);
  });

  test("a Parquet download past the cap is refused; one under it is sent", async () => {
    const post = (sql: string) => fetch(`${h.server.url}/download/parquet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sql }) });
    // 20 distinct md5s a row hardly compress: 10,000 rows are several MB of Parquet
    const big = await post("SELECT list_transform(range(20), i -> md5((range * 20 + i)::VARCHAR)) AS s FROM range(10000)");
    expect(big.status).toBe(429);
    expect(((await big.json()) as { error: string }).error).toMatch(/the Parquet file passed the cap of 1048576 bytes/);
    const small = await post("SELECT md5(range::VARCHAR) AS s FROM range(1000)");
    expect(small.status).toBe(200);
    expect((await small.arrayBuffer()).byteLength).toBeLessThan(1024 * 1024);
  });
});
