// The decoded ledgers as the protobuf messages of LedgerEventsService (stellarflow.v1).
import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { GetLedgerEventsResponseSchema, type GetLedgerEventsResponse } from "../gen/stellarflow/v1/ledger_events_service_pb.ts";
import { LedgerSummarySchema } from "../gen/stellarflow/v1/ledger_pb.ts";
import { EventType, MuxedInfoSchema, TtpEventSchema } from "../gen/stellarflow/v1/ttp_event_pb.ts";
import type { DecodedLedger } from "../lib/decoded-ledger.ts";
import { fromHex } from "../stellar/hash.ts";
import type { TtpEvent, TtpEventType } from "../ttp/event.ts";

const EVENT_TYPES: Record<TtpEventType, EventType> = {
  transfer: EventType.TRANSFER,
  mint: EventType.MINT,
  burn: EventType.BURN,
  clawback: EventType.CLAWBACK,
  fee: EventType.FEE,
};

function timestamp(epochSeconds: number): Timestamp {
  return create(TimestampSchema, { seconds: BigInt(epochSeconds), nanos: 0 });
}

function muxedInfo(event: TtpEvent) {
  if (event.toMuxedType === null || event.toMuxedValue === null) return undefined;
  const value =
    event.toMuxedType === "id"
      ? ({ case: "id", value: BigInt(event.toMuxedValue) } as const)
      : event.toMuxedType === "text"
        ? ({ case: "text", value: event.toMuxedValue } as const)
        : ({ case: "hash", value: fromHex(event.toMuxedValue) } as const);
  return create(MuxedInfoSchema, { value });
}

function eventMessage(event: TtpEvent, eventIndex: number) {
  const toMuxed = muxedInfo(event);
  return create(TtpEventSchema, {
    ledgerSequence: event.ledgerSequence,
    closedAt: timestamp(event.closedAt),
    txHash: event.txHash,
    transactionIndex: event.transactionIndex,
    ...(event.operationIndex !== null ? { operationIndex: event.operationIndex } : {}),
    eventIndex,
    eventType: EVENT_TYPES[event.eventType],
    ...(event.from !== null ? { fromAddress: event.from } : {}),
    ...(event.to !== null ? { toAddress: event.to } : {}),
    ...(event.asset !== null ? { asset: event.asset } : {}),
    amount: event.amount.toString(),
    contractAddress: event.contractAddress,
    ...(toMuxed ? { toMuxed } : {}),
  });
}

export function ledgerEventsResponse(ledgers: readonly DecodedLedger[]): GetLedgerEventsResponse {
  return create(GetLedgerEventsResponseSchema, {
    ledgers: ledgers.map(({ summary }) =>
      create(LedgerSummarySchema, {
        sequence: summary.sequence,
        hash: summary.hash,
        previousHash: summary.previousHash,
        closedAt: timestamp(summary.closedAt),
        protocolVersion: summary.protocolVersion,
        successfulTxCount: summary.successfulTxCount,
        failedTxCount: summary.failedTxCount,
        operationCount: summary.operationCount,
        eventCount: summary.eventCount,
      }),
    ),
    events: ledgers.flatMap((ledger) => ledger.events.map(eventMessage)),
  });
}
