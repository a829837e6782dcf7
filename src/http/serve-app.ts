// Serves a fetch handler (a Hono app's) with Bun: the Bun adapter of src/http.
import { allowedHostsFromEnv, guardHost } from "./host-guard.ts";
import { bodyBackstop, SERVER_LIMIT_DEFAULTS } from "./server-limits.ts";

export interface ServedApp {
  /** e.g. "http://127.0.0.1:8088" */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Idle timeout of every server: a stalled client is dropped after this; streams exempt themselves. */
export const IDLE_TIMEOUT_SECONDS = 30;


export interface ServeAppOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /**
   * Seconds a connection may stay silent, a handler included, before Bun closes it (default
   * IDLE_TIMEOUT_SECONDS). A stream exempts its own request once it has fully arrived
   * (`exemptFromIdleTimeout`); turning the timeout off would let stalled clients hold connections.
   */
  readonly idleTimeout?: number;
  /** Bodies past this are refused by Bun (HTTP 413) before any handler reads them; routes check their own, smaller caps first. */
  readonly maxRequestBodySize?: number;
  /** Bun's WebSocket handlers, for apps with WebSocket routes (e.g. the sink's /ws). */
  readonly websocket?: import("bun").WebSocketHandler<any>;
  /** Host names answered besides loopback when listening on loopback (default: STELLAR_FLOW_ALLOWED_HOSTS); see ./host-guard.ts. */
  readonly allowedHosts?: readonly string[];
}

export { exemptFromIdleTimeout } from "./idle-timeout.ts";

/** Throws Bun's error when it cannot listen (e.g. the port is taken). */
export function serveApp(fetch: (request: Request) => Response | Promise<Response>, options: ServeAppOptions): ServedApp {
  const base = {
    hostname: options.host,
    port: options.port,
    fetch: guardHost(fetch, options.host, options.allowedHosts ?? allowedHostsFromEnv(process.env)),
    idleTimeout: options.idleTimeout ?? IDLE_TIMEOUT_SECONDS,
    maxRequestBodySize: options.maxRequestBodySize ?? bodyBackstop(SERVER_LIMIT_DEFAULTS.maxRequestBytes),
  };
  const server = options.websocket ? Bun.serve({ ...base, websocket: options.websocket }) : Bun.serve(base);
  const port = server.port ?? options.port;
  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    port,
    stop: () => server.stop(true),
  };
}
