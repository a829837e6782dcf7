// Event streams open at once are capped (StreamEvents and /ws share the cap): one more is refused
// (ResourceExhausted, or HTTP 503 for /ws), and a stream that ends frees its slot.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { StreamSlots } from "../../src/http/stream-slots.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

let h: ServicesHarness;
beforeEach(async () => {
  h = await servicesHarness({ maxEventStreams: 2, websocket: { idleMs: 100 } });
  await h.commit(100, 101);
});
afterEach(async () => {
  await h.close();
});

const client = () => createClient(EventService, createConnectTransport({ baseUrl: h.server.url, defaultTimeoutMs: 20_000 }));

/** A live stream (no end ledger) that has delivered its first page; abort to close it. */
async function openStream(): Promise<AbortController> {
  const abort = new AbortController();
  const pages = client().streamEvents({ startLedger: 100 }, { signal: abort.signal })[Symbol.asyncIterator]();
  await pages.next();
  void (async () => {
    try {
      while (!(await pages.next()).done);
    } catch {
      // aborted
    }
  })();
  return abort;
}

async function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`${h.server.url.replace("http", "ws")}/ws?start_ledger=100`);
  await new Promise<void>((resolve, reject) => {
    ws.onmessage = () => resolve();
    ws.onerror = () => reject(new Error("socket failed"));
  });
  return ws;
}

async function codeOfThirdStream(): Promise<Code | null> {
  try {
    for await (const _ of client().streamEvents({ startLedger: 100, endLedger: 101 })) void _;
    return null;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

test("a third stream is refused while two are open, over Connect and /ws; closing one frees a slot", async () => {
  const first = await openStream();
  const socket = await openSocket();
  expect(await codeOfThirdStream()).toBe(Code.ResourceExhausted);
  const refused = await fetch(`${h.server.url}/ws?start_ledger=100`, { headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { error: string }).error).toBe("too many event streams open (2): close one, or try again later");

  first.abort();
  const deadline = Date.now() + 5_000;
  let code = await codeOfThirdStream();
  while (code !== null && Date.now() < deadline) {
    await Bun.sleep(50);
    code = await codeOfThirdStream();
  }
  expect(code).toBeNull(); // a bounded stream runs to its end ledger, then frees its slot too
  socket.close();
});

test("slots count and release once", () => {
  const slots = new StreamSlots(1);
  const release = slots.tryAcquire()!;
  expect(slots.tryAcquire()).toBeNull();
  release();
  release();
  expect(slots.open).toBe(0);
  expect(slots.tryAcquire()).not.toBeNull();
  expect(() => new StreamSlots(0)).toThrow("the event stream cap must be a positive integer, got 0");
});
