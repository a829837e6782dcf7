// The flowctl HTTP app (Hono, any runtime): ControlPlaneService over Connect and gRPC-Web, CORS,
// bearer-token auth, and the server's own /health and /metrics.
import { Hono } from "hono";
import { ControlPlaneService, HealthStatus } from "../gen/flowctl/v1/flowctl_pb.ts";
import { connectCorsMiddleware } from "../http/connect-cors.ts";
import { mountConnect } from "../http/connect-routes.ts";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../metrics/prometheus.ts";
import { StreamSlots } from "../http/stream-slots.ts";
import { flowctlMetrics } from "./flowctl-metrics.ts";
import { LIVENESS_PATH, tokenGate } from "../http/api-token.ts";
import { authFailure } from "./auth.ts";
import { controlPlaneService, DEFAULT_MAX_WATCHERS } from "./control-plane-service.ts";
import type { ServiceRegistry } from "./registry.ts";
import type { MetadataLimits } from "./validate.ts";

export interface FlowctlAppOptions {
  readonly registry: ServiceRegistry;
  readonly heartbeatIntervalMs: number;
  readonly version: string;
  readonly endpoint: () => string;
  readonly token: string | null;
  readonly openReads: boolean;
  /** Browser origins allowed to call the API ("*": any); empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** Largest request message accepted. */
  readonly maxRequestBytes: number;
  /** WatchServices streams open at once, at most. */
  readonly maxWatchers?: number;
  readonly metadataLimits?: MetadataLimits;
  /** Aborted when the server shuts down: open watches end. */
  readonly shutdownSignal?: AbortSignal;
  readonly startedAt?: number;
}

export function flowctlApp(options: FlowctlAppOptions): Hono {
  const startedAt = options.startedAt ?? Date.now();
  const app = new Hono();
  const watchers = new StreamSlots(options.maxWatchers ?? DEFAULT_MAX_WATCHERS, "watches");
  const metrics = flowctlMetrics({ registry: options.registry, watchers, version: options.version, startedAt });
  if (options.corsOrigins.length > 0) app.use("*", connectCorsMiddleware(options.corsOrigins));
  mountConnect(app, (router) => router.service(ControlPlaneService, controlPlaneService({ ...options, watchers })), {
    authorize: (method, headers) => authFailure(options, method, headers.get("authorization")),
    readMaxBytes: options.maxRequestBytes,
    shutdownSignal: options.shutdownSignal,
    observe: metrics.observeRpc,
  });

  // the liveness probe says "ok" and nothing more; /health and /metrics are reads behind the token
  app.get(LIVENESS_PATH, (c) => c.text("ok"));
  const reads = options.token !== null && !options.openReads ? tokenGate(options.token) : null;
  if (reads) for (const path of ["/health", "/metrics"]) app.use(path, reads);

  app.get("/health", (c) => {
    const services = options.registry.list();
    return c.json({
      status: "healthy",
      component: "flowctl",
      version: options.version,
      uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      services: services.length,
      healthy_services: services.filter((s) => s.status === HealthStatus.HEALTHY).length,
    });
  });

  app.get("/metrics", (c) => c.body(renderPrometheus(metrics.families()), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((error, c) => c.json({ error: `internal error: ${error.message}` }, 500));
  return app;
}
