// Prometheus text from metric families, and the registry's counters, gauges and histograms with labels.
import { describe, expect, test } from "bun:test";
import { renderPrometheus } from "../../src/metrics/prometheus.ts";
import { MetricRegistry } from "../../src/metrics/registry.ts";
import { promtool, promtoolProblems } from "../support/flowctl.ts";
import { valueOf } from "../support/prometheus-text.ts";

describe("Prometheus text", () => {
  test("refuses what Prometheus would: bad names, a counter without _total, a gauge with it, a bad label, a family twice", () => {
    expect(() => renderPrometheus([{ name: "bad name", help: "h", type: "gauge", samples: [{ value: 1 }] }])).toThrow('"bad name" is not a valid Prometheus metric name');
    expect(() => renderPrometheus([{ name: "ledgers", help: "h", type: "counter", samples: [{ value: 1 }] }])).toThrow("counter ledgers must end in _total");
    expect(() => renderPrometheus([{ name: "ledgers_total", help: "h", type: "gauge", samples: [] }])).toThrow("gauge ledgers_total must not end in _total");
    expect(() => renderPrometheus([{ name: "x", help: "h", type: "gauge", samples: [{ labels: { "bad-label": "v" }, value: 1 }] }])).toThrow('x: "bad-label" is not a valid Prometheus label name');
    expect(() => renderPrometheus([{ name: "x", help: "h", type: "gauge", samples: [{ labels: { __name__: "v" }, value: 1 }] }])).toThrow("not a valid Prometheus label name");
    expect(() => renderPrometheus([{ name: "x", help: "h", type: "gauge", samples: [{ name: "x_bucket", value: 1 }] }])).toThrow("gauge x cannot hold a sample named x_bucket");
    const family = { name: "x", help: "h", type: "gauge" as const, samples: [] };
    expect(() => renderPrometheus([family, family])).toThrow("metric family x is rendered twice");
  });

  test("escapes help and label values; a family without samples is only its HELP and TYPE", () => {
    expect(
      renderPrometheus([
        { name: "x_ratio", help: "line\nbreak \\ here", type: "gauge", samples: [{ labels: { path: 'C:\\dir "q"\nnext' }, value: Number.NaN }] },
        { name: "y_ledger", help: "none yet", type: "gauge", samples: [] },
      ]),
    ).toBe('# HELP x_ratio line\\nbreak \\\\ here\n# TYPE x_ratio gauge\nx_ratio{path="C:\\\\dir \\"q\\"\\nnext"} NaN\n# HELP y_ledger none yet\n# TYPE y_ledger gauge\n');
  });
});

describe("MetricRegistry", () => {
  test("counters and gauges by label values, with the registry's constant labels on every sample", async () => {
    const registry = new MetricRegistry({ component: "c" });
    const events = registry.counter("app_events_total", "Events.", ["event_type"]);
    events.inc(2, { event_type: "fee" });
    events.inc(1, { event_type: "transfer" });
    events.inc(3, { event_type: "fee" });
    expect(registry.counter("app_events_total", "Events.", ["event_type"])).toBe(events); // declared twice: the same one
    expect(() => registry.gauge("app_events_total", "x")).toThrow("metric app_events_total is declared as a counter already");
    expect(() => events.inc(1)).toThrow("app_events_total needs a value for its label event_type");
    expect(() => events.inc(1, { event_type: "fee", other: "x" })).toThrow("app_events_total has no label other");
    expect(() => events.inc(-1, { event_type: "fee" })).toThrow("counts up only");
    expect(events.sum()).toBe(6);
    const open = registry.gauge("app_open", "Open.");
    open.inc();
    open.inc();
    open.inc(-1);
    const text = renderPrometheus(registry.families());
    expect(valueOf(text, "app_events_total", { component: "c", event_type: "fee" })).toBe(5);
    expect(valueOf(text, "app_events_total", { component: "c", event_type: "transfer" })).toBe(1);
    expect(valueOf(text, "app_open", { component: "c" })).toBe(1);
    if (promtool()) expect(await promtoolProblems(text)).toBe("");
  });

  test("a histogram's buckets are cumulative, with +Inf, _sum and _count", async () => {
    const registry = new MetricRegistry();
    const latency = registry.histogram("app_commit_duration_seconds", "Commits.", { buckets: [0.01, 0.1, 1], labelNames: ["table"] });
    for (const seconds of [0.005, 0.01, 0.05, 0.5, 3, Number.NaN]) latency.observe(seconds, { table: "t" });
    const text = renderPrometheus(registry.families());
    const bucket = (le: string) => valueOf(text, "app_commit_duration_seconds_bucket", { table: "t", le });
    expect([bucket("0.01"), bucket("0.1"), bucket("1"), bucket("+Inf")]).toEqual([2, 3, 4, 5]); // NaN is not an observation
    expect(valueOf(text, "app_commit_duration_seconds_count", { table: "t" })).toBe(5);
    expect(valueOf(text, "app_commit_duration_seconds_sum", { table: "t" })).toBeCloseTo(3.565, 10);
    expect(() => registry.histogram("bad_seconds", "x", { buckets: [1, 0.5] })).toThrow("buckets must be finite and ascending");
    expect(() => registry.histogram("le_seconds", "x", { labelNames: ["le"] })).toThrow('"le" is the bucket label of a histogram');
    if (promtool()) expect(await promtoolProblems(text)).toBe("");
  });
});
