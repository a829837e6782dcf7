// Runs a component's /health and /metrics on Bun, and its flowctl controller when enabled.
import type { FlowctlConfig } from "../flowctl/config.ts";
import { healthApp } from "./health-app.ts";
import { serveApp, type ServedApp } from "../http/serve-app.ts";
import { bodyBackstop, SERVER_LIMIT_DEFAULTS, type ServerLimits } from "../http/server-limits.ts";
import type { Component } from "./component.ts";
import { registerComponent, stopComponent } from "./component-registration.ts";
import type { Hono } from "hono";

export interface ServeComponentOptions {
  readonly host: string;
  /** 0: any free port; null: no HTTP server. */
  readonly port: number | null;
  /** The port is the component's default, not asked for: when it is taken, any free port will do. */
  readonly portIsDefault?: boolean;
  readonly flowctl: FlowctlConfig;
  readonly log?: (message: string) => void;
  /** More routes on the component's app (e.g. the sink's client services) and Bun's WebSocket handlers for them. */
  readonly extraRoutes?: { readonly mount: (app: Hono) => void; readonly websocket?: import("bun").WebSocketHandler<any> };
  /** STELLAR_FLOW_API_TOKEN: every route but GET /livez needs it; null: open. */
  readonly token?: string | null;
  /** Idle timeout and request size (default SERVER_LIMIT_DEFAULTS). */
  readonly limits?: Pick<ServerLimits, "idleTimeoutSeconds" | "maxRequestBytes">;
}

export interface ComponentRuntime {
  readonly component: Component;
  /** Unregisters from flowctl and closes the HTTP server. Never throws. */
  stop(): Promise<void>;
}

/** Serves the component; a port that is taken is an error, flowctl being away is not. */
export function serveComponent(component: Component, options: ServeComponentOptions): ComponentRuntime {
  let server: ServedApp | null = null;
  if (options.port !== null) {
    const app = healthApp(component, { token: options.token ?? null });
    options.extraRoutes?.mount(app);
    const fetch = app.fetch;
    // streams (the sink's services) exempt themselves from the idle timeout once their request has arrived
    const limits = options.limits ?? SERVER_LIMIT_DEFAULTS;
    const serving = {
      idleTimeout: limits.idleTimeoutSeconds,
      maxRequestBodySize: bodyBackstop(limits.maxRequestBytes),
      ...(options.extraRoutes?.websocket ? { websocket: options.extraRoutes.websocket } : {}),
    };
    try {
      server = serveApp(fetch, { host: options.host, port: options.port, ...serving });
    } catch (error) {
      if (!options.portIsDefault) {
        throw new Error(`${component.componentId}: cannot serve /health on ${options.host}:${options.port}: ${(error as Error).message}`, { cause: error });
      }
      // another pipeline has the default port: take a free one (flowctl learns the real endpoint)
      server = serveApp(fetch, { host: options.host, port: 0, ...serving });
      (options.log ?? console.error)(`${component.componentId}: default port ${options.port} is taken, serving /health on port ${server.port} instead`);
    }
    component.baseUrl = server.url;
  }
  const controller = registerComponent(component, options.flowctl, options.log);
  return {
    component,
    stop: () => stopComponent(component, controller, server),
  };
}
