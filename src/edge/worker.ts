// The Worker: `export default { fetch }` for workerd / Cloudflare Workers, configured from its
// bindings (STELLAR_FLOW_DATALAKE, STELLAR_FLOW_NETWORK, STELLAR_FLOW_MAX_LEDGERS_PER_REQUEST,
// STELLAR_FLOW_CORS_ORIGINS, STELLAR_FLOW_API_TOKEN, STELLAR_FLOW_TX_SET_CHECK). Built by
// `bun run build:edge` into dist/edge/worker.js. Ledger objects go through caches.default.
import type { Hono } from "hono";
import { createEdgeApp } from "./edge-app.ts";
import { EDGE_ENV, edgeConfigFromEnv } from "./edge-config.ts";
import { errorResponse } from "./edge-errors.ts";
import { runtimeCache } from "./cache-api-store.ts";

let current: { readonly key: string; readonly app: Hono } | null = null;

/** One app per isolate and configuration (the bindings are read once, not per request). */
function appFor(env: Record<string, unknown>): Hono {
  const key = JSON.stringify(Object.values(EDGE_ENV).map((name) => env[name] ?? null));
  if (current?.key !== key) current = { key, app: createEdgeApp({ config: edgeConfigFromEnv(env), cache: () => runtimeCache() }) };
  return current.app;
}

export default {
  fetch(request: Request, env: Record<string, unknown> = {}, context?: unknown): Response | Promise<Response> {
    let app: Hono;
    try {
      app = appFor(env);
    } catch (error) {
      return errorResponse(error);
    }
    return app.fetch(request, env, context as never);
  },
};
