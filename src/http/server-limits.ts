// Limits of the component servers (source, processor, sink and its client services; the stage
// processes and the in-process pipeline alike), from the environment so that `bun run pipeline`,
// `--processes` (children inherit it) and each `bun run source|processor|sink` read the same names.
import { ConfigError } from "../flowctl/config.ts";
import { parseDuration } from "../flowctl/duration.ts";
import { DEFAULT_MAX_EVENT_STREAMS } from "./stream-slots.ts";
import { messageOf } from "../common/message-of.ts";

export interface ServerLimits {
  /** A connection silent this long is closed (Bun's idleTimeout); streams exempt themselves once their request has arrived. */
  readonly idleTimeoutSeconds: number;
  /** Largest request body accepted (Connect messages, /download/parquet, the dashboard's flowctl proxy). */
  readonly maxRequestBytes: number;
  /** The sink's event streams open at once: StreamEvents, /ws and WatchServices through the dashboard's proxy. */
  readonly maxEventStreams: number;
  /** Arrow frame streams the source (/v1/ledgers) or processor (/v1/events) serves at once. */
  readonly maxDataStreams: number;
  /** Values per filter field of an event stream (accounts, assets, event types, contracts). */
  readonly maxFilterValues: number;
}

/** Bun's idleTimeout is whole seconds up to 255. */
export const MAX_IDLE_TIMEOUT_SECONDS = 255;

export const SERVER_LIMIT_DEFAULTS: ServerLimits = {
  idleTimeoutSeconds: 30,
  // a Query or download of the longest SQL text accepted (20,000 characters, up to 4 bytes each) fits
  maxRequestBytes: 128 * 1024,
  maxEventStreams: DEFAULT_MAX_EVENT_STREAMS,
  // one downstream normally, plus its reconnects while the server notices the old connection gone
  maxDataStreams: 8,
  maxFilterValues: 100,
};

/** The environment variable of each limit. */
export const SERVER_LIMIT_ENV: Readonly<Record<keyof ServerLimits, string>> = {
  idleTimeoutSeconds: "STELLAR_FLOW_IDLE_TIMEOUT",
  maxRequestBytes: "STELLAR_FLOW_MAX_REQUEST_BYTES",
  maxEventStreams: "STELLAR_FLOW_MAX_EVENT_STREAMS",
  maxDataStreams: "STELLAR_FLOW_MAX_DATA_STREAMS",
  maxFilterValues: "STELLAR_FLOW_MAX_FILTER_VALUES",
};

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

/** Seconds of a Go duration ("30s", "2m"), for an idle timeout: whole seconds from 1 to 255. */
export function idleTimeoutSeconds(name: string, value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new ConfigError(`${name}: ${messageOf(error)}`);
  }
  if (!(ms >= 1000 && ms <= MAX_IDLE_TIMEOUT_SECONDS * 1000) || ms % 1000 !== 0) {
    throw new ConfigError(`${name} must be whole seconds from 1s to ${MAX_IDLE_TIMEOUT_SECONDS}s, got "${value}"`);
  }
  return ms / 1000;
}

/** The limits, each from its variable when set; a bad value is a ConfigError naming the variable. */
export function serverLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): ServerLimits {
  const read = <K extends keyof ServerLimits>(key: K, parse: (name: string, value: string) => number): number => {
    const name = SERVER_LIMIT_ENV[key];
    const value = env[name]?.trim();
    return value ? parse(name, value) : SERVER_LIMIT_DEFAULTS[key];
  };
  return {
    idleTimeoutSeconds: read("idleTimeoutSeconds", idleTimeoutSeconds),
    maxRequestBytes: read("maxRequestBytes", (name, value) => integer(name, value, 1024, 64 * 1024 * 1024)),
    maxEventStreams: read("maxEventStreams", (name, value) => integer(name, value, 1, 100_000)),
    maxDataStreams: read("maxDataStreams", (name, value) => integer(name, value, 1, 10_000)),
    maxFilterValues: read("maxFilterValues", (name, value) => integer(name, value, 1, 100_000)),
  };
}

/** Bun's own cap on request bodies (HTTP 413 before any handler): above the routes' cap, which answers first and in the route's protocol. */
export function bodyBackstop(maxRequestBytes: number): number {
  return maxRequestBytes + 64 * 1024;
}
