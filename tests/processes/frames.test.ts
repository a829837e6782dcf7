// The data plane's framing: frames survive any chunking of the byte stream; bytes that are not
// frames, and a stream cut inside a frame, are errors (the downstream reconnects), never data.
import { describe, expect, test } from "bun:test";
import { encodeFrame, FrameError, readFrames, type Frame } from "../../src/stages/http/frames.ts";
import { eventsFrame, eventsOfFrame } from "../../src/stages/http/batch-frames.ts";
import { ledgerSummaryBatch } from "../../src/arrow/ledger-summary-batch.ts";
import { ttpEventBatch } from "../../src/arrow/event-batch.ts";

function streamOf(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

async function all(body: ReadableStream<Uint8Array>): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of readFrames(body)) frames.push(frame);
  return frames;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) (out.set(p, offset), (offset += p.byteLength));
  return out;
};

describe("frames", () => {
  const frames: Frame[] = [
    { kind: "B", parts: [new TextEncoder().encode('{"a":1}'), new Uint8Array(1000).fill(7), new Uint8Array(0)] },
    { kind: "E", parts: [new TextEncoder().encode('{"lastLedger":5}')] },
  ];
  const bytes = concat(...frames.map(encodeFrame));

  for (const chunk of [1, 3, 5, 64, 100_000]) {
    test(`read back whole from chunks of ${chunk} bytes`, async () => {
      expect(await all(streamOf(bytes, chunk))).toEqual(frames);
    });
  }

  test("a stream cut inside a frame is a FrameError", async () => {
    await expect(all(streamOf(bytes.slice(0, 500), 64))).rejects.toBeInstanceOf(FrameError);
  });

  test("bytes that are not frames are a FrameError", async () => {
    await expect(all(streamOf(new TextEncoder().encode("<html>oops</html>"), 64))).rejects.toThrow(/not a frame/);
  });

  test("a processed batch travels as one frame: ledgers and events rows together", async () => {
    const batch = { ledgers: ledgerSummaryBatch([]), events: ttpEventBatch([]), firstLedger: 5, lastLedger: 6, stats: { transactions: 1, failedTransactions: 0, operations: 2, eventsByType: { fee: 1 }, eventsFiltered: 0 } };
    const [frame] = await all(streamOf(eventsFrame(batch, 9), 7));
    const back = eventsOfFrame(frame!);
    expect(back).toMatchObject({ firstLedger: 5, lastLedger: 6, rangeEnd: 9, stats: batch.stats });
    expect(back.ledgers.schema.fields.map((f) => f.name)).toEqual(batch.ledgers.schema.fields.map((f) => f.name));
    expect(back.events.numRows).toBe(0);
  });
});
