// scripts/clients/events.ts: the fee events of ledgers 30822015-30822016 from the sink's EventService
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { EventType } from "../../src/gen/stellarflow/v1/ttp_event_pb.ts";

const token = process.env.STELLAR_FLOW_API_TOKEN;
const transport = createConnectTransport({
  baseUrl: process.env.SINK_URL ?? "http://127.0.0.1:8090",
  interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
});
// filters take enum values (EventType.FEE), not strings; without end_ledger the stream goes on live
const stream = createClient(EventService, transport).streamEvents({ startLedger: 30822015, endLedger: 30822016, eventTypes: [EventType.FEE] });
for await (const page of stream) {
  for (const e of page.events) console.log(e.ledgerSequence, e.txHash.slice(0, 8), EventType[e.eventType], e.fromAddress ?? "-", e.amount);
  console.log(`through ledger ${page.throughLedger}`);
}
