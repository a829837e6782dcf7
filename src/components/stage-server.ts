// One pipeline component as a process of its own: its Hono app (/health, /metrics, its data
// endpoint, whatever else the caller mounts) on its own port, and its flowctl registration with
// the data endpoint as `endpoint`. The data never passes through flowctl.
import { Hono } from "hono";
import type { FlowctlConfig } from "../flowctl/config.ts";
import { healthApp } from "../http/health-app.ts";
import { serveApp, type ServedApp } from "../http/serve-app.ts";
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
}

export interface StageServer {
  readonly url: string;
  /** Unregisters from flowctl and closes the HTTP server. Never throws. */
  stop(): Promise<void>;
}

export function startStageServer(component: Component, options: StageServerOptions): StageServer {
  const app = new Hono();
  app.get("/health", (c) => {
    const metrics = component.metrics.snapshot(component.healthy);
    const throughput = { ledgers_per_second: metrics.ledgers_per_second, events_per_second: metrics.events_per_second };
    const report = { ...component.health(), throughput, ...options.healthExtra?.() };
    return c.json(report, report.status === "healthy" ? 200 : 503);
  });
  options.routes(app);
  app.route("/", healthApp(component));
  let server: ServedApp;
  try {
    // idleTimeout 0: a stream to a slow downstream may stay quiet for long
    server = serveApp(app.fetch, { host: options.host, port: options.port, idleTimeout: 0, ...(options.websocket ? { websocket: options.websocket } : {}) });
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
