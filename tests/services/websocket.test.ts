// GET /ws: the event stream as JSON; a slow client is disconnected with a reason and never slows commits.
import { afterEach, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { servicesHarness, type ServicesHarness } from "./support.ts";

let h: ServicesHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

interface Frame {
  readonly events: { ledger_sequence: number; event_index: number; amount: string; event_type: string; closed_at: string }[];
  readonly through_ledger: number;
}

/** Opens /ws and collects frames until `until` says stop (or the deadline passes). */
function collect(url: string, until: (frames: Frame[]) => boolean, timeoutMs = 10_000): Promise<{ frames: Frame[]; close: { code: number; reason: string } | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Frame[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no end after ${timeoutMs} ms; ${frames.length} frames`));
    }, timeoutMs);
    ws.onmessage = (message) => {
      frames.push(JSON.parse(String(message.data)) as Frame);
      if (until(frames)) {
        clearTimeout(timer);
        ws.close();
        resolve({ frames, close: null });
      }
    };
    ws.onclose = (event) => {
      clearTimeout(timer);
      resolve({ frames, close: { code: event.code, reason: event.reason } });
    };
    ws.onerror = () => undefined;
  });
}

describe("GET /ws", () => {
  test("catch-up then live, filtered, as JSON with the contract's column names", async () => {
    h = await servicesHarness({ token: "t0k", websocket: { pageSize: 5, idleMs: 200 } });
    await h.commit(100, 102);
    const base = h.server.url.replace(/^http/, "ws");
    const reading = collect(`${base}/ws?token=t0k&start_ledger=101&end_ledger=104&event_type=transfer,fee`, () => false);
    await Bun.sleep(100);
    await h.commit(103, 105);
    const { frames, close } = await reading;
    expect(close).toEqual({ code: 1000, reason: "end_ledger reached" });
    const events = frames.flatMap((f) => f.events);
    expect(events.map((e) => `${e.ledger_sequence}/${e.event_index}`)).toEqual(
      [101, 102, 103, 104].flatMap((l) => [`${l}/0`, `${l}/1`, `${l}/2`]),
    );
    expect(events[1]!.amount).toBe(String(2n ** 64n + 7n));
    expect(events[0]!.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test("refusals: no token (401), a bad filter (400), not a WebSocket request (426)", async () => {
    h = await servicesHarness({ token: "t0k" });
    expect((await fetch(`${h.server.url}/ws`, { headers: { upgrade: "websocket" } })).status).toBe(401);
    const bad = await fetch(`${h.server.url}/ws?token=t0k&event_type=gift`, { headers: { upgrade: "websocket" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/event_type must be one of/);
    expect((await fetch(`${h.server.url}/ws?token=t0k`)).status).toBe(426);
  });

  test("a client that stops reading is disconnected with code 1008 and a reason; commits go on at full speed", async () => {
    const slow: number[] = [];
    h = await servicesHarness({ websocket: { maxBufferedBytes: 256 * 1024, onSlowClient: (bytes) => slow.push(bytes) } });
    // about 40 MB of JSON to send: more than the kernel's socket buffers and the bounded buffer
    for (let first = 1; first <= 16_000; first += 4000) await h.commit(first, first + 3999);
    const { port } = h.server;
    const socket: Socket = connect({ host: "127.0.0.1", port });
    const received: Buffer[] = [];
    let upgraded = false;
    socket.on("data", (chunk: Buffer) => {
      received.push(chunk);
      if (!upgraded && Buffer.concat(received).includes("\r\n\r\n")) {
        upgraded = true;
        socket.pause(); // a client that reads nothing more
      }
    });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(`GET /ws?start_ledger=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    try {
      const deadline = Date.now() + 20_000;
      while (slow.length === 0 && Date.now() < deadline) await Bun.sleep(20);
      expect(slow.length).toBe(1);
      expect(slow[0]!).toBeGreaterThan(256 * 1024);
      // the pipeline side: a commit while the client hangs takes as long as usual
      const started = performance.now();
      await h.commit(16_001, 16_100);
      expect(performance.now() - started).toBeLessThan(2000);
      // reading again, the client finds a close frame 1008 with the reason after the data it missed
      const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.resume();
      await Promise.race([ended, Bun.sleep(15_000)]);
      const all = Buffer.concat(received);
      const reason = "slow client: ";
      const at = all.lastIndexOf(reason);
      expect(at).toBeGreaterThan(0);
      expect(all.readUInt16BE(at - 2)).toBe(1008);
      expect(all.subarray(at, at + 80).toString()).toMatch(/slow client: \d+ bytes waiting, more than the 262144 allowed/);
    } finally {
      socket.destroy();
    }
  }, 60_000);
});
