// The edge API: a Hono app for fetch-handler runtimes (workerd / Cloudflare Workers, Deno, Bun)
// that answers the TTP events of a ledger, or a bounded range, from a SEP-54 lake over fetch, with
// no database. GET /v1/ledgers/{seq}/events and /v1/ledgers/{start}-{end}/events (JSON, NDJSON or
// Arrow IPC by Accept), the same as stellarflow.v1.LedgerEventsService/GetLedgerEvents over Connect
// and gRPC-Web, /livez. Token and CORS as the components' servers (src/http).
import { Hono } from "hono";
import { LedgerEventsService } from "../gen/stellarflow/v1/ledger_events_service_pb.ts";
import { tokenGate } from "../http/api-token.ts";
import { connectCorsMiddleware } from "../http/connect-cors.ts";
import { mountConnect } from "../http/connect-routes.ts";
import type { EdgeConfig } from "./edge-config.ts";
import { connectErrorOf, errorResponse } from "./edge-errors.ts";
import { EdgeLake, type EdgeLakeOptions } from "./edge-lake.ts";
import { formatEvents, negotiateFormat, notAcceptable } from "./event-formats.ts";
import { checkLedgerRange, parseLedgerRange } from "./ledger-range.ts";
import { ledgerEventsResponse } from "./proto-messages.ts";

export type EdgeAppOptions = EdgeLakeOptions;

/** A closed ledger is final (Stellar has no reorgs): its events may be cached for long. */
const FINAL_MAX_AGE_SECONDS = 86_400;

export function createEdgeApp(options: EdgeAppOptions): Hono {
  const { config } = options;
  const lake = new EdgeLake(options);
  const app = new Hono();
  app.onError((error) => errorResponse(error));
  if (config.corsOrigins.length > 0) app.use("*", connectCorsMiddleware(config.corsOrigins));
  app.use("*", tokenGate(config.token));
  app.get("/livez", (c) => c.text("ok"));
  app.get("/", (c) => c.json(describe(config)));

  app.get("/v1/ledgers/:range/events", async (c) => {
    const accept = c.req.header("accept") ?? null;
    const format = negotiateFormat(accept, c.req.query("format") ?? null);
    if (format === null) return notAcceptable(accept);
    try {
      const range = parseLedgerRange(c.req.param("range"), config.maxLedgersPerRequest);
      const ledgers = await lake.read(range, c.req.raw.signal);
      const privacy = config.token === null ? "public" : "private";
      return formatEvents(format, ledgers, { "cache-control": `${privacy}, max-age=${FINAL_MAX_AGE_SECONDS}`, vary: "accept" });
    } catch (error) {
      return errorResponse(error);
    }
  });

  mountConnect(
    app,
    (router) =>
      router.service(LedgerEventsService, {
        async getLedgerEvents(request, context) {
          try {
            const range = checkLedgerRange(request.startLedger, request.endLedger === 0 ? request.startLedger : request.endLedger, config.maxLedgersPerRequest);
            return ledgerEventsResponse(await lake.read(range, context.signal));
          } catch (error) {
            throw connectErrorOf(error);
          }
        },
      }),
    { readMaxBytes: 4096 },
  );
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}; try GET /v1/ledgers/{seq}/events or /v1/ledgers/{start}-{end}/events` }, 404));
  return app;
}

function describe(config: EdgeConfig) {
  return {
    service: "stellar-flow edge API",
    datalake: config.datalake,
    network: config.networkPassphrase ?? "the lake's",
    max_ledgers_per_request: config.maxLedgersPerRequest,
    tx_set_check: config.txSetCheck,
    routes: ["GET /v1/ledgers/{seq}/events", "GET /v1/ledgers/{start}-{end}/events", "POST /stellarflow.v1.LedgerEventsService/GetLedgerEvents", "GET /livez"],
    formats: ["application/json", "application/x-ndjson", "application/vnd.apache.arrow.stream"],
  };
}
