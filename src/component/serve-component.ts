// A component as the outside reaches it: its Hono app (/health, /metrics, /livez, and whatever it
// mounts: a stage's data endpoint, the sink's client services) on Bun, and its flowctl registration,
// for the in-process pipeline's components and the stage processes alike. The data never passes
// through flowctl.
import type { WebSocketHandler } from "bun";
import type { Hono } from "hono";
import type { FlowctlConfig } from "../flowctl/config.ts";
import type { MetricRegistry } from "../metrics/registry.ts";
import { serveApp, type ServedApp } from "../http/serve-app.ts";
import { bodyBackstop, SERVER_LIMIT_DEFAULTS, type ServerLimits } from "../http/server-limits.ts";
import { messageOf } from "../common/message-of.ts";
import type { Component } from "./component.ts";
import { registerComponent, stopComponent } from "./component-registration.ts";
import { healthApp } from "./health-app.ts";

export interface ServeComponentOptions {
  readonly host: string;
  /** 0: any free port; null: no HTTP server (flowctl only). */
  readonly port: number | null;
  /** The port is the component's default, not asked for: when it is taken, any free port will do. */
  readonly portIsDefault?: boolean;
  readonly flowctl: FlowctlConfig;
  readonly log?: (message: string) => void;
  /** The component's own routes besides /health, /metrics and /livez; `metrics`: the component's, for the routes' own counts. */
  readonly routes?: (app: Hono, metrics: MetricRegistry) => void;
  /** Bun's WebSocket handlers, when the routes have WebSocket endpoints (the sink's /ws). */
  readonly websocket?: WebSocketHandler<any>;
  /** Path of the data endpoint, registered with flowctl as the service's endpoint (e.g. "/v1/ledgers"); absent: the base URL. */
  readonly dataPath?: string | null;
  /** More /health fields, e.g. a stage's upstream. */
  readonly healthExtra?: () => Record<string, unknown>;
  /** STELLAR_FLOW_API_TOKEN: every route but GET /livez needs it; null: open. */
  readonly token?: string | null;
  /** Idle timeout and request size (default SERVER_LIMIT_DEFAULTS). */
  readonly limits?: Pick<ServerLimits, "idleTimeoutSeconds" | "maxRequestBytes">;
}

export interface ComponentServer {
  readonly component: Component;
  /** Where the component is served; null without a port. */
  readonly url: string | null;
  /** Unregisters from flowctl and closes the HTTP server. Never throws. */
  stop(): Promise<void>;
}

/** Serves the component; a port that is taken is an error (unless it is the default), flowctl being away is not. */
export function serveComponent(component: Component, options: ServeComponentOptions): ComponentServer {
  const log = options.log ?? console.error;
  let server: ServedApp | null = null;
  if (options.port !== null) {
    const app = healthApp(component, {
      token: options.token ?? null,
      extra: () => {
        const metrics = component.metrics.snapshot(component.healthy);
        return { throughput: { ledgers_per_second: metrics.ledgers_per_second, events_per_second: metrics.events_per_second }, ...options.healthExtra?.() };
      },
    });
    options.routes?.(app, component.metrics.registry);
    const limits = options.limits ?? SERVER_LIMIT_DEFAULTS;
    // streams (data, the sink's services) exempt themselves from the idle timeout once their request has arrived
    const serving = {
      idleTimeout: limits.idleTimeoutSeconds,
      maxRequestBodySize: bodyBackstop(limits.maxRequestBytes),
      ...(options.websocket ? { websocket: options.websocket } : {}),
    };
    try {
      server = serveApp(app.fetch, { host: options.host, port: options.port, ...serving });
    } catch (error) {
      if (!options.portIsDefault) throw new Error(`${component.componentId}: cannot serve /health on ${options.host}:${options.port}: ${messageOf(error)}`, { cause: error });
      // another pipeline has the default port: take a free one (flowctl learns the real endpoint)
      server = serveApp(app.fetch, { host: options.host, port: 0, ...serving });
      log(`${component.componentId}: default port ${options.port} is taken, serving /health on port ${server.port} instead`);
    }
    component.baseUrl = server.url;
  }
  const endpoint = server && options.dataPath ? `${server.url}${options.dataPath}` : undefined;
  const controller = registerComponent(component, options.flowctl, options.log, endpoint);
  return {
    component,
    url: server?.url ?? null,
    stop: () => stopComponent(component, controller, server),
  };
}
