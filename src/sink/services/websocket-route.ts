// GET /ws: the event stream as JSON text frames, for clients without Connect. Query parameters are
// the filter: start_ledger, end_ledger, account, asset, event_type, contract (repeatable).
// Each frame: {"events":[EventRow...],"through_ledger":N}. A client that reads slower than the
// stream fills a bounded send buffer and is closed with code 1008 and a reason; the stream only
// reads committed rows from DuckDB, so it never slows the pipeline.
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Context } from "hono";
import type { CommitHub } from "./commit-hub.ts";
import { TTP_EVENT_TYPES } from "../../ttp/event.ts";
import type { EventFilter } from "./event-rows.ts";
import { streamEvents, type EventStreamOptions } from "./event-stream.ts";
import { SERVER_LIMIT_DEFAULTS } from "../../http/server-limits.ts";
import { StreamSlots } from "../../http/stream-slots.ts";
import type { ServiceDatabase } from "./service-database.ts";
import { messageOf } from "../../common/message-of.ts";

/** What a route puts in ws.data: the dispatching handler below calls it. */
export interface SocketHandlers {
  open(ws: ServerWebSocket<SocketHandlers>): void;
  close(ws: ServerWebSocket<SocketHandlers>, code: number, reason: string): void;
  drain?(ws: ServerWebSocket<SocketHandlers>): void;
}

/** Bun's websocket handler for Bun.serve: each socket carries its own handlers in ws.data. */
export const dispatchingWebSocket: WebSocketHandler<SocketHandlers> = {
  open: (ws) => ws.data.open(ws),
  message: () => undefined, // the stream is one-way
  close: (ws, code, reason) => ws.data.close(ws, code, reason),
  drain: (ws) => ws.data.drain?.(ws),
};

export interface WebSocketOptions extends EventStreamOptions {
  /** Most bytes queued for a client before it is disconnected as too slow. */
  readonly maxBufferedBytes?: number;
  /** Told of each disconnected slow client (for metrics and tests). */
  readonly onSlowClient?: (bufferedBytes: number) => void;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 1 << 20;
const CLOSE_GRACE_MS = 5000;

export class FilterError extends Error {}

export function filterFromQuery(url: URL, maxFilterValues = SERVER_LIMIT_DEFAULTS.maxFilterValues): EventFilter {
  const ledger = (name: string): number => {
    const value = url.searchParams.get(name);
    if (value === null || value === "") return 0;
    if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new FilterError(`${name} must be a ledger number, got "${value}"`);
    return Number(value);
  };
  const all = (name: string) => {
    const values = url.searchParams.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
    if (values.length > maxFilterValues) throw new FilterError(`${name} holds ${values.length} values; at most ${maxFilterValues} are accepted`);
    return values;
  };
  const eventTypes = all("event_type").map((t) => t.toLowerCase());
  for (const type of eventTypes) if (!(TTP_EVENT_TYPES as readonly string[]).includes(type)) throw new FilterError(`event_type must be one of ${TTP_EVENT_TYPES.join(", ")}, got "${type}"`);
  const filter = { startLedger: ledger("start_ledger"), endLedger: ledger("end_ledger"), accounts: all("account"), assets: all("asset"), eventTypes, contracts: all("contract") };
  if (filter.endLedger !== 0 && filter.endLedger < filter.startLedger) throw new FilterError(`end_ledger ${filter.endLedger} is before start_ledger ${filter.startLedger}`);
  return filter;
}

export interface WebSocketGuards {
  /** A Response to refuse the upgrade (401 without the token, 403 from another origin); null: go on. */
  readonly authorize?: (c: Context) => Response | null;
  /** Shared with StreamEvents. */
  readonly slots?: StreamSlots;
  readonly maxFilterValues?: number;
}

/** The /ws handler. */
export function websocketRoute(db: ServiceDatabase, hub: CommitHub, options: WebSocketOptions = {}, guards: WebSocketGuards = {}) {
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const slots = guards.slots ?? new StreamSlots();
  return (c: Context): Response => {
    const refused = guards.authorize?.(c);
    if (refused) return refused;
    const server = c.env as Server<SocketHandlers> | undefined;
    if (!server || typeof server.upgrade !== "function") return c.json({ error: "/ws needs Bun's server (serveApp)" }, 500);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.json({ error: "/ws is a WebSocket endpoint: connect with a WebSocket client" }, 426);
    let filter: EventFilter;
    try {
      filter = filterFromQuery(new URL(c.req.url), guards.maxFilterValues);
    } catch (error) {
      if (error instanceof FilterError) return c.json({ error: error.message }, 400);
      throw error;
    }
    const release = slots.tryAcquire("websocket");
    if (!release) return c.json({ error: slots.refusal() }, 503, { "retry-after": "5" });
    const abort = new AbortController();
    let closed = false;
    const handlers: SocketHandlers = {
      open(ws) {
        void pump(ws).catch((error: unknown) => {
          if (!abort.signal.aborted) ws.close(1011, `stream failed: ${messageOf(error)}`.slice(0, 120));
        });
      },
      close() {
        closed = true;
        abort.abort();
        release();
      },
    };
    const pump = async (ws: ServerWebSocket<SocketHandlers>) => {
      for await (const page of streamEvents(db, hub, filter, abort.signal, options)) {
        if (abort.signal.aborted) return;
        ws.send(JSON.stringify({ events: page.events, through_ledger: page.throughLedger }));
        const buffered = ws.getBufferedAmount();
        if (buffered > maxBuffered) {
          options.onSlowClient?.(buffered);
          abort.abort();
          ws.close(1008, `slow client: ${buffered} bytes waiting, more than the ${maxBuffered} allowed`);
          // a peer that reads nothing never completes the close handshake: drop it after a while
          setTimeout(() => closed || ws.terminate(), CLOSE_GRACE_MS).unref?.();
          return;
        }
      }
      ws.close(1000, "end_ledger reached");
    };
    if (!server.upgrade(c.req.raw, { data: handlers })) {
      release();
      return c.json({ error: "WebSocket upgrade failed" }, 400);
    }
    return new Response(null); // Bun ignores it once upgraded
  };
}
