// The `ledgers` table, declared once: one row per processed ledger. Its Arrow schema and batches
// here; its DuckDB DDL, JSON rows and protobuf messages (stellarflow.v1.LedgerSummary) derived from it.
import type { RecordBatch } from "apache-arrow";
import { tableBatch, tableOf, TIMESTAMP, UINT32, UTF8, type JsonRow } from "./table.ts";

export interface LedgerSummary {
  readonly sequence: number;
  readonly hash: string;
  readonly previousHash: string;
  /** Seconds since the Unix epoch. */
  readonly closedAt: number;
  readonly protocolVersion: number;
  readonly successfulTxCount: number;
  readonly failedTxCount: number;
  readonly operationCount: number;
  readonly eventCount: number;
}

const t = tableOf<LedgerSummary>();

export const LEDGERS = t.define({
  name: "ledgers",
  protoMessage: "stellarflow.v1.LedgerSummary",
  primaryKey: ["sequence"],
  columns: [
    t.column("sequence", UINT32, { nullable: false, proto: "sequence", of: (l) => l.sequence }),
    t.column("hash", UTF8, { nullable: false, proto: "hash", of: (l) => l.hash }),
    t.column("previous_hash", UTF8, { nullable: false, proto: "previous_hash", of: (l) => l.previousHash }),
    t.column("closed_at", TIMESTAMP, { nullable: false, proto: "closed_at", of: (l) => l.closedAt }),
    t.column("protocol_version", UINT32, { nullable: false, proto: "protocol_version", of: (l) => l.protocolVersion }),
    t.column("successful_tx_count", UINT32, { nullable: false, proto: "successful_tx_count", of: (l) => l.successfulTxCount }),
    t.column("failed_tx_count", UINT32, { nullable: false, proto: "failed_tx_count", of: (l) => l.failedTxCount }),
    t.column("operation_count", UINT32, { nullable: false, proto: "operation_count", of: (l) => l.operationCount }),
    t.column("event_count", UINT32, { nullable: false, proto: "event_count", of: (l) => l.eventCount }),
  ],
});

export const ledgerSummarySchema = LEDGERS.schema;

/** A `ledgers` row as JSON (the edge API, the library). */
export type LedgerRow = JsonRow<typeof LEDGERS>;

export function ledgerSummaryBatch(ledgers: readonly LedgerSummary[]): RecordBatch {
  return tableBatch(LEDGERS, ledgers);
}
