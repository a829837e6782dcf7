// scripts/clients/ledger-events.ts: ledger 30822015's events from the edge API's LedgerEventsService
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { LedgerEventsService } from "../../src/gen/stellarflow/v1/ledger_events_service_pb.ts";
import { EventType } from "../../src/gen/stellarflow/v1/ttp_event_pb.ts";

const token = process.env.STELLAR_FLOW_API_TOKEN;
const transport = createConnectTransport({
  baseUrl: process.env.EDGE_URL ?? "http://127.0.0.1:8787",
  interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
});
const answer = await createClient(LedgerEventsService, transport).getLedgerEvents({ startLedger: 30822015, endLedger: 30822015 });
for (const ledger of answer.ledgers) console.log(`ledger ${ledger.sequence}: ${ledger.eventCount} events, hash ${ledger.hash}`);
const byType = new Map<string, number>();
for (const e of answer.events) byType.set(EventType[e.eventType], (byType.get(EventType[e.eventType]) ?? 0) + 1);
console.log([...byType].map(([type, n]) => `${type} ${n}`).join(", "));
