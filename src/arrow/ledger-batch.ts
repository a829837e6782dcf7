// Ledgers as the source hands them on: header fields plus the raw LedgerCloseMeta XDR, declared as
// a table (Arrow only: no DuckDB table or protobuf message holds them).
import type { RecordBatch } from "apache-arrow";
import { BINARY, tableBatch, tableOf, TIMESTAMP, UINT32, UTF8 } from "./table.ts";

export interface RawLedger {
  readonly sequence: number;
  readonly hash: string;
  readonly previousHash: string;
  /** Seconds since the Unix epoch. */
  readonly closedAt: number;
  readonly protocolVersion: number;
  /** The ledger's LedgerCloseMeta XDR. */
  readonly xdr: Uint8Array;
  /** Where the ledger was read from (object key, file, URL), for error messages downstream. */
  readonly location?: string | null;
}

const t = tableOf<RawLedger>();

export const RAW_LEDGERS = t.define({
  name: "raw_ledgers",
  columns: [
    t.column("sequence", UINT32, { nullable: false, of: (l) => l.sequence }),
    t.column("hash", UTF8, { nullable: false, of: (l) => l.hash }),
    t.column("previous_hash", UTF8, { nullable: false, of: (l) => l.previousHash }),
    t.column("closed_at", TIMESTAMP, { nullable: false, of: (l) => l.closedAt }),
    t.column("protocol_version", UINT32, { nullable: false, of: (l) => l.protocolVersion }),
    t.column("xdr", BINARY, { nullable: false, of: (l) => l.xdr }),
    t.column("location", UTF8, { nullable: true, of: (l) => l.location ?? null }),
  ],
});

export const rawLedgerSchema = RAW_LEDGERS.schema;

export function rawLedgerBatch(ledgers: readonly RawLedger[]): RecordBatch {
  return tableBatch(RAW_LEDGERS, ledgers);
}

export function* rawLedgersOf(batch: RecordBatch): Generator<RawLedger> {
  const sequence = batch.getChild("sequence")!;
  const hash = batch.getChild("hash")!;
  const previousHash = batch.getChild("previous_hash")!;
  const closedAt = batch.getChild("closed_at")!;
  const protocolVersion = batch.getChild("protocol_version")!;
  const xdr = batch.getChild("xdr")!;
  const location = batch.getChild("location");
  for (let i = 0; i < batch.numRows; i++) {
    yield {
      sequence: sequence.get(i) as number,
      hash: hash.get(i) as string,
      previousHash: previousHash.get(i) as string,
      closedAt: Number(closedAt.get(i)) / 1000,
      protocolVersion: protocolVersion.get(i) as number,
      xdr: xdr.get(i) as Uint8Array,
      location: (location?.get(i) as string | null | undefined) ?? null,
    };
  }
}

/** Bytes of LedgerCloseMeta XDR in a raw-ledger batch. */
export function xdrBytesOf(batch: RecordBatch): number {
  let bytes = 0;
  for (const data of batch.getChild("xdr")?.data ?? []) bytes += (data.valueOffsets?.[data.length] ?? 0) - (data.valueOffsets?.[0] ?? 0);
  return bytes;
}

/** The sequence of a raw-ledger batch's last ledger (0 for an empty batch). */
export function lastSequenceOf(batch: RecordBatch): number {
  return (batch.getChild("sequence")?.get(batch.numRows - 1) as number | undefined) ?? 0;
}
