// One pipeline component as a process of its own: its Hono app (/health, /metrics, its data
// endpoint, whatever else the caller mounts) on its own port, and its flowctl registration with
// the data endpoint as `endpoint`. The data never passes through flowctl.
import type { Hono } from "hono";
import type { FlowctlConfig } from "../flowctl/config.ts";
import { healthApp } from "./health-app.ts";
import { serveApp, type ServedApp } from "../http/serve-app.ts";
import { bodyBackstop, SERVER_LIMIT_DEFAULTS, type ServerLimits } from "../http/server-limits.ts";
import type { Component } from "./component.ts";
import { registerComponent, stopComponent } from "./component-registration.ts";

export interface StageServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly flowctl: FlowctlConfig;
  /** Path of the data endpoint (registered as the service's endpoint), e.g. "/v1/ledgers"; null: none. */
  readonly dataPath: string | null;
  /** Routes of the stage: its data endpoint and any services mounted on it. */
  readonly routes: (app: Hono) => void;
  /** Extra /health fields, e.g. the upstream. */
  readonly healthExtra?: () => Record<string, unknown>;
  readonly log: (message: string) => void;
  /** Bun's WebSocket handlers, when the routes have WebSocket endpoints (the sink's /ws). */
  readonly websocket?: import("bun").WebSocketHandler<any>;
  /** STELLAR_FLOW_API_TOKEN: every route but GET /livez needs it; null: open. */
  readonly token: string | null;
  /** Idle timeout and request size (default SERVER_LIMIT_DEFAULTS). */
  readonly limits?: Pick<ServerLimits, "idleTimeoutSeconds" | "maxRequestBytes">;
}

export interface StageServer {
  readonly url: string;
  /** Unregisters from flowctl and closes the HTTP server. Never throws. */
  stop(): Promise<void>;
}

export function startStageServer(component: Component, options: StageServerOptions): StageServer {
  const app = healthApp(component, {
    token: options.token,
    extra: () => {
      const metrics = component.metrics.snapshot(component.healthy);
      return { throughput: { ledgers_per_second: metrics.ledgers_per_second, events_per_second: metrics.events_per_second }, ...options.healthExtra?.() };
    },
  });
  options.routes(app);
  const limits = options.limits ?? SERVER_LIMIT_DEFAULTS;
  let server: ServedApp;
  try {
    // a data stream exempts itself from the idle timeout once its request has arrived (a slow downstream may keep it quiet)
    server = serveApp(app.fetch, {
      host: options.host,
      port: options.port,
      idleTimeout: limits.idleTimeoutSeconds,
      maxRequestBodySize: bodyBackstop(limits.maxRequestBytes),
      ...(options.websocket ? { websocket: options.websocket } : {}),
    });
  } catch (error) {
    throw new Error(`${component.componentId}: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, { cause: error });
  }
  component.baseUrl = server.url;
  const controller = registerComponent(component, options.flowctl, options.log, options.dataPath ? `${server.url}${options.dataPath}` : server.url);
  return {
    url: server.url,
    stop: () => stopComponent(component, controller, server),
  };
}
