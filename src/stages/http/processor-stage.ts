// The processor as a process: GET /v1/events?start=N[&previous_hash=H] reads raw ledgers from its
// upstream source (same start), turns each batch into `ledgers` and `ttp_events` rows and streams
// them on as frames. It keeps no state of its own: the downstream's cursor decides where to start.
import type { RecordBatch } from "apache-arrow";
import type { Hono } from "hono";
import { rawLedgerSchema } from "../../arrow/ledger-batch.ts";
import { SERVER_LIMIT_DEFAULTS } from "../../http/server-limits.ts";
import { StreamSlots } from "../../http/stream-slots.ts";
import type { LedgerSource } from "../../source/ledger-source.ts";
import { endFrame, errorFrame, eventsFrame, ledgersOfFrame } from "./batch-frames.ts";
import { readUpstream, UpstreamError, type ReconnectPolicy, type StreamEnd } from "./stream-client.ts";
import { acceptStreamRequest, frameStream } from "./stream-request.ts";
import type { Upstream } from "./upstream.ts";
import type { BatchProcessor } from "../../processor/batch-processor.ts";
import type { Component } from "../../component/component.ts";
import { processorMeter } from "../../component/stage-meters.ts";
import { messageOf } from "../../common/message-of.ts";
import { ProcessorError } from "../../processor/ttp-processor.ts";
import { processLedgers } from "../processor-loop.ts";
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

export function mountProcessorStage(app: Hono, component: Component, options: ProcessorStageOptions): void {
  const meter = processorMeter(component);
  const slots = new StreamSlots(options.maxStreams ?? SERVER_LIMIT_DEFAULTS.maxDataStreams, "data streams");
  slots.counts("events");
  component.metrics.registry.collect(() => slots.families("stellarflow_data_streams", "Arrow frame streams served to downstream stages"));
  app.get(EVENTS_PATH, (c) => {
    const request = acceptStreamRequest(c, slots, "events");
    if (request instanceof Response) return request;
    const signal = c.req.raw.signal;
    let network = "";
    let rangeEnd: number | null = null;
    let end: StreamEnd | null = null;
    const raw = readUpstream({
      upstream: options.upstream,
      path: LEDGERS_PATH,
      from: { start: request.start, previousHash: request.previousHash },
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
        yield errorFrame("processor", messageOf(error)); // e.g. ledgers of another --network
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
        for await (const processed of processLedgers(source.batches({ start: 0, end: 0 }, { signal }), processor, { meter, signal })) {
          if (rangeEnd !== null) component.metrics.setTarget(rangeEnd);
          if (processed.ledgers.numRows > 0) yield eventsFrame(processed, rangeEnd);
        }
      } catch (error) {
        if (error instanceof ProcessorError) {
          // a ledger that cannot be processed: the ledgers before it went downstream, it goes as the error
          options.log(`processor: ${error.message}`);
          yield errorFrame("processor", error.message);
          return;
        }
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
      options.log(`processor: ${messageOf(error)}`);
      throw error;
    }

    return frameStream(request, stream(), options.maxInflight);
  });
}
