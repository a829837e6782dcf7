// `bun run sink --db` as a user runs it, with STELLAR_FLOW_API_TOKEN, a CORS allowlist and a
// flowctl that wants its own token: every route but /livez wants the sink's token; request bodies
// are refused past the cap before they are read (Content-Length, or counted as they stream);
// /download/parquet takes no simple cross-site request and /ws no upgrade from a foreign Origin;
// the dashboard's flowctl proxy presents the sink's flowctl token, not the caller's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";
import { REPO } from "../support/cli.ts";
import { collect, flowctlClient, startTestFlowctl, waitFor } from "../support/flowctl.ts";

const TOKEN = "sink-t0ken";
const FLOWCTL_TOKEN = "flowctl-t0ken";
const ALLOWED = "http://allowed.example";
const auth = { authorization: `Bearer ${TOKEN}` };
const dir = tempDir("stellar-flow-sink-guards-");
const flowctl = startTestFlowctl({ token: FLOWCTL_TOKEN });
let proc: ReturnType<typeof Bun.spawn> | null = null;
let url = "";

beforeAll(async () => {
  const db = join(dir.path, "db.duckdb");
  const sink = await DuckDbSink.open(db);
  await sink.write(processedBatch(200, 203));
  await sink.close();
  await flowctlClient(flowctl.url, "connect-json", FLOWCTL_TOKEN).register({ service: { componentId: "a-source", serviceType: ServiceType.SOURCE } });
  // with flowctl on, the sink looks for an upstream there (none registers one) and serves meanwhile
  proc = Bun.spawn([process.execPath, "src/cli/sink.ts", "--db", db, "--port", "0", "--flowctl", flowctl.url, "--reconnect-attempts", "100000"], {
    cwd: REPO,
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, STELLAR_FLOW_API_TOKEN: TOKEN, FLOWCTL_TOKEN, STELLAR_FLOW_CORS_ORIGINS: ALLOWED },
  });
  const stderr = collect((proc as { stderr: ReadableStream<Uint8Array> }).stderr);
  url = await waitFor("the sink's URL", () => /serving (http:\/\/\S+)/.exec(stderr.text())?.[1], 20_000);
}, 30_000);

afterAll(async () => {
  proc?.kill("SIGKILL");
  await proc?.exited;
  await flowctl.stop();
  dir.remove();
});

