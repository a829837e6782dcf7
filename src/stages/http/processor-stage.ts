// The processor as a process: GET /v1/events?start=N[&previous_hash=H] reads raw ledgers from its
// upstream source (same start), turns each batch into `ledgers` and `ttp_events` rows and streams
// them on as frames. It keeps no state of its own: the downstream's cursor decides where to start.
import type { RecordBatch } from "apache-arrow";
import type { Hono } from "hono";
import { rawLedgerSchema } from "../../arrow/ledger-batch.ts";
import { exemptFromIdleTimeout } from "../../http/serve-app.ts";
import { SERVER_LIMIT_DEFAULTS } from "../../http/server-limits.ts";
import { StreamSlots } from "../../http/stream-slots.ts";
import type { LedgerSource } from "../../source/ledger-source.ts";
import { endFrame, errorFrame, eventsFrame, ledgersOfFrame } from "./batch-frames.ts";
import { readUpstream, UpstreamError, type ReconnectPolicy, type StreamEnd } from "./stream-client.ts";
import { frameResponse } from "./stream-response.ts";
import type { Upstream } from "./upstream.ts";
import type { BatchProcessor } from "../../processor/batch-processor.ts";
import type { Component } from "../../component/component.ts";
import { LEDGERS_PATH } from "./source-stage.ts";

export const EVENTS_PATH = "/v1/events";

export interface ProcessorStageOptions {
  readonly upstream: Upstream;
  /** The processor for a network (made on the first batch, when the source has said which network). */
  readonly processorFor: (networkPassphrase: string) => { processor: BatchProcessor; readAhead?: (source: LedgerSource) => LedgerSource };
  readonly maxInflight: number;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** Streams served at once, at most (each holds an upstream connection and batches in flight); one more answers 503. */
  readonly maxStreams?: number;
  readonly log: (message: string) => void;
}

const LEDGER = /^\d{1,10}$/;
const HASH = /^[0-9a-f]{64}$/;

export function mountProcessorStage(app: Hono, component: Component, options: ProcessorStageOptions): void {
  const slots = new StreamSlots(options.maxStreams ?? SERVER_LIMIT_DEFAULTS.maxDataStreams, "data streams");
  app.get(EVENTS_PATH, (c) => {
    const startParam = c.req.query("start");
    const previousHash = c.req.query("previous_hash");
    if (startParam !== undefined && !LEDGER.test(startParam)) return c.json({ error: `start must be a ledger sequence, got "${startParam}"` }, 400);
    if (previousHash !== undefined && !HASH.test(previousHash)) return c.json({ error: "previous_hash must be 64 lowercase hex digits" }, 400);
    const slot = slots.tryAcquire();
    if (!slot) return c.json({ error: slots.refusal() }, 503, { "retry-after": "1" });
    const release: () => void = slot;
    // the request has arrived whole (a GET): the stream may now stay quiet while its upstream or downstream is slow
    exemptFromIdleTimeout(c.env, c.req.raw);
    const signal = c.req.raw.signal;
    let network = "";
    let rangeEnd: number | null = null;
    let end: StreamEnd | null = null;
    const raw = readUpstream({
      upstream: options.upstream,
      path: LEDGERS_PATH,
      from: { start: startParam === undefined ? null : Number(startParam), previousHash: previousHash ?? null },
      decode: (frame) => {
        const { header, batch } = ledgersOfFrame(frame, rawLedgerSchema);
        network = header.network;
        rangeEnd = header.rangeEnd;
        return { item: batch, next: { start: header.lastLedger + 1, previousHash: header.lastHash } };
      },
      policy: options.reconnect,
      signal,
      log: options.log,
    });

    async function* frames(): AsyncGenerator<Uint8Array> {
      try {
        yield* stream();
      } finally {
        release();
      }
    }
    async function* stream(): AsyncGenerator<Uint8Array> {
      // the first batch says which network the ledgers are of
      let first: IteratorResult<RecordBatch, StreamEnd>;
      try {
        first = await raw.next();
      } catch (error) {
        yield* failure(error);
        return;
      }
      if (first.done) {
        yield endFrame(first.value.lastLedger);
        return;
      }
      let made: ReturnType<ProcessorStageOptions["processorFor"]>;
      try {
        made = options.processorFor(network);
      } catch (error) {
        await raw.return(undefined as never);
        yield errorFrame("processor", (error as Error).message); // e.g. ledgers of another --network
        return;
      }
      const { processor, readAhead } = made;
      const upstreamSource: LedgerSource = {
        description: options.upstream.describe(),
        networkPassphrase: network,
        batches: () =>
          (async function* () {
            try {
              yield first.value;
              for (;;) {
                const next = await raw.next();
                if (next.done) {
                  end = next.value;
                  return;
                }
                yield next.value;
              }
            } finally {
              await raw.return(undefined as never); // the downstream went away: close the upstream connection
            }
          })(),
      };
      const source = readAhead ? readAhead(upstreamSource) : upstreamSource;
      try {
        for await (const batch of source.batches({ start: 0, end: 0 }, { signal })) {
          const processed = await processor.process(batch);
          const ledgers = processed.ledgers.numRows;
          component.status = "running";
          component.metrics.add("ledgers_processed_total", ledgers);
          component.metrics.add("transactions_processed_total", processed.stats.transactions);
          component.metrics.add("operations_processed_total", processed.stats.operations);
          component.metrics.add("events_extracted_total", processed.events.numRows);
          component.metrics.add("events_filtered_total", processed.stats.eventsFiltered);
          if (rangeEnd !== null) component.metrics.setTarget(rangeEnd);
          if (ledgers > 0) {
            component.metrics.processed(processed.lastLedger, ledgers, processed.events.numRows);
            yield eventsFrame(processed, rangeEnd);
          }
          if (processed.failure) {
            component.metrics.add("processing_errors_total", 1);
            options.log(`processor: ${processed.failure.message}`);
            yield errorFrame("processor", processed.failure.message);
            return;
          }
        }
      } catch (error) {
        yield* failure(error);
        return;
      }
      yield endFrame((end as StreamEnd | null)?.lastLedger ?? 0);
    }

    /** The upstream's own failure goes downstream; losing the upstream cuts the stream (the downstream reconnects). */
    async function* failure(error: unknown): AsyncGenerator<Uint8Array> {
      if (signal.aborted) return;
      if (error instanceof UpstreamError && error.permanent) {
        yield errorFrame("processor", error.message);
        return;
      }
      options.log(`processor: ${(error as Error).message}`);
      throw error;
    }

    return frameResponse(frames(), { maxInflight: options.maxInflight, onCancel: release });
  });
}
