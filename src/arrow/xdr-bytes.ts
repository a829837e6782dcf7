import type { RecordBatch } from "apache-arrow";

/** Bytes of XDR in a raw-ledger batch. */
export function xdrBytesOf(batch: RecordBatch): number {
  let bytes = 0;
  for (const data of batch.getChild("xdr")?.data ?? []) bytes += (data.valueOffsets?.[data.length] ?? 0) - (data.valueOffsets?.[0] ?? 0);
  return bytes;
}
