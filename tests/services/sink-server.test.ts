// `bun run sink --db PATH --port N` (no upstream): the services over an existing database file, in a process of its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";

const root = join(import.meta.dir, "..", "..");
const dir = tempDir("stellar-flow-sink-cli-");
const dbPath = join(dir.path, "db.duckdb");
let proc: { kill(signal?: number | NodeJS.Signals): void; readonly exited: Promise<number> } | null = null;
let url = "";
const auth = { authorization: "Bearer tok" };

beforeAll(async () => {
  const sink = await DuckDbSink.open(dbPath);
  await sink.write(processedBatch(200, 219));
  await sink.close();
  const spawned = Bun.spawn([process.execPath, "src/cli/sink.ts", "--db", dbPath, "--port", "0", "--flowctl", "off"], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, STELLAR_FLOW_API_TOKEN: "tok", STELLAR_FLOW_CORS_ORIGINS: "http://allowed.example" },
  });
  proc = spawned;
  const reader = spawned.stderr.getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!/ at (http:\/\/[^\s]+)/.test(text) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
    if (!chunk || chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  url = / at (http:\/\/[^\s]+)/.exec(text)?.[1] ?? "";
  if (!url) throw new Error(`bun run sink did not start: ${text}`);
}, 30_000);

afterAll(async () => {
  proc?.kill("SIGTERM");
  await Promise.race([proc?.exited, Bun.sleep(5000)]);
  proc?.kill("SIGKILL");
  dir.remove();
});

describe("bun run sink --db", () => {
  test("answers QueryService and EventService over the file, with the token", async () => {
    const transport = createConnectTransport({ baseUrl: url, defaultTimeoutMs: 15_000, interceptors: [(next) => (req) => (req.header.set("authorization", auth.authorization), next(req))] });
    const answer = await createClient(QueryService, transport).query({ sql: "SELECT count(*) FROM ttp_events" });
    expect(answer.rows[0]!.values[0]!.text).toBe("80");
    let events = 0;
    for await (const page of createClient(EventService, transport).streamEvents({ startLedger: 210, endLedger: 219 })) events += page.events.length;
    expect(events).toBe(40);
  });

  test("downloads a query's result as Parquet; refuses a forbidden one", async () => {
    const response = await fetch(`${url}/download/parquet`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ sql: "SELECT ledger_sequence, amount FROM ttp_events WHERE event_type = 'transfer' -- a comment" }) });
    expect(response.status).toBe(200);
    const file = join(dir.path, "got.parquet");
    writeFileSync(file, new Uint8Array(await response.arrayBuffer()));
    const instance = await DuckDBInstance.create(":memory:");
    const c = await instance.connect();
    const rows = (await c.runAndReadAll(`SELECT count(*), max(amount)::VARCHAR FROM read_parquet('${file}')`)).getRows();
    expect(rows[0]).toEqual([40n, String(2n ** 64n + 7n)]); // every digit: HUGEINT goes out as DECIMAL(38, 0)
    c.closeSync();
    instance.closeSync();
    const refused = await fetch(`${url}/download/parquet`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ sql: "SELECT * FROM read_csv('/etc/passwd')" }) });
    const refusal = (await refused.json()) as { error: string };
    expect([refused.status, refusal.error]).toEqual([403, expect.stringMatching(/read_csv\(\) is not allowed/)]);
    expect((await fetch(`${url}/download/parquet`, { method: "POST", body: "{}" })).status).toBe(401);
  });

  test("CORS: the allowlisted origin gets Connect's headers, another origin none", async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/stellarflow.v1.QueryService/Query`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,connect-protocol-version,authorization" } });
    const allowed = await preflight("http://allowed.example");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://allowed.example");
    expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const other = await preflight("http://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("serves the dashboard: the page and its bundle, no CDN; the token carried into their URLs", async () => {
    const response = await fetch(`${url}/?token=tok`);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const page = await response.text();
    expect(page).toContain('<script type="module" src="/dashboard.js?token=tok"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/dashboard.css?token=tok">');
    // nothing fetched from elsewhere (the favicon's inline SVG names its XML namespace, which is no fetch)
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg')/);
    const script = await fetch(`${url}/dashboard.js?token=tok`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${url}/dashboard.css?token=tok`)).status).toBe(200);
  }, 30_000);
});
