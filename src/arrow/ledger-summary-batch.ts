// Arrow form of `ledgers` rows: one per processed ledger.
import { Field, Schema, type RecordBatch, TimestampMicrosecond, Uint32, Utf8 } from "apache-arrow";
import { recordBatchOf, timestampColumn, uint32Column, utf8Column } from "./columns.ts";

export interface LedgerSummary {
  readonly sequence: number;
  readonly hash: string;
  readonly previousHash: string;
  readonly closedAt: number;
  readonly protocolVersion: number;
  readonly successfulTxCount: number;
  readonly failedTxCount: number;
  readonly operationCount: number;
  readonly eventCount: number;
}

export const ledgerSummarySchema = new Schema([
  new Field("sequence", new Uint32(), false),
  new Field("hash", new Utf8(), false),
  new Field("previous_hash", new Utf8(), false),
  new Field("closed_at", new TimestampMicrosecond("UTC"), false),
  new Field("protocol_version", new Uint32(), false),
  new Field("successful_tx_count", new Uint32(), false),
  new Field("failed_tx_count", new Uint32(), false),
  new Field("operation_count", new Uint32(), false),
  new Field("event_count", new Uint32(), false),
]);

export function ledgerSummaryBatch(ledgers: readonly LedgerSummary[]): RecordBatch {
  const children = [
    uint32Column(ledgers.map((l) => l.sequence)),
    utf8Column(ledgers.map((l) => l.hash)),
    utf8Column(ledgers.map((l) => l.previousHash)),
    timestampColumn(ledgers.map((l) => l.closedAt)),
    uint32Column(ledgers.map((l) => l.protocolVersion)),
    uint32Column(ledgers.map((l) => l.successfulTxCount)),
    uint32Column(ledgers.map((l) => l.failedTxCount)),
    uint32Column(ledgers.map((l) => l.operationCount)),
    uint32Column(ledgers.map((l) => l.eventCount)),
  ];
  return recordBatchOf(ledgerSummarySchema, ledgers.length, children);
}
