// The sink's server closes idle connections: `bun run sink --db` with few file descriptors, flooded
// with requests that never finish, still answers /health once the idle timeout has dropped them
// (before, they held a descriptor each forever and /health stopped answering). Streams are exempt
// once their request has arrived: a quiet StreamEvents, /ws or proxied WatchServices outlives the
// timeout and still delivers what comes next.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Hono } from "hono";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { EventService, type StreamEventsResponse } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { ChangeType, ControlPlaneService, ServiceType, type WatchServicesResponse } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { Component } from "../../src/component/component.ts";
import { SINK_KIND } from "../../src/component/kinds.ts";
import { serveComponent } from "../../src/component/serve-component.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { CommitHub } from "../../src/sink/services/commit-hub.ts";
import { openServedSink, type ServedSink } from "../../src/sink/services/served-sink.ts";
import { sinkServiceRoutes } from "../../src/sink/services/sink-service-routes.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";
import { collect, flowctlClient, startTestFlowctl, waitFor } from "../support/flowctl.ts";
import { stalledRequest, stalledRequests } from "../support/stalled-requests.ts";
import { REPO } from "../support/cli.ts";

const FLOWCTL_OFF = { enabled: false, endpoint: "http://localhost:8080", heartbeatIntervalMs: 10_000, token: null };

describe("bun run sink --db, 256 file descriptors, STELLAR_FLOW_IDLE_TIMEOUT=1s", () => {
  const dir = tempDir("stellar-flow-idle-");
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  let url = "";

  beforeAll(async () => {
    const sink = await DuckDbSink.open(join(dir.path, "db.duckdb"));
    await sink.write(processedBatch(200, 201));
    await sink.close();
    // the shell lowers the descriptor limit for the sink alone, as an operator's ulimit would
    const spawned = Bun.spawn(["sh", "-c", 'ulimit -n 256 && exec "$0" "$@"', process.execPath, "src/cli/sink.ts", "--db", join(dir.path, "db.duckdb"), "--port", "0", "--flowctl", "off"], {
      cwd: REPO,
      stdout: "ignore",
      stderr: "pipe",
      env: { ...process.env, STELLAR_FLOW_IDLE_TIMEOUT: "1s" },
    });
    proc = spawned;
    const stderr = collect(spawned.stderr);
    url = await waitFor("the sink's URL", () => / at (http:\/\/\S+)/.exec(stderr.text())?.[1], 20_000);
  }, 30_000);

  afterAll(async () => {
    proc?.kill("SIGKILL");
    await proc?.exited;
    dir.remove();
  });

  test("a thousand half-sent requests (more than it has descriptors) are dropped, and /health answers", async () => {
    const stalled = await stalledRequests(url, 1000);
    expect(stalled.length).toBeGreaterThan(900);
    // generous: each request the server accepts is dropped after the idle timeout (Bun checks it every few seconds)
    const health = await waitFor(
      "/health to answer",
      async () => {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        return response.status;
      },
      60_000,
    );
    expect(health).toBe(200);
    await waitFor("every stalled request to be dropped", () => (stalled.every((s) => s.isClosed()) ? true : undefined), 60_000);
    for (const s of stalled) s.end();
  }, 120_000);
});

describe("the sink component's server (in-process pipeline) with a 1 s idle timeout", () => {
  const dir = tempDir("stellar-flow-idle-component-");
  let served: ServedSink;
  let sink: DuckDbSink;
  let hub: CommitHub;
  let runtime: ReturnType<typeof serveComponent>;
  let flowctl: ReturnType<typeof startTestFlowctl>;
  let url = "";

  beforeAll(async () => {
    served = await openServedSink(join(dir.path, "db.duckdb"), { queryConcurrency: 1 });
    sink = served.sink;
    await sink.write(processedBatch(100, 100));
    hub = new CommitHub(100);
    flowctl = startTestFlowctl();
    // the event streams would send a progress page every 5 s: an hour keeps them silent
    const routes = sinkServiceRoutes({ db: served.services, hub, token: null, corsOrigins: [], flowctlUrl: flowctl.url, websocket: { idleMs: 3_600_000 } });
    runtime = serveComponent(new Component(SINK_KIND, "arrow-analytics-sink", {}), {
      host: "127.0.0.1",
      port: 0,
      flowctl: FLOWCTL_OFF,
      routes: routes.mount,
      websocket: routes.websocket,
      limits: { idleTimeoutSeconds: 1, maxRequestBytes: 128 * 1024 },
    });
    url = runtime.component.baseUrl!;
  });

  afterAll(async () => {
    await runtime.stop();
    await flowctl.stop();
    await served.close();
    dir.remove();
  });

  test("a request whose body never comes is dropped", async () => {
    const stalled = await stalledRequest(url, "/download/parquet");
    await waitFor("the server to drop the stalled request", () => (stalled.isClosed() ? true : undefined), 15_000);
  }, 20_000);

  test("quiet StreamEvents, /ws and proxied WatchServices outlive the idle timeout and deliver what comes next", async () => {
    const abort = new AbortController();
    const pages: StreamEventsResponse[] = [];
    const streaming = (async () => {
      const client = createClient(EventService, createConnectTransport({ baseUrl: url }));
      for await (const page of client.streamEvents({ startLedger: 100 }, { signal: abort.signal })) pages.push(page);
    })().catch(() => undefined);
    const frames: string[] = [];
    const ws = new WebSocket(`${url.replace("http", "ws")}/ws?start_ledger=100`);
    ws.onmessage = (event) => frames.push(String(event.data));
    const changes: WatchServicesResponse[] = [];
    const watching = (async () => {
      const proxied = createClient(ControlPlaneService, createConnectTransport({ baseUrl: url }));
      for await (const change of proxied.watchServices({}, { signal: abort.signal })) changes.push(change);
    })().catch(() => undefined);
    await waitFor("the first page, frame and snapshot", () => (pages.length >= 1 && frames.length >= 1 && changes.length >= 1 ? true : undefined));

    await Bun.sleep(6_000); // well past the idle timeout (Bun checks it every few seconds), nothing sent
    await sink.write(processedBatch(101, 101));
    hub.committed(101);
    await flowctlClient(flowctl.url).register({ service: { componentId: "late", serviceType: ServiceType.SOURCE } });

    await waitFor("ledger 101 on StreamEvents", () => (pages.some((p) => p.events.some((e) => e.ledgerSequence === 101)) ? true : undefined), 10_000);
    await waitFor("ledger 101 on /ws", () => (frames.some((f) => f.includes('"ledger_sequence":101')) ? true : undefined), 10_000);
    await waitFor("the registration on the proxied watch", () => (changes.some((c) => c.change === ChangeType.REGISTERED) ? true : undefined), 10_000);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    abort.abort();
    await Promise.all([streaming, watching]);
  }, 40_000);
});

test("the stalled-request helper sees a plain server close its connection (sanity)", async () => {
  const app = new Hono();
  app.post("/x", async (c) => c.text(await c.req.text()));
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch, idleTimeout: 1 });
  try {
    const stalled = await stalledRequest(`http://127.0.0.1:${server.port}`, "/x");
    await stalled.closed;
    expect(stalled.isClosed()).toBe(true);
  } finally {
    server.stop(true);
  }
}, 15_000);
