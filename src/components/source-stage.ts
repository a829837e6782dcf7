// The source as a process: GET /v1/ledgers?start=N[&previous_hash=H] streams its raw-ledger record
// batches from ledger N (at least its own --start) to the end of its range as frames (src/stream).
import type { Hono } from "hono";
import { exemptFromIdleTimeout } from "../http/serve-app.ts";
import { SERVER_LIMIT_DEFAULTS } from "../http/server-limits.ts";
import { StreamSlots } from "../http/stream-slots.ts";
import type { LedgerSource } from "../source/ledger-source.ts";
import { endFrame, errorFrame, ledgersFrame } from "../stream/batch-frames.ts";
import { frameResponse } from "../stream/stream-response.ts";
import type { Component } from "./component.ts";
import { xdrBytesOf } from "./xdr-bytes.ts";
import { paced } from "./pace.ts";
import { GarbagePacer } from "./garbage-pacer.ts";

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

const LEDGER = /^\d{1,10}$/;
/**
 * Each frame is the batch's XDR copied twice more (Arrow IPC, then the frame); with JSC left to
 * itself the source process grew to 360-415 MB over 3,000 standalone-p23 ledgers, with a
 * collection every 32 MB of frames to ~250 MB, at the same speed (its JS heap is small).
 */
const COLLECT_EVERY_FRAME_BYTES = 32 * 2 ** 20;
const HASH = /^[0-9a-f]{64}$/;

export function mountSourceStage(app: Hono, component: Component, options: SourceStageOptions): void {
  const slots = new StreamSlots(options.maxStreams ?? SERVER_LIMIT_DEFAULTS.maxDataStreams, "data streams");
  app.get(LEDGERS_PATH, async (c) => {
    const startParam = c.req.query("start");
    const previousHash = c.req.query("previous_hash");
    if (startParam !== undefined && !LEDGER.test(startParam)) return c.json({ error: `start must be a ledger sequence, got "${startParam}"` }, 400);
    if (previousHash !== undefined && !HASH.test(previousHash)) return c.json({ error: "previous_hash must be 64 lowercase hex digits" }, 400);
    const slot = slots.tryAcquire();
    if (!slot) return c.json({ error: slots.refusal() }, 503, { "retry-after": "1" });
    const release: () => void = slot;
    // the request has arrived whole (a GET): the stream may now stay quiet while the newest ledger
    // is looked up (requests with retries) and for as long as the downstream reads slowly
    exemptFromIdleTimeout(c.env, c.req.raw);
    const asked = startParam === undefined ? null : Number(startParam);
    let start: number;
    try {
      start = Math.max(asked ?? options.rangeStart ?? (await options.defaultStart()), options.rangeStart ?? 0);
    } catch (error) {
      release();
      return c.json({ error: `cannot find the newest ledger: ${(error as Error).message}` }, 503);
    }
    const rangeEnd = Number.isFinite(options.rangeEnd) ? options.rangeEnd : null;
    const signal = c.req.raw.signal;
    const about = { network: options.source.networkPassphrase, rangeEnd };
    const garbage = new GarbagePacer(COLLECT_EVERY_FRAME_BYTES);
    async function* frames(): AsyncGenerator<Uint8Array> {
      try {
        yield* stream();
      } finally {
        release();
      }
    }
    async function* stream(): AsyncGenerator<Uint8Array> {
      if (start > options.rangeEnd) {
        yield endFrame(options.rangeEnd);
        return;
      }
      options.log(`source: streaming ledgers ${start}-${rangeEnd ?? "(following)"} to a downstream`);
      const batches = options.source.batches(
        { start, end: options.rangeEnd },
        // the chain must hold across the downstream's restart: only when it asked for exactly this ledger
        { signal, ...(previousHash && asked === start ? { expectedPreviousHash: previousHash } : {}) },
      );
      try {
        for await (const batch of paced(batches, options.maxLedgersPerSecond, signal)) {
          const frame = ledgersFrame(batch, about);
          const last = batch.getChild("sequence")?.get(batch.numRows - 1) as number;
          component.status = "running";
          component.metrics.add("ledgers_processed_total", batch.numRows);
          component.metrics.add("batches_processed_total", 1);
          component.metrics.add("bytes_read_total", xdrBytesOf(batch));
          component.metrics.processed(last, batch.numRows);
          garbage.handedOn(frame.byteLength);
          yield frame;
        }
      } catch (error) {
        if (signal.aborted) return;
        component.metrics.add("validation_errors_total", 1);
        const message = error instanceof Error ? error.message : String(error);
        options.log(`source: ${message}`);
        yield errorFrame("source", message);
        return;
      }
      yield endFrame(options.rangeEnd);
    }
    return frameResponse(frames(), { maxInflight: options.maxInflight, onCancel: release });
  });
}