/** The status line and headers a raw request head (and `body`, if any) gets, without ever sending the rest of what it declares. */
async function headOnly(path: string, headers: Record<string, string>, body = ""): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  let received = "";
  let resolve!: () => void;
  const answered = new Promise<void>((r) => (resolve = r));
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_, chunk) {
        received += new TextDecoder().decode(chunk);
        if (/\r\n\r\n/.test(received)) resolve();
      },
      close: () => resolve(),
    },
  });
  const head = Object.entries({ host: `${hostname}:${port}`, ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n${body}`);
  // generous: the answer comes at once, or (reading the body first) never
  await Promise.race([answered, Bun.sleep(10_000)]);
  socket.end();
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), text: received };
}

describe("the token covers every route but /livez", () => {
  test("without it: 401 from /health, /metrics, the dashboard's files and config, the flowctl proxy", async () => {
    const routes: [string, RequestInit?][] = [
      ["/health"],
      ["/metrics"],
      ["/"],
      ["/dashboard.js"],
      ["/dashboard.css"],
      ["/dashboard/config"],
      ["/flowctl.v1.ControlPlaneService/ListServices", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
    ];
    for (const [path, init] of routes) {
      const response = await fetch(`${url}${path}`, init);
      expect([path, response.status]).toEqual([path, 401]);
    }
    const health = (await (await fetch(`${url}/health`, { headers: auth })).json()) as { status: string; db: string };
    expect(health.db).toBe(join(dir.path, "db.duckdb")); // the details, with the token
    expect((await fetch(`${url}/metrics?token=${TOKEN}`)).status).toBe(200);
    const live = await fetch(`${url}/livez`);
    expect([live.status, await live.text()]).toEqual([200, "ok"]);
  });

  test("the dashboard's proxy answers with the token, and presents the sink's flowctl token to flowctl", async () => {
    const response = await fetch(`${url}/flowctl.v1.ControlPlaneService/ListServices`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { services: { service: { componentId: string } }[] };
    expect(listed.services.map((s) => s.service.componentId)).toContain("a-source");
  });
});

describe("request bodies are bounded before they are read", () => {
  test("/download/parquet: a declared body past the cap is refused unread; one without a length is read no further than the cap", async () => {
    const declared = await headOnly("/download/parquet", { ...auth, "content-type": "application/json", "content-length": String(150 * 1024) }, '{"sql":"');
    expect(declared.status).toBe(413);
    const hugeDeclared = await headOnly("/download/parquet", { ...auth, "content-type": "application/json", "content-length": String(100 * 1024 * 1024) }, '{"sql":"');
    expect(hugeDeclared.status).toBe(413);
    let sent = 0;
    const chunks = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * 1024 * 1024) return controller.close();
        const chunk = new TextEncoder().encode(sent === 0 ? `{"sql": "SELECT 1 -- ${"x".repeat(65_000)}` : "x".repeat(65_536));
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await fetch(`${url}/download/parquet`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: chunks, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: string }).error).toBe("/download/parquet: the request body is larger than 131072 bytes");
    expect(sent).toBeLessThan(4 * 1024 * 1024); // it stopped reading
  }, 30_000);

  test("/download/parquet without the token: 401 before the body", async () => {
    const refused = await headOnly("/download/parquet", { "content-type": "application/json", "content-length": String(100 * 1024) }, "{");
    expect(refused.status).toBe(401);
  }, 30_000);

  test("the flowctl proxy: 401 without the sink's token, 413 past the cap, both before the body", async () => {
    const path = "/flowctl.v1.ControlPlaneService/ListServices";
    expect((await headOnly(path, { "content-type": "application/json", "content-length": String(100 * 1024) }, "{")).status).toBe(401);
    expect((await headOnly(path, { ...auth, "content-type": "application/json", "content-length": String(150 * 1024) }, "{")).status).toBe(413);
  }, 30_000);
});

describe("cross-site requests", () => {
  const download = (headers: Record<string, string>) => fetch(`${url}/download/parquet`, { method: "POST", headers: { ...auth, ...headers }, body: JSON.stringify({ sql: "SELECT count(*) AS n FROM ttp_events" }) });

  test("/download/parquet: no simple (no-preflight) request; JSON only from no Origin, the same origin or the allowlist", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await download({ "content-type": contentType, origin: "http://evil.example" });
      expect([contentType, response.status]).toEqual([contentType, 403]);
      const sameSite = await download({ "content-type": contentType });
      expect([contentType, sameSite.status]).toEqual([contentType, 415]);
    }
    const foreign = await download({ "content-type": "application/json", origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toBe("/download/parquet: requests from origin http://evil.example are not allowed (same origin, or STELLAR_FLOW_CORS_ORIGINS)");
    for (const origin of [null, ALLOWED, new URL(url).origin]) {
      const response = await download({ "content-type": "application/json; charset=utf-8", ...(origin ? { origin } : {}) });
      expect([origin, response.status, response.headers.get("content-type")]).toEqual([origin, 200, "application/vnd.apache.parquet"]);
    }
  });

  test("/ws: an upgrade from a foreign Origin is refused (403); the same origin, the allowlist and non-browser clients get their stream", async () => {
    const open = (origin: string | null) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${url.replace("http", "ws")}/ws?start_ledger=200&end_ledger=200&token=${TOKEN}`, origin ? ({ headers: { origin } } as unknown as string[]) : undefined);
        ws.onmessage = () => {
          ws.close();
          resolve("stream");
        };
        ws.onerror = () => resolve("refused");
        ws.onclose = () => resolve("closed");
      });
    expect(await open("http://evil.example")).toBe("refused");
    expect(await open(ALLOWED)).toBe("stream");
    expect(await open(new URL(url).origin)).toBe("stream");
    expect(await open(null)).toBe("stream");
    const refused = await fetch(`${url}/ws?token=${TOKEN}`, {
      headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13", origin: "http://evil.example" },
    });
    expect(refused.status).toBe(403);
  });
});
