// Runs flowctl on Bun: the registry (in SQLite unless in memory), its sweep timer and the HTTP server.
import { ServiceRegistry } from "./registry.ts";
import { SqliteRegistryStore } from "./store/sqlite-registry-store.ts";
import { flowctlApp } from "./flowctl-app.ts";
import { IDLE_TIMEOUT_SECONDS, serveApp, type ServedApp } from "../http/serve-app.ts";
import { bodyBackstop } from "../http/server-limits.ts";
import { DEFAULT_MAX_WATCHERS } from "./control-plane-service.ts";
import { METADATA_DEFAULTS } from "./validate.ts";
import { messageOf } from "../common/message-of.ts";

export const FLOWCTL_VERSION = "0.1.0";

export interface FlowctlServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** SQLite file keeping the registry across restarts; null: in memory. */
  readonly dbPath: string | null;
  readonly ttlMs: number;
  readonly evictAfterMs: number;
  readonly heartbeatIntervalMs: number;
  readonly token: string | null;
  readonly openReads: boolean;
  readonly corsOrigins: readonly string[];
  readonly maxRequestBytes: number;
  /** Seconds a connection may stay silent before it is closed (default 30); streams are exempt. */
  readonly idleTimeoutSeconds?: number;
  /** Services registered at once, at most. */
  readonly maxServices?: number;
  /** WatchServices streams open at once, at most. */
  readonly maxWatchers?: number;
  /** Metadata entries and bytes (keys and values) per registration, at most. */
  readonly maxMetadataEntries?: number;
  readonly maxMetadataBytes?: number;
}

export const FLOWCTL_DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  dbPath: "./data/flowctl.sqlite",
  ttlMs: 30_000,
  evictAfterMs: 300_000,
  heartbeatIntervalMs: 10_000,
  maxRequestBytes: 1024 * 1024,
  idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
  // ListServices and a watch's snapshot hold every service: with these, at most about 256 x 55 KB
  // (metadata, 256 metrics, event types, endpoints) = 14 MB, where 10,000 services made 266 MB
  maxServices: 256,
  maxWatchers: DEFAULT_MAX_WATCHERS,
  maxMetadataEntries: METADATA_DEFAULTS.maxMetadataEntries,
  maxMetadataBytes: METADATA_DEFAULTS.maxMetadataBytes,
} as const;

export interface FlowctlServer {
  /** e.g. "http://127.0.0.1:8080" */
  readonly url: string;
  readonly registry: ServiceRegistry;
  stop(): Promise<void>;
}

export function startFlowctlServer(options: FlowctlServerOptions): FlowctlServer {
  const store = options.dbPath === null ? undefined : new SqliteRegistryStore(options.dbPath);
  let registry: ServiceRegistry;
  try {
    registry = new ServiceRegistry({ ttlMs: options.ttlMs, evictAfterMs: options.evictAfterMs, store, maxServices: options.maxServices ?? FLOWCTL_DEFAULTS.maxServices });
  } catch (error) {
    store?.close();
    throw error;
  }
  const shutdown = new AbortController();
  let url = "";
  const metadataLimits = {
    maxMetadataEntries: options.maxMetadataEntries ?? FLOWCTL_DEFAULTS.maxMetadataEntries,
    maxMetadataBytes: options.maxMetadataBytes ?? FLOWCTL_DEFAULTS.maxMetadataBytes,
  };
  const app = flowctlApp({ ...options, registry, metadataLimits, version: FLOWCTL_VERSION, endpoint: () => url, shutdownSignal: shutdown.signal });
  let server: ServedApp;
  try {
    // a WatchServices stream exempts itself from the idle timeout once its request has arrived
    server = serveApp(app.fetch, {
      host: options.host,
      port: options.port,
      idleTimeout: options.idleTimeoutSeconds ?? IDLE_TIMEOUT_SECONDS,
      maxRequestBodySize: bodyBackstop(options.maxRequestBytes),
    });
  } catch (error) {
    store?.close();
    throw new Error(`flowctl cannot listen on ${options.host}:${options.port}: ${messageOf(error)}`, { cause: error });
  }
  url = server.url;
  const sweep = setInterval(() => registry.sweep(), Math.max(50, Math.min(1000, options.ttlMs / 4)));
  let stopped: Promise<void> | null = null;
  return {
    url,
    registry,
    stop() {
      stopped ??= (async () => {
        clearInterval(sweep);
        shutdown.abort();
        await server.stop();
        store?.close();
      })();
      return stopped;
    },
  };
}
