// Record batches as frames: Arrow IPC streams (one record batch each) behind a small JSON header.
import { type RecordBatch, Table, tableFromIPC, tableToIPC, type Schema } from "apache-arrow";
import { ttpEventBatch } from "../../arrow/event-batch.ts";
import { ledgerSummaryBatch } from "../../arrow/ledger-summary-batch.ts";
import type { ProcessedBatch, ProcessedStats } from "../../arrow/processed-batch.ts";
import { encodeFrame, FrameError, jsonPart, partJson, type Frame } from "./frames.ts";

/** Header of a raw-ledger frame from the source. */
export interface LedgersHeader {
  readonly firstLedger: number;
  readonly lastLedger: number;
  /** Hash of the last ledger (the next request's previous_hash). */
  readonly lastHash: string;
  /** The source's network passphrase. */
  readonly network: string;
  /** Last ledger of the source's range; null: following the tip. */
  readonly rangeEnd: number | null;
}

/** Header of a processed frame from the processor. */
export interface EventsHeader {
  readonly firstLedger: number;
  readonly lastLedger: number;
  readonly stats: ProcessedStats;
  /** As the source said. */
  readonly rangeEnd: number | null;
}

/** Header of an "E" frame: the upstream served its whole range, through `lastLedger`. */
export interface EndHeader {
  readonly lastLedger: number;
}

/** Header of an "X" frame: the upstream stopped for good (bad ledger, processing failure). */
export interface ErrorHeader {
  readonly message: string;
  readonly stage: string;
}

export const ipcOf = (batch: RecordBatch): Uint8Array => tableToIPC(new Table(batch), "stream");

function batchOf(bytes: Uint8Array | undefined, empty: () => RecordBatch): RecordBatch {
  if (!bytes) throw new FrameError("a batch frame without its Arrow IPC stream");
  const table = tableFromIPC(bytes);
  if (table.batches.length > 1) throw new FrameError(`an Arrow IPC stream of ${table.batches.length} record batches, expected one`);
  return table.batches[0] ?? empty();
}

export function ledgersFrame(batch: RecordBatch, about: Pick<LedgersHeader, "network" | "rangeEnd">): Uint8Array {
  const sequence = batch.getChild("sequence");
  const header: LedgersHeader = {
    firstLedger: (sequence?.get(0) as number) ?? 0,
    lastLedger: (sequence?.get(batch.numRows - 1) as number) ?? 0,
    lastHash: (batch.getChild("hash")?.get(batch.numRows - 1) as string) ?? "",
    ...about,
  };
  return encodeFrame({ kind: "B", parts: [jsonPart(header), ipcOf(batch)] });
}

export function ledgersOfFrame(frame: Frame, schema: Schema): { header: LedgersHeader; batch: RecordBatch } {
  const header = partJson<LedgersHeader>(frame.parts[0]);
  const batch = batchOf(frame.parts[1], () => {
    throw new FrameError(`an empty raw-ledger batch (${schema.fields.length} columns) from the source`);
  });
  return { header, batch };
}

export function eventsFrame(batch: ProcessedBatch & { readonly stats: ProcessedStats }, rangeEnd: number | null): Uint8Array {
  // the processor's per-ledger timings are its own metrics: the sink needs only the counts
  const { decodeSeconds: _decode, extractSeconds: _extract, ...stats } = batch.stats;
  const header: EventsHeader = { firstLedger: batch.firstLedger, lastLedger: batch.lastLedger, stats, rangeEnd };
  return encodeFrame({ kind: "B", parts: [jsonPart(header), ipcOf(batch.ledgers), ipcOf(batch.events)] });
}

export function eventsOfFrame(frame: Frame): ProcessedBatch & { readonly stats: ProcessedStats; readonly rangeEnd: number | null } {
  const header = partJson<EventsHeader>(frame.parts[0]);
  return {
    rangeEnd: header.rangeEnd,
    firstLedger: header.firstLedger,
    lastLedger: header.lastLedger,
    stats: header.stats,
    ledgers: batchOf(frame.parts[1], () => ledgerSummaryBatch([])),
    events: batchOf(frame.parts[2], () => ttpEventBatch([])),
  };
}

export const endFrame = (lastLedger: number): Uint8Array => encodeFrame({ kind: "E", parts: [jsonPart({ lastLedger } satisfies EndHeader)] });
export const errorFrame = (stage: string, message: string): Uint8Array => encodeFrame({ kind: "X", parts: [jsonPart({ stage, message } satisfies ErrorHeader)] });
