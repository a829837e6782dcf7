// Mounts the sink's client surface on a Hono app: EventService and QueryService (Connect and
// gRPC-Web), GET /ws, POST /download/parquet, the dashboard at / with its read-only flowctl proxy,
// optional bearer-token auth and a CORS allowlist. Used by the pipeline's sink component and by
// `bun run sink`. Every route checks the token, then (browser-reachable ones) the Origin, then the
// body's size, before it reads anything.
// The app must be served with `dispatchingWebSocket` as Bun's websocket handler (serveApp's `websocket`).
import type { Hono } from "hono";
import { EventService } from "../../gen/stellarflow/v1/event_service_pb.ts";
import { QueryService } from "../../gen/stellarflow/v1/query_service_pb.ts";
import { authFailure } from "../../flowctl/auth.ts";
import { tokenGate, tokenRefusal } from "../../http/api-token.ts";
import { connectCorsMiddleware } from "../../http/connect-cors.ts";
import { mountConnect } from "../../http/connect-routes.ts";
import { isJsonContentType, originRefusal, readBodyAtMost } from "../../http/request-guards.ts";
import { SERVER_LIMIT_DEFAULTS } from "../../http/server-limits.ts";
import { rpcMetrics } from "../../http/rpc-meter.ts";
import { StreamSlots } from "../../http/stream-slots.ts";
import type { MetricRegistry } from "../../metrics/registry.ts";
import type { CommitHub } from "./commit-hub.ts";
import { dashboardRoutes } from "./dashboard-routes.ts";
import { eventService } from "./event-service.ts";
import { parquetDownload } from "./parquet-download.ts";
import { QUERY_DEFAULTS, type QueryLimits } from "./query-limits.ts";
import { QueryPool } from "./query-pool.ts";
import { queryService } from "./query-service.ts";
import type { ServiceDatabase } from "./service-database.ts";
import { websocketRoute, type WebSocketOptions } from "./websocket-route.ts";

export interface SinkServicesOptions {
  readonly db: ServiceDatabase;
  readonly hub: CommitHub;
  /** Bearer token every route needs (browsers: ?token= too); null: open. */
  readonly token: string | null;
  /** Browser origins allowed to call the services ("*": any); empty: same origin only. */
  readonly corsOrigins: readonly string[];
  /** flowctl's URL, for the dashboard's component health (null: the dashboard shows none). */
  readonly flowctlUrl?: string | null | (() => string | null);
  /** The token the dashboard's proxy presents to flowctl (FLOWCTL_TOKEN); callers of the proxy present the sink's. */
  readonly flowctlToken?: string | null | (() => string | null);
  /** Ledgers arrive while the services run (default true); false: the database is only served (the dashboard says nothing is live). */
  readonly live?: boolean;
  /** Limits of QueryService and /download/parquet (their concurrency is db.queryConnections'). */
  readonly query?: Partial<QueryLimits>;
  readonly websocket?: WebSocketOptions;
  /** Event streams (StreamEvents, /ws and proxied WatchServices together) open at once, at most (default 64). */
  readonly maxEventStreams?: number;
  /** Largest request body (Connect messages, downloads, the proxy), checked before it is read (default 128 KiB). */
  readonly maxRequestBytes?: number;
  /** Values per filter field of an event stream (default 100). */
  readonly maxFilterValues?: number;
  readonly shutdownSignal?: AbortSignal;
  /** Where the services count their RPCs, open streams and slow /ws clients (the sink component's metrics). */
  readonly metrics?: MetricRegistry;
}

const CORS_PATHS = ["/stellarflow.v1.EventService/*", "/stellarflow.v1.QueryService/*", "/flowctl.v1.ControlPlaneService/*", "/ws", "/download/*"];
/** Routes checked by the token gate (the Connect services check it themselves, in their protocol). */
const GATED_PATHS = ["/", "/dashboard.js", "/dashboard.css", "/dashboard/*", "/flowctl.v1.ControlPlaneService/*", "/ws", "/download/*"];

export function mountSinkServices(app: Hono, options: SinkServicesOptions): void {
  if (options.corsOrigins.length > 0) for (const path of CORS_PATHS) app.use(path, connectCorsMiddleware(options.corsOrigins));
  for (const path of GATED_PATHS) app.use(path, tokenGate(options.token));
  const limits = { ...QUERY_DEFAULTS, ...options.query, concurrency: options.db.queryConnections.length };
  const pool = new QueryPool(options.db.queryConnections, limits.maxWaiting);
  const maxRequestBytes = options.maxRequestBytes ?? SERVER_LIMIT_DEFAULTS.maxRequestBytes;
  const maxFilterValues = options.maxFilterValues ?? SERVER_LIMIT_DEFAULTS.maxFilterValues;
  const auth = { token: options.token, openReads: false };
  const slots = new StreamSlots(options.maxEventStreams ?? SERVER_LIMIT_DEFAULTS.maxEventStreams);
  const metrics = options.metrics;
  let websocket = options.websocket;
  if (metrics) {
    for (const kind of ["stream_events", "websocket", "watch"]) slots.counts(kind);
    metrics.collect(() => slots.families("stellarflow_event_streams", "Event streams (StreamEvents, /ws, WatchServices through the dashboard's proxy)"));
    const slow = metrics.counter("stellarflow_websocket_slow_clients_total", "/ws clients closed (code 1008) because more than the allowed bytes waited for them.");
    slow.inc(0);
    websocket = { ...websocket, onSlowClient: (bytes) => (slow.inc(), options.websocket?.onSlowClient?.(bytes)) };
  }
  mountConnect(
    app,
    (router) => {
      router.service(EventService, eventService(options.db, options.hub, websocket, slots, maxFilterValues));
      router.service(QueryService, queryService(pool, limits));
    },
    {
      authorize: (method, headers) => authFailure(auth, method, headers.get("authorization")),
      readMaxBytes: maxRequestBytes,
      shutdownSignal: options.shutdownSignal,
      ...(metrics ? { observe: rpcMetrics(metrics, "stellarflow") } : {}),
    },
  );
  // a WebSocket upgrade is never preflighted: only the page's own origin or an allowed one may open it
  const guard = (request: Request) => tokenRefusal(request, options.token) ?? originRefusal(request, options.corsOrigins);
  app.get("/ws", websocketRoute(options.db, options.hub, websocket, { authorize: (c) => guard(c.req.raw), slots, maxFilterValues }));
  const download = parquetDownload(pool, options.db.downloadDir, limits);
  app.post("/download/parquet", async (c) => {
    const refused = guard(c.req.raw);
    if (refused) return refused;
    // text/plain and form bodies need no preflight: a page elsewhere could send them unseen
    if (!isJsonContentType(c.req.header("content-type") ?? null)) {
      return c.json({ error: '/download/parquet takes JSON {"sql": "SELECT ..."} sent as Content-Type: application/json' }, 415);
    }
    const body = await readBodyAtMost(c.req.raw, maxRequestBytes);
    if (body instanceof Response) return body;
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      // answered by the download as a body that is not {"sql": ...}
    }
    return download(c, parsed);
  });
  dashboardRoutes(app, { flowctlUrl: options.flowctlUrl ?? null, flowctlToken: options.flowctlToken ?? null, maxRequestBytes, slots, corsOrigins: options.corsOrigins, live: options.live ?? true });
}
