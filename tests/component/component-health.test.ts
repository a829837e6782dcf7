// A component's /health and /metrics through its Hono app: states, flowctl state, Prometheus text.
import { describe, expect, test } from "bun:test";
import { Component } from "../../src/component/component.ts";
import { SINK_KIND, SOURCE_KIND } from "../../src/component/kinds.ts";
import { healthApp } from "../../src/component/health-app.ts";
import { renderPrometheus } from "../../src/metrics/prometheus.ts";
import { RateWindow } from "../../src/metrics/rate-window.ts";
import { promtool, promtoolProblems } from "../support/flowctl.ts";

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
    component.metrics.add("rows_written_total", 30);
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
    expect(metrics).toContain("# TYPE arrow_analytics_sink_rows_written_total counter\narrow_analytics_sink_rows_written_total 30\n");
    expect(metrics).toContain("arrow_analytics_sink_current_ledger 104\n");
    expect(metrics).toContain("arrow_analytics_sink_lag_ledgers 6\n");
    expect(metrics).toContain("arrow_analytics_sink_uptime_seconds 8\n");
    expect(metrics).toContain("arrow_analytics_sink_seconds_since_last_processed 1\n");
    expect(metrics).toContain("arrow_analytics_sink_service_status 1\n");
    expect(metrics).toContain("arrow_analytics_sink_ledgers_per_second 1.75\n"); // 14 ledgers in the 8 s since the start
    expect(metrics).toContain("arrow_analytics_sink_events_per_second 3.5\n");
    for (const counter of SINK_KIND.counters) expect(metrics).toContain(`# HELP arrow_analytics_sink_${counter.name} `);
    expect(component.heartbeatMetrics()).toMatchObject({ rows_written_total: 30, current_ledger: 104, lag_ledgers: 6, service_status: 1, flowctl_connected: 0 });
    if (promtool()) expect(await promtoolProblems(metrics)).toBe("");
  });

  test("a failed component answers 503 with the error, and service_status 0", async () => {
    const component = new Component(SOURCE_KIND, "stellar-arrow-source", {});
    component.fail(new Error("ledger 5 is missing from the lake"));
    const app = healthApp(component);
    const response = await app.request("/health");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: "unhealthy", state: "failed", error: "ledger 5 is missing from the lake" });
    expect(await (await app.request("/metrics")).text()).toContain("stellar_arrow_source_service_status 0\n");
    expect((await app.request("/nope")).status).toBe(404);
  });
});

describe("Prometheus text and rates", () => {
  test("rejects a bad name and a counter without _total", () => {
    expect(() => renderPrometheus([{ name: "bad name", help: "h", type: "gauge", value: 1 }])).toThrow('"bad name" is not a valid Prometheus metric name');
    expect(() => renderPrometheus([{ name: "ledgers", help: "h", type: "counter", value: 1 }])).toThrow("counter ledgers must end in _total");
    expect(renderPrometheus([{ name: "x_ratio", help: "line\nbreak", type: "gauge", value: Number.NaN }])).toBe("# HELP x_ratio line\\nbreak\n# TYPE x_ratio gauge\nx_ratio NaN\n");
  });

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
