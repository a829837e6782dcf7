// The request side of a data stream (GET /v1/ledgers, GET /v1/events): `?start=N&previous_hash=H`
// checked, one of the server's stream slots taken, and the connection exempted from the idle timeout.
import type { Context } from "hono";
import { exemptFromIdleTimeout } from "../../http/serve-app.ts";
import type { StreamSlots } from "../../http/stream-slots.ts";
import { frameResponse } from "./stream-response.ts";

export interface StreamRequest {
  /** The ledger asked for; null: none (the upstream's own start). */
  readonly start: number | null;
  /** Hash of ledger start - 1, when the downstream has it. */
  readonly previousHash: string | null;
  /** Gives the slot back (once the stream ends or is cancelled). */
  readonly release: () => void;
}

const LEDGER = /^\d{1,10}$/;
const HASH = /^[0-9a-f]{64}$/;

/** The request's position and slot, or the answer that refuses it (400: a bad parameter; 503: every slot taken). */
export function acceptStreamRequest(c: Context, slots: StreamSlots, kind = "stream"): StreamRequest | Response {
  const start = c.req.query("start");
  const previousHash = c.req.query("previous_hash");
  if (start !== undefined && !LEDGER.test(start)) return c.json({ error: `start must be a ledger sequence, got "${start}"` }, 400);
  if (previousHash !== undefined && !HASH.test(previousHash)) return c.json({ error: "previous_hash must be 64 lowercase hex digits" }, 400);
  const release = slots.tryAcquire(kind);
  if (!release) return c.json({ error: slots.refusal() }, 503, { "retry-after": "1" });
  // the request has arrived whole (a GET): the stream may now stay quiet while its upstream, the
  // source's lookups (requests with retries) or its downstream are slow
  exemptFromIdleTimeout(c.env, c.req.raw);
  return { start: start === undefined ? null : Number(start), previousHash: previousHash ?? null, release };
}

/** The response streaming `frames` (at most `maxInflight` ahead); the slot is given back when they end or the reader goes away. */
export function frameStream(request: StreamRequest, frames: AsyncGenerator<Uint8Array>, maxInflight: number): Response {
  async function* released(): AsyncGenerator<Uint8Array> {
    try {
      yield* frames;
    } finally {
      request.release();
    }
  }
  return frameResponse(released(), { maxInflight, onCancel: request.release });
}
