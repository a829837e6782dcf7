// Command-line flags (and environment) of `bun run flowctl`, parsed and checked without side effects.
import { parseBoolean } from "../flowctl/config.ts";
import { formatDuration, parseDuration } from "../flowctl/duration.ts";
import { FLOWCTL_DEFAULTS, type FlowctlServerOptions } from "../flowctl/serve-flowctl.ts";
import { idleTimeoutSeconds } from "../http/server-limits.ts";
import { integerFlag, readFlags, UsageError } from "./flags.ts";
import { messageOf } from "../common/message-of.ts";

export const FLOWCTL_HELP = `Usage: bun run flowctl [--host H] [--port N] [--db PATH] [options]

Runs the flowctl control plane: components register, send heartbeats with their metrics and
discover each other. Serves flowctl.v1.ControlPlaneService over Connect and gRPC-Web (JSON and
binary), plus GET /health and GET /metrics.

  --host H                  address to listen on (default ${FLOWCTL_DEFAULTS.host})
  --port N                  port to listen on, 0 for any free port (default ${FLOWCTL_DEFAULTS.port})
  --db PATH                 SQLite file keeping the registry across restarts, or :memory:
                            (default ${FLOWCTL_DEFAULTS.dbPath})
  --ttl DURATION            a service silent this long turns unhealthy (default ${formatDuration(FLOWCTL_DEFAULTS.ttlMs)})
  --evict-after DURATION    a service silent this long is removed (default ${formatDuration(FLOWCTL_DEFAULTS.evictAfterMs)})
  --heartbeat-interval DURATION
                            the interval Register asks of clients (default ${formatDuration(FLOWCTL_DEFAULTS.heartbeatIntervalMs)},
                            at most a third of the TTL)
  --cors-origin ORIGIN      a browser origin allowed to call the API, e.g. http://localhost:5173;
                            repeat it or separate with commas; * allows any (env FLOWCTL_CORS_ORIGINS)
  --open-reads              with a token, serve reads (status, list, discover, watch, health)
                            without it (env FLOWCTL_OPEN_READS=true)
  --max-request-bytes N     largest request message accepted (default ${FLOWCTL_DEFAULTS.maxRequestBytes})
  --idle-timeout DURATION   a connection silent this long is closed; WatchServices streams are exempt
                            once their request has arrived (default ${FLOWCTL_DEFAULTS.idleTimeoutSeconds}s, at most 255s)
  --max-services N          services registered at once; one more answers ResourceExhausted
                            (default ${FLOWCTL_DEFAULTS.maxServices})
  --max-watchers N          WatchServices streams open at once (default ${FLOWCTL_DEFAULTS.maxWatchers})
  --max-metadata-entries N  metadata entries per registration (default ${FLOWCTL_DEFAULTS.maxMetadataEntries})
  --max-metadata-bytes N    bytes of metadata keys and values per registration (default ${FLOWCTL_DEFAULTS.maxMetadataBytes})
  -h, --help                show this help

Environment
  FLOWCTL_TOKEN             bearer token: without it in "Authorization: Bearer <token>", Register,
                            Heartbeat and Unregister answer Unauthenticated (and reads too, unless
                            --open-reads). Unset: every RPC is open.

Durations use Go syntax: 500ms, 10s, 1m30s.`;

export interface FlowctlArgs extends FlowctlServerOptions {
  readonly help: boolean;
}

function duration(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new UsageError(`--${flag}: ${messageOf(error)}`);
  }
  if (!(ms > 0)) throw new UsageError(`--${flag} must be positive, got "${value}"`);
  return ms;
}

function integer(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  return value === undefined ? fallback : integerFlag(flag, value, min, max);
}

