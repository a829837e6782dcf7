// A component's app: GET /health (JSON) and GET /metrics (Prometheus text), and GET /livez, the
// liveness probe ("ok" and nothing more), the one route an API token does not cover. Routes mounted
// on it later (data streams, the sink's services) are behind the same token.
import { Hono } from "hono";
import type { Component } from "./component.ts";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../metrics/prometheus.ts";
import { LIVENESS_PATH, tokenGate } from "../http/api-token.ts";

export interface HealthAppOptions {
  /** STELLAR_FLOW_API_TOKEN: every route but GET /livez needs it; null or absent: open. */
  readonly token?: string | null;
  /** More /health fields (a stage's upstream, throughput). */
  readonly extra?: () => Record<string, unknown>;
}

export function healthApp(component: Component, options: HealthAppOptions = {}): Hono {
  const app = new Hono();
  app.use("*", tokenGate(options.token ?? null));
  app.get(LIVENESS_PATH, (c) => c.text("ok"));
  app.get("/health", (c) => {
    const report = { ...component.health(), ...options.extra?.() };
    return c.json(report, report.status === "healthy" ? 200 : 503);
  });
  app.get("/metrics", (c) => c.body(renderPrometheus(component.prometheus()), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}; try /health or /metrics` }, 404));
  return app;
}
