// The live event table: EventService.StreamEvents with the form's filters (catch-up, then live).
import { createClient, type Transport } from "@connectrpc/connect";
import { EventService } from "../gen/stellarflow/v1/event_service_pb.ts";
import { QueryService } from "../gen/stellarflow/v1/query_service_pb.ts";
import { EventType, type TtpEvent } from "../gen/stellarflow/v1/ttp_event_pb.ts";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { StreamEventsRequestSchema } from "../gen/stellarflow/v1/event_service_pb.ts";
import { byId, cell, row, short } from "./dom.ts";
import { messageOf } from "../common/message-of.ts";

const MAX_ROWS = 500;
/** Without a start ledger the table opens on the last few committed ledgers, then goes live. */
const RECENT_LEDGERS = 10;

/**
 * Where a stream without a start ledger begins: RECENT_LEDGERS before the sink's cursor, so that
 * opening the page does not replay the whole database into it; 0 (the beginning) when nothing is
 * committed yet or the cursor cannot be read.
 */
async function recentStart(transport: Transport): Promise<number> {
  try {
    const result = await createClient(QueryService, transport).query({ sql: "SELECT last_ledger FROM sink_cursor" });
    const last = Number(result.rows[0]?.values[0]?.text ?? Number.NaN);
    return Number.isInteger(last) && last > 0 ? Math.max(1, last - RECENT_LEDGERS + 1) : 0;
  } catch {
    return 0;
  }
}

function requestOf(form: HTMLFormElement): MessageInitShape<typeof StreamEventsRequestSchema> {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? "").trim();
  const list = (name: string) => text(name).split(",").map((v) => v.trim()).filter((v) => v !== "");
  const ledger = (name: string) => (/^\d+$/.test(text(name)) ? Number(text(name)) : 0);
  const type = text("event_type");
  return {
    startLedger: ledger("start_ledger"),
    endLedger: ledger("end_ledger"),
    accounts: list("account"),
    assets: list("asset"),
    contracts: list("contract"),
    eventTypes: type ? [EventType[type.toUpperCase() as keyof typeof EventType] as EventType] : [],
  };
}

function eventRow(e: TtpEvent): HTMLTableRowElement {
  const from = cell(short(e.fromAddress), "mono");
  from.title = e.fromAddress ?? "";
  const to = cell(short(e.toAddress), "mono");
  to.title = e.toAddress ?? "";
  const tx = cell(short(e.txHash, 8), "mono");
  tx.title = e.txHash;
  return row(
    cell(String(e.ledgerSequence), "num"),
    cell(String(e.eventIndex), "num"),
    cell(EventType[e.eventType]?.toLowerCase() ?? "?"),
    from,
    to,
    cell(e.asset ?? "(contract token)"),
    cell(e.amount, "num mono"),
    tx,
  );
}

export function startEventsPanel(transport: Transport): void {
  const client = createClient(EventService, transport);
  const form = byId<HTMLFormElement>("event-filter");
  const body = byId<HTMLTableElement>("events").tBodies[0]!;
  const status = byId("events-status");
  let current: AbortController | null = null;

  const run = async (request: MessageInitShape<typeof StreamEventsRequestSchema>) => {
    current?.abort();
    const abort = new AbortController();
    current = abort;
    body.replaceChildren();
    let count = 0;
    status.textContent = "connecting…";
    try {
      for await (const page of client.streamEvents(request, { signal: abort.signal })) {
        if (page.events.length > 0) {
          const rows = page.events.map(eventRow).reverse(); // newest on top
          body.prepend(...rows);
          while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
          count += page.events.length;
        }
        status.textContent = `${count} events, through ledger ${page.throughLedger}`;
        status.dataset["count"] = String(count);
      }
      status.textContent = `${count} events; the range is complete`;
    } catch (error) {
      if (!abort.signal.aborted) status.textContent = `stream ended: ${messageOf(error)}`;
    }
  };
  const start = async () => {
    const request = requestOf(form);
    if (request.startLedger === 0) request.startLedger = await recentStart(transport);
    await run(request);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void start();
  });
  void start();
}
