// The live event table: EventService.StreamEvents with the form's filters (catch-up, then live).
// The table keeps the newest MAX_SHOWN_ROWS events and the status says how many matched in all; a click
// on an account, asset, contract or transaction filters the view by it; a stream that breaks is
// resumed after the last ledger it completed, with backoff, a limited number of times.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { EventService, type StreamEventsRequestSchema } from "../gen/stellarflow/v1/event_service_pb.ts";
import { QueryService } from "../gen/stellarflow/v1/query_service_pb.ts";
import { EventType, type TtpEvent } from "../gen/stellarflow/v1/ttp_event_pb.ts";
import { byId } from "./dom.ts";
import { PAGE_QUERY_TIMEOUT_MS } from "./dashboard-config.ts";
import { eventRow, MAX_SHOWN_ROWS, type EventView, type ViewFilter } from "./event-table.ts";
import { messageOf } from "../common/message-of.ts";

/** Without a start ledger the table opens on the last few committed ledgers, then goes live. */
const RECENT_LEDGERS = 10;
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 30_000;
const MAX_ATTEMPTS = 25;
/** Refusals that asking again will not change. */
const FINAL_CODES = new Set([Code.InvalidArgument, Code.PermissionDenied, Code.Unauthenticated, Code.FailedPrecondition]);

type StreamRequest = MessageInitShape<typeof StreamEventsRequestSchema>;

/**
 * Where a stream without a start ledger begins: RECENT_LEDGERS before the sink's cursor, so that
 * opening the page does not replay the whole database into it; 0 (the beginning) when nothing is
 * committed yet or the cursor cannot be read.
 */
async function recentStart(transport: Transport): Promise<number> {
  try {
    const result = await createClient(QueryService, transport).query({ sql: "SELECT last_ledger FROM sink_cursor" }, { timeoutMs: PAGE_QUERY_TIMEOUT_MS });
    const last = Number(result.rows[0]?.values[0]?.text ?? Number.NaN);
    return Number.isInteger(last) && last > 0 ? Math.max(1, last - RECENT_LEDGERS + 1) : 0;
  } catch {
    return 0;
  }
}

function requestOf(form: HTMLFormElement): { request: StreamRequest; tx: string } {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? "").trim();
  const list = (name: string) => text(name).split(",").map((v) => v.trim()).filter((v) => v !== "");
  const ledger = (name: string) => (/^\d+$/.test(text(name)) ? Number(text(name)) : 0);
  const type = text("event_type");
  return {
    request: {
      startLedger: ledger("start_ledger"),
      endLedger: ledger("end_ledger"),
      accounts: list("account"),
      assets: list("asset"),
      contracts: list("contract"),
      eventTypes: type ? [EventType[type.toUpperCase() as keyof typeof EventType] as EventType] : [],
    },
    tx: text("tx").toLowerCase(),
  };
}

export function eventViewOf(e: TtpEvent): EventView {
  return {
    ledger: e.ledgerSequence,
    index: e.eventIndex,
    type: EventType[e.eventType]?.toLowerCase() ?? "?",
    from: e.fromAddress ?? null,
    to: e.toAddress ?? null,
    asset: e.asset ?? null,
    amount: e.amount,
    tx: e.txHash,
    contract: e.contractAddress,
  };
}

export interface EventsPanel {
  /** Shows only the events of `filter` (an account, asset, contract or transaction clicked anywhere). */
  filter(filter: ViewFilter): void;
}

export function startEventsPanel(transport: Transport): EventsPanel {
  const client = createClient(EventService, transport);
  const form = byId<HTMLFormElement>("event-filter");
  const body = byId<HTMLTableElement>("events").tBodies[0]!;
  const status = byId("events-status");
  const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
  let current: AbortController | null = null;

  const show = (text: string, error = false) => {
    status.textContent = text;
    status.className = error ? "error" : "muted";
  };

  const run = async (request: StreamRequest, tx: string) => {
    current?.abort();
    const abort = new AbortController();
    current = abort;
    body.replaceChildren();
    let count = 0;
    let through = -1;
    const summary = () => {
      const shown = body.rows.length;
      const matched = `${count} event${count === 1 ? "" : "s"}`;
      const what = count > shown ? `showing the newest ${shown} of ${matched} (narrow the filters, or ask the SQL box for all of them)` : matched;
      return through >= 0 ? `${what}, through ledger ${through}` : what;
    };
    const mark = () => {
      status.dataset["count"] = String(count);
      status.dataset["shown"] = String(body.rows.length);
      status.dataset["through"] = String(through);
    };
    show("connecting…");
    for (let attempt = 1; !abort.signal.aborted; attempt++) {
      // a resumed stream starts after the last ledger it completed
      const resumed = through >= 0 ? { ...request, startLedger: through + 1 } : request;
      try {
        for await (const page of client.streamEvents(resumed, { signal: abort.signal })) {
          attempt = 1;
          const events = tx ? page.events.filter((e) => e.txHash === tx) : page.events;
          if (events.length > 0) {
            body.prepend(...events.map((e) => eventRow(eventViewOf(e), panel.filter)).reverse()); // newest on top
            while (body.rows.length > MAX_SHOWN_ROWS) body.deleteRow(-1);
            count += events.length;
          }
          through = page.throughLedger;
          mark();
          show(summary());
        }
        mark();
        show(`${summary()}; the range is complete`);
        return;
      } catch (error) {
        if (abort.signal.aborted) return;
        const code = error instanceof ConnectError ? error.code : Code.Unknown;
        const message = error instanceof ConnectError ? error.rawMessage : messageOf(error);
        if (FINAL_CODES.has(code) || attempt >= MAX_ATTEMPTS) {
          show(`${summary()}; the stream ended: ${message}`, true);
          return;
        }
        const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
        show(`${summary()}; the stream broke (${message}), resuming in ${Math.round(wait / 1000)} s`, true);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };
  const start = async () => {
    const { request, tx } = requestOf(form);
    if (request.startLedger === 0) request.startLedger = await recentStart(transport);
    await run(request, tx);
  };
  const panel: EventsPanel = {
    filter(filter) {
      for (const name of ["account", "asset", "contract", "tx", "start_ledger", "end_ledger"]) input(name).value = "";
      input("event_type").value = "";
      input(filter.kind).value = filter.value;
      if (filter.kind === "tx") {
        input("start_ledger").value = String(filter.ledger);
        input("end_ledger").value = String(filter.ledger);
      }
      byId("events-section").scrollIntoView({ block: "start" });
      void start();
    },
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void start();
  });
  form.addEventListener("reset", () => setTimeout(() => void start(), 0)); // "Clear": the inputs are empty once the reset is done
  void start();
  return panel;
}
