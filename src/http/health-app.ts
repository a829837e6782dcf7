// GET /health (JSON) and GET /metrics (Prometheus text) of a component.
import { Hono } from "hono";
import type { Component } from "../components/component.ts";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../metrics/prometheus.ts";

export function healthApp(component: Component): Hono {
  const app = new Hono();
  app.get("/health", (c) => {
    const report = component.health();
    return c.json(report, report.status === "healthy" ? 200 : 503);
  });
  app.get("/metrics", (c) => c.body(renderPrometheus(component.prometheus()), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}; try /health or /metrics` }, 404));
  return app;
}
