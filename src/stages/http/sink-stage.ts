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
import { CommitGroup, DEFAULT_GROUP_COMMIT, type GroupCommitPolicy } from "../commit-group.ts";
import { pause } from "../../timing/abortable-sleep.ts";
import { EVENTS_PATH } from "./processor-stage.ts";
import { LedgerContinuity } from "../../sink/ledger-continuity.ts";

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
  if (options.startOver) await sink.startOver(options.startOver.at);
  const point = await sink.resumePoint();
  if (point.startPending) options.log(`sink: starting ${point.next === null ? "at the upstream's first ledger" : `at ledger ${point.next}`}, as asked (--start)`);
  else if (point.cursor !== null) options.log(`sink: resuming after ledger ${point.cursor}, the last one committed`);
  const continuity = new LedgerContinuity(point, {
    sink: sink.description,
    hint: (expected, arrived) =>
      (arrived > expected
        ? `To fill the gap, serve ledgers from ${expected} (bun run source --start ${expected}, or without --start); to start this database over at ${arrived} on purpose, `
        : `Serve ledgers from ${expected} (bun run source --start ${expected}, or without --start); to write ledgers from ${arrived} on again, `) +
      `run the sink with --start ${arrived} (bun run pipeline --processes passes its --start on).`,
  });
  const done = new AbortController();
  const forward = () => done.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  options.signal?.addEventListener("abort", forward, { once: true });
  const batches = readUpstream({
    upstream: options.upstream,
    path: EVENTS_PATH,
    from: { start: point.next, previousHash: point.previousHash },
    decode: (frame) => {
      const batch = eventsOfFrame(frame);
      const hashes = batch.ledgers.getChild("hash");
      return { item: batch, next: { start: batch.lastLedger + 1, previousHash: (hashes?.get(batch.ledgers.numRows - 1) as string | undefined) ?? null } };
    },
    policy: options.reconnect,
    signal: done.signal,
    log: options.log,
  });
  let started = performance.now();
  let received = 0;
  let ledgers = 0;
  let events = 0;
  // batches wait in memory until they hold enough ledgers or rows, or the oldest has waited long
  // enough, then commit in one transaction with the cursor (a crash loses only what a restart reads again)
  const group = new CommitGroup(
    sink,
    options.groupCommit ?? DEFAULT_GROUP_COMMIT,
    async (step) => {
      try {
        await step();
      } catch (error) {
        component.metrics.add("write_errors_total", 1);
        throw error;
      }
    },
    (batch) => {
      ledgers += batch.ledgers.numRows;
      events += batch.events.numRows;
      component.status = "running";
      component.metrics.add("ledgers_processed_total", batch.ledgers.numRows);
      component.metrics.add("batches_committed_total", 1);
      component.metrics.add("rows_written_total", batch.ledgers.numRows + batch.events.numRows);
      component.metrics.add("events_written_total", batch.events.numRows);
      component.metrics.processed(batch.lastLedger, batch.ledgers.numRows, batch.events.numRows);
      options.onCommitted?.(batch);
    },
  );
  const iterator = batches[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<ProcessedBatch & { rangeEnd: number | null }, unknown>> | null = null;
  try {
    for (;;) {
      next ??= iterator.next();
      const result = group.hasPending ? await raceTimer(next, group.msLeft()) : await next;
      if (result === TIMED_OUT) {
        await group.flush(); // the oldest waited long enough; the read goes on
        continue;
      }
      next = null;
      if (result.done) break;
      const batch = result.value;
      if (received === 0) started = performance.now();
      received += batch.ledgers.numRows;
      if (batch.rangeEnd !== null) component.metrics.setTarget(batch.rangeEnd);
      if (batch.ledgers.numRows > 0) {
        continuity.check(batch.ledgers); // a refused batch ends the run; the finally commits what came before
        if (group.add(batch)) await group.flush();
      }
      if (options.maxLedgersPerSecond) {
        const due = (received * 1000) / options.maxLedgersPerSecond - (performance.now() - started);
        if (due > 0) await pause(due, options.signal);
      }
    }
  } finally {
    // what arrived before the end, a failure upstream or an interruption is committed
    await group.flush();
    next?.catch(() => undefined); // a read still in flight ends with the abort below
    done.abort(); // closes the upstream connection if a read is still in flight
    options.signal?.removeEventListener("abort", forward);
  }
  return { ledgers, events, cursor: (await sink.cursor())?.sequence ?? null, elapsedMs: performance.now() - started };
}

const TIMED_OUT = Symbol("timed out");

/** The promise's value, or TIMED_OUT after `ms` (the promise is left running). */
async function raceTimer<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
