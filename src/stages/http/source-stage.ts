// The source as a process: GET /v1/ledgers?start=N[&previous_hash=H] streams its raw-ledger record
// batches from ledger N (at least its own --start) to the end of its range as frames (./frames.ts).
import type { Hono } from "hono";
import { SERVER_LIMIT_DEFAULTS } from "../../http/server-limits.ts";
import { StreamSlots } from "../../http/stream-slots.ts";
import type { LedgerSource } from "../../source/ledger-source.ts";
import { endFrame, errorFrame, ledgersFrame } from "./batch-frames.ts";
import { acceptStreamRequest, frameStream } from "./stream-request.ts";
import type { Component } from "../../component/component.ts";
import { sourceMeter } from "../../component/stage-meters.ts";
import { messageOf } from "../../common/message-of.ts";
import { GarbagePacer } from "../../timing/garbage-pacer.ts";
import { readLedgers } from "../source-loop.ts";

export const LEDGERS_PATH = "/v1/ledgers";

export interface SourceStageOptions {
  readonly source: LedgerSource;
  /** First ledger served when the downstream asks for none (or an earlier one); null: whatever it asks. */
  readonly rangeStart: number | null;
  /** Ledgers to serve when neither the downstream nor --start says where to begin (the newest N). */
  readonly defaultStart: () => Promise<number>;
  /** Last ledger, inclusive; Infinity: follow the tip. */
  readonly rangeEnd: number;
  readonly maxInflight: number;
  readonly maxLedgersPerSecond: number | null;
  /** Streams served at once, at most (each reads the source ahead); one more answers 503. */
  readonly maxStreams?: number;
  readonly log: (message: string) => void;
}

/**
 * Each frame is the batch's XDR copied twice more (Arrow IPC, then the frame); with JSC left to
 * itself the source process grew to 360-415 MB over 3,000 standalone-p23 ledgers, with a
 * collection every 32 MB of frames to ~250 MB, at the same speed (its JS heap is small).
 */
const COLLECT_EVERY_FRAME_BYTES = 32 * 2 ** 20;

export function mountSourceStage(app: Hono, component: Component, options: SourceStageOptions): void {
  const meter = sourceMeter(component);
  const slots = new StreamSlots(options.maxStreams ?? SERVER_LIMIT_DEFAULTS.maxDataStreams, "data streams");
  slots.counts("ledgers");
  component.metrics.registry.collect(() => slots.families("stellarflow_data_streams", "Arrow frame streams served to downstream stages"));
  app.get(LEDGERS_PATH, async (c) => {
    const request = acceptStreamRequest(c, slots, "ledgers");
    if (request instanceof Response) return request;
    const { previousHash, start: asked } = request;
    let start: number;
    try {
      start = Math.max(asked ?? options.rangeStart ?? (await options.defaultStart()), options.rangeStart ?? 0);
    } catch (error) {
      request.release();
      return c.json({ error: `cannot find the newest ledger: ${messageOf(error)}` }, 503);
    }
    const rangeEnd = Number.isFinite(options.rangeEnd) ? options.rangeEnd : null;
    const signal = c.req.raw.signal;
    const about = { network: options.source.networkPassphrase, rangeEnd };
    const garbage = new GarbagePacer(COLLECT_EVERY_FRAME_BYTES);
    async function* stream(): AsyncGenerator<Uint8Array> {
      if (start > options.rangeEnd) {
        yield endFrame(options.rangeEnd);
        return;
      }
      options.log(`source: streaming ledgers ${start}-${rangeEnd ?? "(following)"} to a downstream`);
      const batches = readLedgers(options.source, { start, end: options.rangeEnd }, {
        signal,
        // the chain must hold across the downstream's restart: only when it asked for exactly this ledger
        expectedPreviousHash: previousHash && asked === start ? previousHash : null,
        maxLedgersPerSecond: options.maxLedgersPerSecond,
        meter,
      });
      try {
        for await (const batch of batches) {
          const frame = ledgersFrame(batch, about);
          garbage.handedOn(frame.byteLength);
          yield frame;
        }
      } catch (error) {
        if (signal.aborted) return;
        const message = messageOf(error);
        options.log(`source: ${message}`);
        yield errorFrame("source", message);
        return;
      }
      yield endFrame(options.rangeEnd);
    }
    return frameStream(request, stream(), options.maxInflight);
  });
}
