// A component's /health and /metrics through its Hono app: states, flowctl state, Prometheus text.
import { describe, expect, test } from "bun:test";
import { Component } from "../../src/component/component.ts";
import { SINK_KIND, SOURCE_KIND } from "../../src/component/kinds.ts";
import { healthApp } from "../../src/component/health-app.ts";
import { RateWindow } from "../../src/metrics/rate-window.ts";
import { promtool, promtoolProblems } from "../support/flowctl.ts";
import { samplesOf, valueOf } from "../support/prometheus-text.ts";

function clock() {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("component /health and /metrics", () => {
  test("healthy while running: position, lag, flowctl state; /metrics with every counter and gauge", async () => {
    const time = clock();
    const component = new Component(SINK_KIND, "arrow-analytics-sink", { output_formats: "duckdb" }, time.now);
    component.metrics.setTarget(110);
    time.advance(5000);
    component.status = "running";
    component.metrics.add("rows_written_total", 30, { table: "ledgers" });
    component.metrics.processed(100, 10, 20);
    time.advance(2000);
    component.metrics.processed(104, 4, 8);
    time.advance(1000);
    const app = healthApp(component);

    const response = await app.request("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "healthy",
      state: "running",
      component: "arrow-analytics-sink",
      service_type: "sink",
      version: "0.1.0",
      uptime_seconds: 8,
      flowctl: { enabled: false, connected: false, service_id: null, last_heartbeat: null, last_error: null },
      pipeline: { last_ledger: 104, target_ledger: 110, lag_ledgers: 6, seconds_since_last_processed: 1 },
    });

    const metrics = await (await app.request("/metrics")).text();
    const sink = { component: "arrow-analytics-sink", component_id: "arrow-analytics-sink", type: "sink" };
    // one family per meaning, the component in the labels; the seed's meanings kept
    expect(metrics).toContain("# TYPE stellarflow_rows_written_total counter\n");
    expect(valueOf(metrics, "stellarflow_rows_written_total", { ...sink, table: "ledgers" })).toBe(30);
    expect(valueOf(metrics, "stellarflow_rows_written_total", { ...sink, table: "ttp_events" })).toBe(0);
    expect(valueOf(metrics, "stellarflow_current_ledger", sink)).toBe(104);
    expect(valueOf(metrics, "stellarflow_target_ledger", sink)).toBe(110);
    expect(valueOf(metrics, "stellarflow_lag_ledgers", sink)).toBe(6);
    expect(valueOf(metrics, "stellarflow_start_time_seconds", sink)).toBe(1_700_000_000);
    expect(valueOf(metrics, "stellarflow_last_processed_timestamp_seconds", sink)).toBe(1_700_000_007);
    expect(valueOf(metrics, "stellarflow_healthy", sink)).toBe(1);
    for (const type of ["transfer", "mint", "burn", "clawback", "fee"]) expect(valueOf(metrics, "stellarflow_events_total", { ...sink, event_type: type })).toBe(0);
    expect(valueOf(metrics, "stellarflow_errors_total", { ...sink, kind: "write" })).toBe(0);
    // rates are PromQL's: no pre-computed rate gauges, and no per-component metric names
    expect(metrics).not.toMatch(/_per_second/);
    expect(metrics).not.toMatch(/^arrow_analytics_sink_/m);
    // build_info and the process_* figures
    expect(samplesOf(metrics, "stellarflow_build_info", { ...sink, version: "0.1.0", bun_version: Bun.version })).toHaveLength(1);
    expect(valueOf(metrics, "process_start_time_seconds")).toBeGreaterThan(1_600_000_000);
    expect(valueOf(metrics, "process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(valueOf(metrics, "process_cpu_seconds_total")).toBeGreaterThan(0);
    if (process.platform === "linux") expect(valueOf(metrics, "process_open_fds")).toBeGreaterThan(2);
    // the heartbeat map is the seed's, unchanged (flowctl's GetPipelineHealth and the dashboard read it)
    expect(component.heartbeatMetrics()).toEqual({
      ledgers_processed_total: 0, batches_committed_total: 0, rows_written_total: 30, events_written_total: 0, files_written_total: 0, bytes_written_total: 0, write_errors_total: 0,
      current_ledger: 104, target_ledger: 110, lag_ledgers: 6, ledgers_per_second: 1.75, events_per_second: 3.5, // 14 ledgers in the 8 s since the start
      uptime_seconds: 8, seconds_since_last_processed: 1, service_status: 1, flowctl_connected: 0,
    });
    if (promtool()) expect(await promtoolProblems(metrics)).toBe("");
  });

  test("no sample where /health says null: before the first ledger, and without a target", async () => {
    const component = new Component(SOURCE_KIND, "stellar-arrow-source", {});
    const app = healthApp(component);
    const health = (await (await app.request("/health")).json()) as { pipeline: Record<string, unknown> };
    expect(health.pipeline).toMatchObject({ last_ledger: null, target_ledger: null, lag_ledgers: null });
    const metrics = await (await app.request("/metrics")).text();
    for (const gauge of ["current_ledger", "target_ledger", "lag_ledgers", "last_processed_timestamp_seconds"]) {
      expect(metrics).toContain(`# TYPE stellarflow_${gauge} gauge\n`);
      expect(samplesOf(metrics, `stellarflow_${gauge}`)).toEqual([]);
    }
    if (promtool()) expect(await promtoolProblems(metrics)).toBe("");
  });

  test("a second instance of a kind: its own component_id, the kind's component label", async () => {
    const component = new Component(SOURCE_KIND, "source-b", {});
    component.metrics.add("ledgers_processed_total", 3);
    const metrics = await (await healthApp(component).request("/metrics")).text();
    expect(valueOf(metrics, "stellarflow_ledgers_processed_total", { component: "stellar-arrow-source", component_id: "source-b", type: "source" })).toBe(3);
  });

  test("a failed component answers 503 with the error, and service_status 0", async () => {
    const component = new Component(SOURCE_KIND, "stellar-arrow-source", {});
    component.fail(new Error("ledger 5 is missing from the lake"));
    const app = healthApp(component);
    const response = await app.request("/health");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: "unhealthy", state: "failed", error: "ledger 5 is missing from the lake" });
    expect(valueOf(await (await app.request("/metrics")).text(), "stellarflow_healthy", { component: "stellar-arrow-source" })).toBe(0);
    expect((await app.request("/nope")).status).toBe(404);
  });
});

describe("heartbeat rates", () => {
  test("a rate over the last 10 s falls to zero when nothing moves", () => {
    const time = clock();
    const rate = new RateWindow(10_000, time.now);
    expect(rate.perSecond()).toBe(0);
    rate.record(0);
    time.advance(2000);
    rate.record(20);
    expect(rate.perSecond()).toBe(10);
    time.advance(30_000);
    rate.record(20);
    expect(rate.perSecond()).toBe(0);
  });
});

describe("labelled counters", () => {
  test("a label value the counter does not list (e.g. an event type from an upstream's batch) is counted as other: no new series per value", async () => {
    const component = new Component(SINK_KIND, "arrow-analytics-sink", {});
    for (let i = 0; i < 3; i++) component.metrics.add("events_written_total", 1, { event_type: `attacker_${i}` });
    component.metrics.add("events_written_total", 2, { event_type: "fee" });
    const text = await (await healthApp(component).request("/metrics")).text();
    expect(text).not.toContain("attacker_");
    expect(valueOf(text, "stellarflow_events_total", { event_type: "other" })).toBe(3);
    expect(valueOf(text, "stellarflow_events_total", { event_type: "fee" })).toBe(2);
  });
});
