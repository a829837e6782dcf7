// The sink as a process: reads processed batches from its upstream processor, starting after its
// committed cursor, and commits them (a group at a time) in one transaction with the cursor. After a restart (its own,
// or its upstream's) it asks again from cursor + 1, so nothing is lost or committed twice. Whatever the
// upstream sends must continue the chain from there (ledger-continuity.ts): an upstream that starts
// later (a source with its own --start) is refused unless the operator asked the sink to start over.
import type { ProcessedBatch } from "../../arrow/processed-batch.ts";
import type { LedgerSink } from "../../sink/ledger-sink.ts";
import { eventsOfFrame } from "./batch-frames.ts";
import { readUpstream, type ReconnectPolicy } from "./stream-client.ts";
import type { Upstream } from "./upstream.ts";
import type { Component } from "../../component/component.ts";
import { sinkMeter } from "../../component/stage-meters.ts";
import { resumeContinuity } from "../../sink/ledger-continuity.ts";
import { DEFAULT_GROUP_COMMIT, type GroupCommitPolicy } from "../commit-group.ts";
import { commitLedgers } from "../sink-loop.ts";
import { EVENTS_PATH } from "./processor-stage.ts";

export interface SinkIngestOptions {
  readonly sink: LedgerSink;
  readonly upstream: Upstream;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** Paces commits (a deliberately slow sink). */
  readonly maxLedgersPerSecond?: number | null;
  readonly signal?: AbortSignal;
  readonly log: (message: string) => void;
  /** Several batches per transaction (default: the pipeline's, 64 ledgers, 32,768 rows or 1 s). */
  readonly groupCommit?: GroupCommitPolicy;
  /** Called after each commit (e.g. to wake the sink's live event streams); must not throw. */
  readonly onCommitted?: (batch: ProcessedBatch) => void;
  /**
   * The operator asked the sink to start over (`bun run sink --start N`; `at` null for --start
   * latest[-N]: at whatever ledger the upstream begins with). Recorded before anything is read.
   */
  readonly startOver?: { readonly at: number | null } | null;
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
  const { point, continuity } = await resumeContinuity(sink, options.startOver ?? null, {
    sink: sink.description,
    hint: (expected, arrived) =>
      (arrived > expected
        ? `To fill the gap, serve ledgers from ${expected} (bun run source --start ${expected}, or without --start); to start this database over at ${arrived} on purpose, `
        : `Serve ledgers from ${expected} (bun run source --start ${expected}, or without --start); to write ledgers from ${arrived} on again, `) +
      `run the sink with --start ${arrived} (bun run pipeline --processes passes its --start on).`,
  });
  if (point.startPending) options.log(`sink: starting ${point.next === null ? "at the upstream's first ledger" : `at ledger ${point.next}`}, as asked (--start)`);
  else if (point.cursor !== null) options.log(`sink: resuming after ledger ${point.cursor}, the last one committed`);
  // ends the upstream read with the run, or once the sink loop gave up on it
  const done = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, done.signal]) : done.signal;
  const frames = readUpstream({
    upstream: options.upstream,
    path: EVENTS_PATH,
    from: { start: point.next, previousHash: point.previousHash },
    decode: (frame) => {
      const batch = eventsOfFrame(frame);
      const hashes = batch.ledgers.getChild("hash");
      return { item: batch, next: { start: batch.lastLedger + 1, previousHash: (hashes?.get(batch.ledgers.numRows - 1) as string | undefined) ?? null } };
    },
    policy: options.reconnect,
    signal,
    log: options.log,
  });
  let started = performance.now();
  let received = false;
  let ledgers = 0;
  let events = 0;
  const meter = sinkMeter(component);
  try {
    await commitLedgers(frames, {
      sink,
      continuity,
      groupCommit: options.groupCommit ?? DEFAULT_GROUP_COMMIT,
      maxLedgersPerSecond: options.maxLedgersPerSecond,
      signal: options.signal,
      meter: {
        failed: meter.failed,
        transaction: meter.transaction,
        committed(batch) {
          meter.committed?.(batch);
          ledgers += batch.ledgers.numRows;
          events += batch.events.numRows;
          options.onCommitted?.(batch);
        },
      },
      accepted(batch) {
        if (!received) started = performance.now();
        received = true;
        if (batch.rangeEnd !== null) component.metrics.setTarget(batch.rangeEnd);
      },
    });
  } finally {
    done.abort(); // closes the upstream connection if a read is still in flight
  }
  return { ledgers, events, cursor: (await sink.cursor())?.sequence ?? null, elapsedMs: performance.now() - started };
}
