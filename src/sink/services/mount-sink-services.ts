// Mounts the sink's client surface on a Hono app: EventService and QueryService (Connect and
// gRPC-Web), GET /ws, the dashboard at / with its read-only flowctl proxy, optional bearer-token
// auth and a CORS allowlist. Used by the pipeline's sink component and by `bun run sink`.
// The app must be served with `dispatchingWebSocket` as Bun's websocket handler (serveApp's `websocket`).
import type { Hono, Context } from "hono";
import { EventService } from "../../gen/stellarflow/v1/event_service_pb.ts";
import { QueryService } from "../../gen/stellarflow/v1/query_service_pb.ts";
import { authFailure, bearerToken, sameSecret } from "../../flowctl/auth.ts";
import { connectCorsMiddleware } from "../../http/connect-cors.ts";
import { mountConnect } from "../../http/connect-routes.ts";
import type { CommitHub } from "./commit-hub.ts";
import { dashboardRoutes } from "./dashboard-routes.ts";
import { eventService } from "./event-service.ts";
import { parquetDownload } from "./parquet-download.ts";
import { QUERY_DEFAULTS, type QueryLimits } from "./query-limits.ts";
import { QueryPool } from "./query-pool.ts";
import { queryService } from "./query-service.ts";
import type { ServiceDatabase } from "./service-database.ts";
import { websocketRoute, type WebSocketOptions } from "./websocket-route.ts";
import { DEFAULT_MAX_EVENT_STREAMS, StreamSlots } from "./stream-slots.ts";

export interface SinkServicesOptions {
  readonly db: ServiceDatabase;
  readonly hub: CommitHub;
  /** Bearer token every call needs (WebSocket: Authorization header or ?token=); null: open. */
  readonly token: string | null;
  /** Browser origins allowed to call the services ("*": any); empty: same origin only. */
  readonly corsOrigins: readonly string[];
  /** flowctl's URL, for the dashboard's component health (null: the dashboard shows none). */
  readonly flowctlUrl?: string | null | (() => string | null);
  /** Limits of QueryService and /download/parquet (their concurrency is db.queryConnections'). */
  readonly query?: Partial<QueryLimits>;
  readonly websocket?: WebSocketOptions;
  /** Event streams (StreamEvents and /ws together) open at once, at most (default 64). */
  readonly maxEventStreams?: number;
  readonly shutdownSignal?: AbortSignal;
}

const PATHS = ["/stellarflow.v1.EventService/*", "/stellarflow.v1.QueryService/*", "/flowctl.v1.ControlPlaneService/*", "/ws", "/download/*"];

export function mountSinkServices(app: Hono, options: SinkServicesOptions): void {
  if (options.corsOrigins.length > 0) for (const path of PATHS) app.use(path, connectCorsMiddleware(options.corsOrigins));
  const limits = { ...QUERY_DEFAULTS, ...options.query, concurrency: options.db.queryConnections.length };
  const pool = new QueryPool(options.db.queryConnections, limits.maxWaiting);
  const auth = { token: options.token, openReads: false };
  const slots = new StreamSlots(options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS);
  mountConnect(
    app,
    (router) => {
      router.service(EventService, eventService(options.db, options.hub, options.websocket, slots));
      router.service(QueryService, queryService(pool, limits));
    },
    {
      authorize: (method, headers) => authFailure(auth, method, headers.get("authorization")),
      readMaxBytes: limits.maxSqlLength * 4 + 1024,
      shutdownSignal: options.shutdownSignal,
    },
  );
  app.get("/ws", websocketRoute(options.db, options.hub, options.websocket, (c) => checkToken(c, options.token), slots));
  const download = parquetDownload(pool, options.db.downloadDir, limits);
  app.post("/download/parquet", (c) => checkToken(c, options.token) ?? download(c));
  dashboardRoutes(app, { flowctlUrl: options.flowctlUrl ?? null });
}

function checkToken(c: Context, token: string | null): Response | null {
  if (token === null) return null;
  const given = bearerToken(c.req.header("authorization")) ?? c.req.query("token");
  const path = new URL(c.req.url).pathname;
  if (given === undefined) return c.json({ error: `${path} needs a token: an Authorization: Bearer header or ?token=` }, 401);
  return sameSecret(given, token) ? null : c.json({ error: `${path}: the token is not valid` }, 401);
}
