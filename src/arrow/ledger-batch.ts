// Arrow form of ledgers as the source hands them on: header fields plus the raw LedgerCloseMeta XDR.
import { Field, Schema, type RecordBatch, Binary, TimestampMicrosecond, Uint32, Utf8 } from "apache-arrow";
import { recordBatchOf, binaryColumn, timestampColumn, uint32Column, utf8Column } from "./columns.ts";

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

export const rawLedgerSchema = new Schema([
  new Field("sequence", new Uint32(), false),
  new Field("hash", new Utf8(), false),
  new Field("previous_hash", new Utf8(), false),
  new Field("closed_at", new TimestampMicrosecond("UTC"), false),
  new Field("protocol_version", new Uint32(), false),
  new Field("xdr", new Binary(), false),
  new Field("location", new Utf8(), true),
]);

export function rawLedgerBatch(ledgers: readonly RawLedger[]): RecordBatch {
  const children = [
    uint32Column(ledgers.map((l) => l.sequence)),
    utf8Column(ledgers.map((l) => l.hash)),
    utf8Column(ledgers.map((l) => l.previousHash)),
    timestampColumn(ledgers.map((l) => l.closedAt)),
    uint32Column(ledgers.map((l) => l.protocolVersion)),
    binaryColumn(ledgers.map((l) => l.xdr)),
    utf8Column(ledgers.map((l) => l.location ?? null)),
  ];
  return recordBatchOf(rawLedgerSchema, ledgers.length, children);
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
