// EventService.StreamEvents: catch-up from DuckDB, then live, with filters; no gap, no duplicate.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { EventType } from "../../src/gen/stellarflow/v1/ttp_event_pb.ts";
import { account, contract } from "../sink/fixtures.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

let h: ServicesHarness;
beforeEach(async () => {
  h = await servicesHarness({ token: "s3cret", websocket: { pageSize: 3, idleMs: 200 } });
});
afterEach(async () => {
  await h.close();
});

const auth = { headers: { authorization: "Bearer s3cret" } };
const client = (grpcWeb = false) =>
  createClient(EventService, (grpcWeb ? createGrpcWebTransport : createConnectTransport)({ baseUrl: h.server.url, defaultTimeoutMs: 20_000 }));

describe("EventService.StreamEvents", () => {
  test("catch-up, then live, with pages smaller than a ledger: every event once, in order", async () => {
    await h.commit(100, 104);
    const keys: string[] = [];
    const throughs: number[] = [];
    const abort = new AbortController();
    const reading = (async () => {
      for await (const page of client().streamEvents({ startLedger: 102, endLedger: 109 }, { ...auth, signal: abort.signal })) {
        for (const e of page.events) keys.push(`${e.ledgerSequence}/${e.eventIndex}`);
        throughs.push(page.throughLedger);
        if (page.throughLedger >= 104 && keys.length === 12) {
          // caught up: commit the live part while the stream is open
          void h.commit(105, 106).then(() => h.commit(107, 110));
        }
      }
    })();
    await reading;
    const expected = [];
    for (let l = 102; l <= 109; l++) for (let i = 0; i < 4; i++) expected.push(`${l}/${i}`);
    expect(keys).toEqual(expected);
    expect(throughs.at(-1)).toBe(109);
    expect(throughs).toEqual([...throughs].sort((a, b) => a - b));
  });

  test("filters: account (from or to), asset, event type, contract; over gRPC-Web too", async () => {
    await h.commit(100, 103);
    const collect = async (request: Parameters<ReturnType<typeof client>["streamEvents"]>[0], grpcWeb = false) => {
      const events = [];
      for await (const page of client(grpcWeb).streamEvents({ startLedger: 100, endLedger: 103, ...request }, auth)) events.push(...page.events);
      return events;
    };
    const byAccount = await collect({ accounts: [account(2), account(101)] });
    expect(byAccount.map((e) => `${e.ledgerSequence}/${e.eventIndex}`)).toEqual(["100/1", "101/0", "101/1", "102/1", "103/1"]);
    const fees = await collect({ eventTypes: [EventType.FEE] }, true);
    expect(fees.length).toBe(4);
    expect(fees.every((e) => e.eventType === EventType.FEE && e.operationIndex === undefined && e.amount === "100")).toBe(true);
    const minted = await collect({ assets: ["USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"], eventTypes: [EventType.MINT] });
    expect(minted.map((e) => e.toMuxed?.value)).toEqual(Array(4).fill({ case: "text", value: "it's \"quoted\", with a comma\nand a newline" }));
    const byContract = await collect({ contracts: [contract(9)] });
    expect(byContract.map((e) => [e.amount, e.toMuxed?.value.value])).toEqual(Array(4).fill([String(12_345_678_901_234_567_890n), 18446744073709551615n]));
    expect(byContract[0]!.closedAt!.seconds).toBeGreaterThan(0n);
  });

  test("an idle live stream sends progress marks and ends when the client cancels", async () => {
    await h.commit(100, 100);
    const abort = new AbortController();
    const marks: number[] = [];
    const error = await (async () => {
      for await (const page of client().streamEvents({ startLedger: 100 }, { ...auth, signal: abort.signal })) {
        if (page.throughLedger === 100) marks.push(page.events.length);
        if (marks.length === 3) abort.abort();
      }
    })().catch((e: unknown) => ConnectError.from(e));
    expect(marks).toEqual([1, 0, 0]); // the last event of ledger 100 (pages of 3), then two idle marks
    expect(Code[(error as ConnectError).code]).toBe("Canceled");
  });

  test("a token is needed; bad ranges are InvalidArgument", async () => {
    const noToken = await (async () => {
      for await (const _ of client().streamEvents({ startLedger: 1, endLedger: 2 })) void _;
    })().catch((e: unknown) => ConnectError.from(e));
    expect(Code[(noToken as ConnectError).code]).toBe("Unauthenticated");
    const badRange = await (async () => {
      for await (const _ of client().streamEvents({ startLedger: 5, endLedger: 2 }, auth)) void _;
    })().catch((e: unknown) => ConnectError.from(e));
    expect(Code[(badRange as ConnectError).code]).toBe("InvalidArgument");
    expect((badRange as ConnectError).rawMessage).toMatch(/end_ledger 2 is before start_ledger 5/);
  });
});
