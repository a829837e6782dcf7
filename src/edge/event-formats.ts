// The answer of GET /v1/ledgers/{range}/events in the format the client accepts: JSON (the default:
// the `ledgers` rows and the `ttp_events` rows), NDJSON (one event row per line, as --export-json
// writes) or an Arrow IPC stream (the `ttp_events` schema). `?format=` overrides Accept.
import { Table, tableToIPC } from "apache-arrow";
import { ttpEventBatch } from "../arrow/event-batch.ts";
import type { DecodedLedger } from "../lib/decoded-ledger.ts";
import { eventRows, ledgerRow } from "../lib/rows.ts";
import type { TtpEvent } from "../ttp/event.ts";

export type EventFormat = "json" | "ndjson" | "arrow";

export const MEDIA_TYPES: Record<EventFormat, string> = {
  json: "application/json",
  ndjson: "application/x-ndjson",
  arrow: "application/vnd.apache.arrow.stream",
};

const ACCEPTED: Record<string, EventFormat> = {
  "application/json": "json",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "application/vnd.apache.arrow.stream": "arrow",
  "application/*": "json",
  "*/*": "json",
};

/** The format to answer in, or null when the client accepts none of them. */
export function negotiateFormat(accept: string | null, format: string | null): EventFormat | null {
  if (format !== null) return format in MEDIA_TYPES ? (format as EventFormat) : null;
  if (accept === null || accept.trim() === "") return "json";
  const ranges = accept
    .split(",")
    .map((part, order) => {
      const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith("q="));
      return { type: type ?? "", q: q ? Number(q.slice(2)) : 1, order };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const range of ranges) if (ACCEPTED[range.type]) return ACCEPTED[range.type]!;
  return null;
}

export function notAcceptable(accept: string | null): Response {
  const offered = Object.values(MEDIA_TYPES).join(", ");
  return Response.json({ error: `cannot answer in any type of Accept: ${accept}; this route offers ${offered} (or ?format=json|ndjson|arrow)` }, { status: 406 });
}

export function formatEvents(format: EventFormat, ledgers: readonly DecodedLedger[], headers: HeadersInit): Response {
  const type = { "content-type": MEDIA_TYPES[format] };
  if (format === "json") {
    const body = { ledgers: ledgers.map((l) => ledgerRow(l.summary)), events: ledgers.flatMap((l) => eventRows(l.events)) };
    return new Response(JSON.stringify(body), { headers: { ...headers, ...type, "content-type": "application/json; charset=utf-8" } });
  }
  if (format === "ndjson") {
    let text = "";
    for (const ledger of ledgers) for (const row of eventRows(ledger.events)) text += `${JSON.stringify(row)}\n`;
    return new Response(text, { headers: { ...headers, ...type } });
  }
  const events: TtpEvent[] = ledgers.flatMap((l) => l.events);
  return new Response(tableToIPC(new Table([ttpEventBatch(events)]), "stream") as Uint8Array<ArrayBuffer>, { headers: { ...headers, ...type } });
}
