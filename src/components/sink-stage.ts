// The sink as a process: reads processed batches from its upstream processor, starting after its
// committed cursor, and commits each in one transaction with the cursor. After a restart (its own,
// or its upstream's) it asks again from cursor + 1, so nothing is lost or committed twice.
import type { ProcessedBatch } from "../arrow/processed-batch.ts";
import { committedLedgerHash } from "../cli/plan-range.ts";
import type { DuckDbSink } from "../sink/duckdb/duckdb-sink.ts";
import { eventsOfFrame } from "../stream/batch-frames.ts";
import { readUpstream, type ReconnectPolicy } from "../stream/stream-client.ts";
import type { Upstream } from "../stream/upstream.ts";
import type { Component } from "./component.ts";
import { pause } from "./pace.ts";
import { EVENTS_PATH } from "./processor-stage.ts";

export interface SinkIngestOptions {
  readonly sink: DuckDbSink;
  readonly upstream: Upstream;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** Paces commits (a deliberately slow sink). */
  readonly maxLedgersPerSecond?: number | null;
  readonly signal?: AbortSignal;
  readonly log: (message: string) => void;
  /** Called after each commit (e.g. to wake the sink's live event streams); must not throw. */
  readonly onCommitted?: (batch: ProcessedBatch) => void;
}

export interface SinkIngestSummary {
  readonly ledgers: number;
  readonly events: number;
  readonly cursor: number | null;
  /** From the first batch received to the last one committed. */
  readonly elapsedMs: number;
}

/** Ingests until the upstream's end of range; throws on the upstream's failure or a failed commit. */
export async function ingest(component: Component, options: SinkIngestOptions): Promise<SinkIngestSummary> {
  const { sink } = options;
  const cursor = await sink.cursor();
  const previousHash = cursor === null ? null : await committedLedgerHash(sink, cursor);
  if (cursor !== null) options.log(`sink: resuming after ledger ${cursor}, the last one committed`);
  const batches = readUpstream({
    upstream: options.upstream,
    path: EVENTS_PATH,
    from: { start: cursor === null ? null : cursor + 1, previousHash },
    decode: (frame) => {
      const batch = eventsOfFrame(frame);
      const hashes = batch.ledgers.getChild("hash");
      return { item: batch, next: { start: batch.lastLedger + 1, previousHash: (hashes?.get(batch.ledgers.numRows - 1) as string | undefined) ?? null } };
    },
    policy: options.reconnect,
    signal: options.signal,
    log: options.log,
  });
  let started = performance.now();
  let first = true;
  let ledgers = 0;
  let events = 0;
  for await (const batch of batches) {
    if (first) {
      started = performance.now();
      first = false;
    }
    try {
      await sink.write(batch satisfies ProcessedBatch);
    } catch (error) {
      component.metrics.add("write_errors_total", 1);
      throw error;
    }
    ledgers += batch.ledgers.numRows;
    events += batch.events.numRows;
    component.status = "running";
    if (batch.rangeEnd !== null) component.metrics.setTarget(batch.rangeEnd);
    component.metrics.add("ledgers_processed_total", batch.ledgers.numRows);
    component.metrics.add("batches_committed_total", 1);
    component.metrics.add("rows_written_total", batch.ledgers.numRows + batch.events.numRows);
    component.metrics.add("events_written_total", batch.events.numRows);
    component.metrics.processed(batch.lastLedger, batch.ledgers.numRows, batch.events.numRows);
    options.onCommitted?.(batch);
    if (options.maxLedgersPerSecond) {
      const due = (ledgers * 1000) / options.maxLedgersPerSecond - (performance.now() - started);
      if (due > 0) await pause(due, options.signal);
    }
  }
  return { ledgers, events, cursor: await sink.cursor(), elapsedMs: performance.now() - started };
}