function idleTimeout(value: string | undefined): number {
  if (value === undefined) return FLOWCTL_DEFAULTS.idleTimeoutSeconds;
  try {
    return idleTimeoutSeconds("--idle-timeout", value);
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

function openReads(flag: boolean | undefined, env: string | undefined): boolean {
  if (flag !== undefined || env === undefined) return flag ?? false;
  try {
    return parseBoolean(env, "FLOWCTL_OPEN_READS");
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

const FLOWCTL_OPTIONS = {
  help: { type: "boolean", short: "h" },
  host: { type: "string" },
  port: { type: "string" },
  db: { type: "string" },
  ttl: { type: "string" },
  "evict-after": { type: "string" },
  "heartbeat-interval": { type: "string" },
  "cors-origin": { type: "string", multiple: true },
  "open-reads": { type: "boolean" },
  "max-request-bytes": { type: "string" },
  "idle-timeout": { type: "string" },
  "max-services": { type: "string" },
  "max-watchers": { type: "string" },
  "max-metadata-entries": { type: "string" },
  "max-metadata-bytes": { type: "string" },
} as const;

export function parseFlowctlArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): FlowctlArgs {
  const parsed = readFlags("bun run flowctl", argv, FLOWCTL_OPTIONS);
  const v = parsed.values;
  const ttlMs = duration("ttl", v.ttl, FLOWCTL_DEFAULTS.ttlMs);
  const evictAfterMs = duration("evict-after", v["evict-after"], Math.max(FLOWCTL_DEFAULTS.evictAfterMs, ttlMs));
  if (evictAfterMs < ttlMs) throw new UsageError(`--evict-after (${v["evict-after"]}) must be at least --ttl (${formatDuration(ttlMs)})`);
  const heartbeatIntervalMs = duration("heartbeat-interval", v["heartbeat-interval"], Math.min(FLOWCTL_DEFAULTS.heartbeatIntervalMs, Math.floor(ttlMs / 3)));
  if (heartbeatIntervalMs >= ttlMs) {
    throw new UsageError(`--heartbeat-interval (${formatDuration(heartbeatIntervalMs)}) must be shorter than --ttl (${formatDuration(ttlMs)})`);
  }
  const origins = (v["cors-origin"] ?? (env.FLOWCTL_CORS_ORIGINS ? [env.FLOWCTL_CORS_ORIGINS] : []))
    .flatMap((o) => o.split(","))
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of origins) {
    if (origin !== "*" && !/^https?:\/\/[^/]+$/.test(origin)) throw new UsageError(`--cors-origin must be an origin such as http://localhost:5173 (no path), got "${origin}"`);
  }
  const token = env.FLOWCTL_TOKEN?.trim() || null;
  const db = v.db ?? FLOWCTL_DEFAULTS.dbPath;
  return {
    help: v.help ?? false,
    host: v.host ?? FLOWCTL_DEFAULTS.host,
    port: integer("port", v.port, FLOWCTL_DEFAULTS.port, 0, 65535),
    dbPath: db === ":memory:" ? null : db,
    ttlMs,
    evictAfterMs,
    heartbeatIntervalMs,
    token,
    openReads: openReads(v["open-reads"], env.FLOWCTL_OPEN_READS),
    corsOrigins: origins,
    maxRequestBytes: integer("max-request-bytes", v["max-request-bytes"], FLOWCTL_DEFAULTS.maxRequestBytes, 1024, 64 * 1024 * 1024),
    idleTimeoutSeconds: idleTimeout(v["idle-timeout"]),
    maxServices: integer("max-services", v["max-services"], FLOWCTL_DEFAULTS.maxServices, 1, 1_000_000),
    maxWatchers: integer("max-watchers", v["max-watchers"], FLOWCTL_DEFAULTS.maxWatchers, 1, 100_000),
    maxMetadataEntries: integer("max-metadata-entries", v["max-metadata-entries"], FLOWCTL_DEFAULTS.maxMetadataEntries, 0, 100_000),
    maxMetadataBytes: integer("max-metadata-bytes", v["max-metadata-bytes"], FLOWCTL_DEFAULTS.maxMetadataBytes, 0, 64 * 1024 * 1024),
  };
}
