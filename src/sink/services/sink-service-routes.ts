// The sink's client services as routes for a component's server, and their settings from the
// environment.
import type { Hono } from "hono";
import { apiTokenFromEnv } from "../../http/api-token.ts";
import { serverLimitsFromEnv } from "../../http/server-limits.ts";
import type { MetricRegistry } from "../../metrics/registry.ts";
import { mountSinkServices, type SinkServicesOptions } from "./mount-sink-services.ts";
import { dispatchingWebSocket } from "./websocket-route.ts";

/**
 * Token: STELLAR_FLOW_API_TOKEN (unset: open). CORS: STELLAR_FLOW_CORS_ORIGINS, comma-separated
 * origins or "*". Limits: STELLAR_FLOW_MAX_REQUEST_BYTES, _MAX_EVENT_STREAMS, _MAX_FILTER_VALUES
 * (a bad value throws a ConfigError naming the variable).
 */
export function servicesConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Pick<SinkServicesOptions, "token" | "corsOrigins" | "maxRequestBytes" | "maxEventStreams" | "maxFilterValues"> {
  const origins = (env["STELLAR_FLOW_CORS_ORIGINS"] ?? "").split(",").map((o) => o.trim()).filter((o) => o !== "");
  const limits = serverLimitsFromEnv(env);
  return {
    token: apiTokenFromEnv(env),
    corsOrigins: origins,
    maxRequestBytes: limits.maxRequestBytes,
    maxEventStreams: limits.maxEventStreams,
    maxFilterValues: limits.maxFilterValues,
  };
}

/** `mount(app, metrics)`: the services on the app, counting into the component's metrics when given. */
export function sinkServiceRoutes(options: SinkServicesOptions): { mount: (app: Hono, metrics?: MetricRegistry) => void; websocket: typeof dispatchingWebSocket } {
  return { mount: (app, metrics) => mountSinkServices(app, metrics ? { ...options, metrics } : options), websocket: dispatchingWebSocket };
}
