// The sink's client services count into the component's metrics: QueryService and EventService
// calls by code (refusals before the implementation included), event streams open by kind, /ws clients.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { renderPrometheus } from "../../src/metrics/prometheus.ts";
import { MetricRegistry } from "../../src/metrics/registry.ts";
import { promtool, promtoolProblems, waitFor } from "../support/flowctl.ts";
import { samplesOf, valueOf } from "../support/prometheus-text.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

const QUERY = "stellarflow.v1.QueryService";
const EVENTS = "stellarflow.v1.EventService";
let harness: ServicesHarness;
const metrics = new MetricRegistry({ component: "arrow-analytics-sink" });
const text = () => renderPrometheus(metrics.families());
const handled = (rpc_service: string, rpc_method: string, rpc_code: string) => samplesOf(text(), "stellarflow_rpc_handled_total", { rpc_service, rpc_method, rpc_code })[0]?.value ?? 0;

beforeAll(async () => {
  harness = await servicesHarness({ metrics, maxRequestBytes: 4096 });
  await harness.commit(100, 104);
});
afterAll(() => harness.close());

describe("the sink services' metrics", () => {
  test("QueryService calls by code: answered, refused by the SQL fence, refused before the implementation", async () => {
    const client = createClient(QueryService, createConnectTransport({ baseUrl: harness.server.url }));
    expect((await client.query({ sql: "SELECT count(*) FROM ttp_events" })).rows[0]!.values[0]!.text).toBe("20");
    await client.query({ sql: "SELECT 1" });
    const refused = await client.query({ sql: "SELECT * FROM read_csv('/etc/passwd')" }).catch((e) => ConnectError.from(e));
    expect((refused as ConnectError).code).toBe(Code.PermissionDenied);
    const tooBig = await client.query({ sql: `SELECT '${"x".repeat(5000)}'` }).catch((e) => ConnectError.from(e));
    expect((tooBig as ConnectError).code).toBe(Code.ResourceExhausted);
    const notJson = await fetch(`${harness.server.url}/${QUERY}/Query`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(notJson.status).toBe(400);

    expect(handled(QUERY, "Query", "ok")).toBe(2);
    expect(handled(QUERY, "Query", "permission_denied")).toBe(1);
    expect(handled(QUERY, "Query", "resource_exhausted")).toBe(1);
    expect(handled(QUERY, "Query", "invalid_argument")).toBe(1); // the body that is not JSON, refused by connect-es
    expect(valueOf(text(), "stellarflow_rpc_duration_seconds_count", { rpc_service: QUERY, rpc_method: "Query" })).toBe(5);
  });

  test("an event stream counts as open while it lasts, then as handled with its code", async () => {
    const client = createClient(EventService, createConnectTransport({ baseUrl: harness.server.url }));
    const abort = new AbortController();
    const stream = client.streamEvents({ startLedger: 100 }, { signal: abort.signal })[Symbol.asyncIterator]();
    expect((await stream.next()).done).toBe(false);
    expect(valueOf(text(), "stellarflow_event_streams_open", { kind: "stream_events" })).toBe(1);
    abort.abort();
    await stream.return?.().catch(() => undefined);
    await waitFor("the stream released", () => (valueOf(text(), "stellarflow_event_streams_open", { kind: "stream_events" }) === 0 ? true : undefined));
    let pages = 0;
    for await (const page of client.streamEvents({ startLedger: 100, endLedger: 104 })) pages += page.events.length > 0 ? 1 : 0;
    expect(pages).toBeGreaterThan(0);
    await waitFor("both streams counted", () => (handled(EVENTS, "StreamEvents", "ok") === 1 && handled(EVENTS, "StreamEvents", "canceled") === 1 ? true : undefined));
    expect(valueOf(text(), "stellarflow_event_streams_opened_total", { kind: "stream_events" })).toBe(2);
    // a stream has no duration histogram: its length is its client's
    expect(samplesOf(text(), "stellarflow_rpc_duration_seconds_count", { rpc_service: EVENTS })).toEqual([]);
  });

  test("/ws clients: open while connected, opened in total", async () => {
    const ws = new WebSocket(`${harness.server.url.replace("http", "ws")}/ws?start_ledger=100`);
    await new Promise((resolve, reject) => ((ws.onmessage = resolve), (ws.onerror = reject)));
    expect(valueOf(text(), "stellarflow_event_streams_open", { kind: "websocket" })).toBe(1);
    ws.close();
    await waitFor("the socket released", () => (valueOf(text(), "stellarflow_event_streams_open", { kind: "websocket" }) === 0 ? true : undefined));
    expect(valueOf(text(), "stellarflow_event_streams_opened_total", { kind: "websocket" })).toBe(1);
    expect(valueOf(text(), "stellarflow_websocket_slow_clients_total")).toBe(0);
    expect(valueOf(text(), "stellarflow_event_streams_capacity")).toBe(64);
    if (promtool()) expect(await promtoolProblems(text())).toBe("");
  });
});
