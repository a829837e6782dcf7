// The edge API for fetch-handler runtimes other than a Worker bundle (Deno, Bun, a Node adapter):
// the library's `stellar-flow/edge` entry.
export { createEdgeApp, type EdgeAppOptions } from "../edge/edge-app.ts";
export { edgeConfigFromEnv, ConfigError, EDGE_ENV, DEFAULT_MAX_LEDGERS_PER_REQUEST, type EdgeConfig } from "../edge/edge-config.ts";
export { runtimeCache, CacheApiStore } from "../edge/cache-api-store.ts";
