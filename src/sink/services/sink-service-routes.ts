// The sink's client services as routes for a component's server (serveComponent's extraRoutes,
// the stage server's routes), their settings from the environment, and the pipeline hook that
// feeds the commit hub.
import type { Hono } from "hono";
import type { PipelineObserver } from "../../components/pipeline.ts";
import type { CommitHub } from "./commit-hub.ts";
import { mountSinkServices, type SinkServicesOptions } from "./mount-sink-services.ts";
import { dispatchingWebSocket } from "./websocket-route.ts";

/** Token: STELLAR_FLOW_API_TOKEN (unset: open). CORS: STELLAR_FLOW_CORS_ORIGINS, comma-separated origins or "*". */
export function servicesConfigFromEnv(env: Readonly<Record<string, string | undefined>>): Pick<SinkServicesOptions, "token" | "corsOrigins"> {
  const token = env["STELLAR_FLOW_API_TOKEN"]?.trim();
  const origins = (env["STELLAR_FLOW_CORS_ORIGINS"] ?? "").split(",").map((o) => o.trim()).filter((o) => o !== "");
  return { token: token ? token : null, corsOrigins: origins };
}

export function sinkServiceRoutes(options: SinkServicesOptions): { mount: (app: Hono) => void; websocket: typeof dispatchingWebSocket } {
  return { mount: (app) => mountSinkServices(app, options), websocket: dispatchingWebSocket };
}

/** `observer` that also tells `hub` of each commit. */
export function withCommitHub(observer: PipelineObserver, hub: CommitHub): PipelineObserver {
  return {
    ...observer,
    committed(batch) {
      observer.committed?.(batch);
      hub.committed(batch.lastLedger);
    },
  };
}
