// Event stream filters: an unknown event type is an error, never a filter silently dropped (which
// streamed every event), over Connect JSON as over /ws; and each filter field holds at most
// maxFilterValues values, on /ws as on StreamEvents.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { servicesHarness, type ServicesHarness } from "./support.ts";

let h: ServicesHarness;
beforeAll(async () => {
  h = await servicesHarness({ maxFilterValues: 3, websocket: { idleMs: 100 } });
  await h.commit(100, 101);
});
afterAll(async () => {
  await h.close();
});

/** StreamEvents over Connect's JSON streaming protocol, as `buf curl` or a browser sends it: its frames as text. */
async function streamEventsJson(request: unknown): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(request));
  const frame = new Uint8Array(5 + json.byteLength);
  new DataView(frame.buffer).setUint32(1, json.byteLength);
  frame.set(json, 5);
  const response = await fetch(`${h.server.url}/stellarflow.v1.EventService/StreamEvents`, { method: "POST", headers: { "content-type": "application/connect+json" }, body: frame });
  return new TextDecoder().decode(await response.arrayBuffer());
}

test("StreamEvents (JSON): an unknown event type or a misspelt field is InvalidArgument; a known one filters", async () => {
  const bogus = await streamEventsJson({ startLedger: 100, endLedger: 101, eventTypes: ["EVENT_TYPE_BOGUS"] });
  expect(bogus).toContain('"code":"invalid_argument"');
  expect(bogus).not.toContain("ledgerSequence");
  const misspelt = await streamEventsJson({ startLedger: 100, endLedger: 101, eventType: ["EVENT_TYPE_FEE"] });
  expect(misspelt).toContain('"code":"invalid_argument"');
  const fees = await streamEventsJson({ startLedger: 100, endLedger: 101, eventTypes: ["EVENT_TYPE_FEE"] });
  expect(fees).not.toContain("invalid_argument");
  expect(fees.match(/"eventType":"EVENT_TYPE_[A-Z]+"/g)?.every((t) => t === '"eventType":"EVENT_TYPE_FEE"')).toBe(true);
});

test("StreamEvents: at most maxFilterValues values per field", async () => {
  const answer = await streamEventsJson({ startLedger: 100, endLedger: 101, accounts: ["GA", "GB", "GC", "GD"] });
  expect(answer).toContain("accounts holds 4 values; at most 3 are accepted");
});

test("/ws: at most maxFilterValues values per field (repeated or comma-separated), 400 naming it; an unknown event type is 400 too", async () => {
  const upgrade = { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };
  const ask = async (query: string) => {
    const response = await fetch(`${h.server.url}/ws?${query}`, { headers: upgrade });
    return [response.status, ((await response.json()) as { error: string }).error];
  };
  expect(await ask("account=GA,GB&account=GC,GD")).toEqual([400, "account holds 4 values; at most 3 are accepted"]);
  expect(await ask(`contract=${Array.from({ length: 50 }, (_, i) => `C${i}`).join(",")}`)).toEqual([400, "contract holds 50 values; at most 3 are accepted"]);
  expect(await ask("event_type=bogus")).toEqual([400, 'event_type must be one of transfer, mint, burn, clawback, fee, got "bogus"']);
});
