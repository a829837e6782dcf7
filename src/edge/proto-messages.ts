// The decoded ledgers as the protobuf messages of LedgerEventsService (stellarflow.v1).
import { create } from "@bufbuild/protobuf";
import { GetLedgerEventsResponseSchema, type GetLedgerEventsResponse } from "../gen/stellarflow/v1/ledger_events_service_pb.ts";
import type { DecodedLedger } from "../lib/decoded-ledger.ts";
import { ledgerSummaryMessage, ttpEventMessage } from "../lib/row-messages.ts";
import { eventRows, ledgerRow } from "../lib/rows.ts";

export function ledgerEventsResponse(ledgers: readonly DecodedLedger[]): GetLedgerEventsResponse {
  return create(GetLedgerEventsResponseSchema, {
    ledgers: ledgers.map(({ summary }) => ledgerSummaryMessage(ledgerRow(summary))),
    events: ledgers.flatMap((ledger) => eventRows(ledger.events).map(ttpEventMessage)),
  });
}
