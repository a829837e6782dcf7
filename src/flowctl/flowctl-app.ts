// The flowctl HTTP app (Hono, any runtime): ControlPlaneService over Connect and gRPC-Web, CORS,
// bearer-token auth, and the server's own /health and /metrics.
import { Hono } from "hono";
import { ControlPlaneService, HealthStatus } from "../gen/flowctl/v1/flowctl_pb.ts";
import { connectCorsMiddleware } from "../http/connect-cors.ts";
import { mountConnect } from "../http/connect-routes.ts";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../metrics/prometheus.ts";
import { LIVENESS_PATH, tokenGate } from "../http/api-token.ts";
import { authFailure } from "./auth.ts";
import { controlPlaneService } from "./control-plane-service.ts";
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
  if (options.corsOrigins.length > 0) app.use("*", connectCorsMiddleware(options.corsOrigins));
  mountConnect(app, (router) => router.service(ControlPlaneService, controlPlaneService(options)), {
    authorize: (method, headers) => authFailure(options, method, headers.get("authorization")),
    readMaxBytes: options.maxRequestBytes,
    shutdownSignal: options.shutdownSignal,
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

  app.get("/metrics", (c) => {
    const services = options.registry.list();
    const healthy = services.filter((s) => s.status === HealthStatus.HEALTHY).length;
    const body = renderPrometheus([
      { name: "flowctl_services", help: "Services registered.", type: "gauge", value: services.length },
      { name: "flowctl_healthy_services", help: "Registered services with a heartbeat within the TTL.", type: "gauge", value: healthy },
      { name: "flowctl_uptime_seconds", help: "Seconds since flowctl started.", type: "gauge", value: (Date.now() - startedAt) / 1000 },
    ]);
    return c.body(body, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  });

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((error, c) => c.json({ error: `internal error: ${error.message}` }, 500));
  return app;
}
