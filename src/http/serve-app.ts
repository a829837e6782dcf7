// Serves a fetch handler (a Hono app's) with Bun: the Bun adapter of src/http.

export interface ServedApp {
  /** e.g. "http://127.0.0.1:8088" */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Idle timeout of servers whose streams exempt themselves: a stalled client is dropped after this. */
export const IDLE_TIMEOUT_SECONDS = 30;

export interface ServeAppOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /**
   * Seconds a connection may stay silent (Bun's default 10; 0: forever). Long streams should rather
   * exempt their own request (`server.timeout(request, 0)`, as mountConnect does) than turn it off.
   */
  readonly idleTimeout?: number;
  /** Bun's WebSocket handlers, for apps with WebSocket routes (e.g. the sink's /ws). */
  readonly websocket?: import("bun").WebSocketHandler<any>;
}

/** Throws Bun's error when it cannot listen (e.g. the port is taken). */
export function serveApp(fetch: (request: Request) => Response | Promise<Response>, options: ServeAppOptions): ServedApp {
  const base = { hostname: options.host, port: options.port, fetch, ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}) };
  const server = options.websocket ? Bun.serve({ ...base, websocket: options.websocket }) : Bun.serve(base);
  const port = server.port ?? options.port;
  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    port,
    stop: () => server.stop(true),
  };
}
