// SEP-54 object keys: which object holds a ledger. Galexie's rule (stellar/go support/datastore):
// a batch starts at seq - seq % ledgersPerBatch; a partition holds batchesPerPartition batches and
// starts at seq - seq % (ledgersPerBatch * batchesPerPartition). Names carry 0xFFFFFFFF - start in
// uppercase hex so a lexicographic listing shows the newest ledgers first.
import type { DataLakeConfig } from "./config.ts";

export const LEDGER_OBJECT_EXTENSION = ".xdr.zst";
/** Older lakes name their objects `.xdr.zstd`; readers accept both. */
export const LEGACY_LEDGER_OBJECT_EXTENSION = ".xdr.zstd";

/** Inclusive ledger span. */
export interface LedgerSpan {
  readonly start: number;
  readonly end: number;
}

type KeyConfig = Pick<DataLakeConfig, "ledgersPerBatch" | "batchesPerPartition">;

function checkSequence(sequence: number): void {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffffffff) throw new RangeError(`invalid ledger sequence ${sequence}`);
}

function spanOf(sequence: number, size: number): LedgerSpan {
  const start = sequence - (sequence % size);
  return { start, end: start + size - 1 };
}

/** The ledgers of the batch object holding `sequence` (a lake's first object may start later, e.g. at 2). */
export function batchSpan(sequence: number, config: Pick<DataLakeConfig, "ledgersPerBatch">): LedgerSpan {
  checkSequence(sequence);
  return spanOf(sequence, config.ledgersPerBatch);
}

/** The ledgers of the partition holding `sequence`. */
export function partitionSpan(sequence: number, config: KeyConfig): LedgerSpan {
  checkSequence(sequence);
  return spanOf(sequence, config.ledgersPerBatch * config.batchesPerPartition);
}

function name(span: LedgerSpan): string {
  const prefix = (0xffffffff - span.start).toString(16).toUpperCase().padStart(8, "0");
  return span.start === span.end ? `${prefix}--${span.start}` : `${prefix}--${span.start}-${span.end}`;
}

/**
 * Key of the object holding `sequence`, e.g. `FE2A45FF--30784000-30847999/FE29B180--30822015.xdr.zst`.
 * The partition folder is omitted when batchesPerPartition is 1.
 */
export function ledgerObjectKey(sequence: number, config: KeyConfig, extension: string = LEDGER_OBJECT_EXTENSION): string {
  const file = name(batchSpan(sequence, config)) + extension;
  if (config.batchesPerPartition === 1) return file;
  return `${name(partitionSpan(sequence, config))}/${file}`;
}
