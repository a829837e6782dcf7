// EventService.StreamEvents over Connect: the event stream as TtpEvent messages.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { StreamEventsResponseSchema, type EventService, type StreamEventsRequest } from "../../gen/stellarflow/v1/event_service_pb.ts";
import { EventType } from "../../gen/stellarflow/v1/ttp_event_pb.ts";
import type { CommitHub } from "./commit-hub.ts";
import { eventTypeName, ttpEventMessage } from "../../lib/row-messages.ts";
import type { EventFilter } from "./event-rows.ts";
import { streamEvents, type EventStreamOptions } from "./event-stream.ts";
import type { ServiceDatabase } from "./service-database.ts";
import { SERVER_LIMIT_DEFAULTS } from "../../http/server-limits.ts";
import { StreamSlots } from "../../http/stream-slots.ts";

/** The request as a filter; InvalidArgument naming the field when it makes no sense. */
export function filterOf(request: StreamEventsRequest, maxFilterValues = SERVER_LIMIT_DEFAULTS.maxFilterValues): EventFilter {
  if (request.endLedger !== 0 && request.endLedger < request.startLedger) {
    throw new ConnectError(`end_ledger ${request.endLedger} is before start_ledger ${request.startLedger}`, Code.InvalidArgument);
  }
  for (const [field, list] of [["accounts", request.accounts], ["assets", request.assets], ["event_types", request.eventTypes], ["contracts", request.contracts]] as const) {
    if (list.length > maxFilterValues) throw new ConnectError(`${field} holds ${list.length} values; at most ${maxFilterValues} are accepted`, Code.InvalidArgument);
  }
  for (const type of request.eventTypes) {
    if (type === EventType.UNSPECIFIED || EventType[type] === undefined) throw new ConnectError(`event_types: ${type} is not an event type`, Code.InvalidArgument);
  }
  return {
    startLedger: request.startLedger,
    endLedger: request.endLedger,
    accounts: request.accounts.map((a) => a.trim()).filter((a) => a !== ""),
    assets: request.assets.map((a) => a.trim()).filter((a) => a !== ""),
    eventTypes: request.eventTypes.map(eventTypeName),
    contracts: request.contracts.map((c) => c.trim()).filter((c) => c !== ""),
  };
}

export function eventService(
  db: ServiceDatabase,
  hub: CommitHub,
  options: EventStreamOptions = {},
  slots = new StreamSlots(),
  maxFilterValues = SERVER_LIMIT_DEFAULTS.maxFilterValues,
): ServiceImpl<typeof EventService> {
  return {
    async *streamEvents(request, context) {
      const filter = filterOf(request, maxFilterValues);
      const release = slots.tryAcquire("stream_events");
      if (!release) throw new ConnectError(slots.refusal(), Code.ResourceExhausted);
      try {
        for await (const page of streamEvents(db, hub, filter, context.signal, options)) {
          yield create(StreamEventsResponseSchema, { events: page.events.map(ttpEventMessage), throughLedger: Math.max(0, page.throughLedger) });
        }
      } finally {
        release();
      }
    },
  };
}
