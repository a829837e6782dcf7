// The dashboard's server side: its flowctl proxy refuses in the request's own protocol (a Connect
// stream's error in its end message), so a client reads the server's words ("this server knows no
// flowctl") rather than "HTTP 503"; /dashboard/config says whether anything is live; the volume
// panel's SQL passes the SQL fence and sums exactly, over the last ledgers held.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { volumeSeriesSql, volumeTotalsSql } from "../../src/web/volume-sql.ts";
import { flowctlClient, freePort, type Protocol } from "../support/flowctl.ts";
import { contract, ledgerEvents, processedBatch } from "../sink/fixtures.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

const PROTOCOLS: Protocol[] = ["connect-json", "connect-binary", "grpc-web"];

async function refusal(call: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await call();
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("not refused");
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) break;
}

describe("the flowctl proxy of a server without flowctl", () => {
  let h: ServicesHarness;
  beforeAll(async () => {
    h = await servicesHarness({ live: false });
  });
  afterAll(() => h.close());

  test("WatchServices and ListServices: FailedPrecondition, in the server's words, in every protocol", async () => {
    for (const protocol of PROTOCOLS) {
      const client = flowctlClient(h.server.url, protocol);
      const watch = await refusal(() => drain(client.watchServices({})));
      expect([protocol, watch.code, watch.rawMessage]).toEqual([protocol, Code.FailedPrecondition, "this server knows no flowctl"]);
      const list = await refusal(() => client.listServices({}));
      expect([protocol, list.code, list.rawMessage]).toEqual([protocol, Code.FailedPrecondition, "this server knows no flowctl"]);
    }
  });

  test("a method it does not forward: PermissionDenied, naming those it does", async () => {
    const register = await refusal(() => flowctlClient(h.server.url).register({ service: { componentId: "x" } }));
    expect([register.code, register.rawMessage]).toEqual([Code.PermissionDenied, "the dashboard proxy forwards only WatchServices, GetPipelineHealth, ListServices"]);
  });

  test("/dashboard/config: no flowctl, nothing live", async () => {
    expect(await (await fetch(`${h.server.url}/dashboard/config`)).json()).toEqual({ flowctl: false, live: false, datalake: null });
  });
});

describe("the flowctl proxy when flowctl does not answer", () => {
  let h: ServicesHarness;
  const dead = `http://127.0.0.1:${freePort()}`;
  beforeAll(async () => {
    h = await servicesHarness({ flowctlUrl: dead });
  });
  afterAll(() => h.close());

  test("WatchServices: Unavailable, saying which flowctl did not answer", async () => {
    for (const protocol of PROTOCOLS) {
      const watch = await refusal(() => drain(flowctlClient(h.server.url, protocol).watchServices({})));
      expect([protocol, watch.code]).toEqual([protocol, Code.Unavailable]);
      expect(watch.rawMessage).toStartWith(`flowctl at ${dead} did not answer: `);
    }
  });

  test("/dashboard/config: a flowctl, live by default", async () => {
    expect(await (await fetch(`${h.server.url}/dashboard/config`)).json()).toEqual({ flowctl: true, live: true, datalake: null });
  });
});

describe("the volume panel's SQL through QueryService", () => {
  let h: ServicesHarness;
  let query: (sql: string) => Promise<(string | undefined)[][]>;
  beforeAll(async () => {
    h = await servicesHarness();
    // two ranges apart: the window counts ledgers held, not ledger numbers
    await h.commit(100, 102);
    await h.commit(200, 201);
    const client = createClient(QueryService, createConnectTransport({ baseUrl: h.server.url }));
    query = async (sql) => (await client.query({ sql })).rows.map((r) => r.values.map((v) => v.text));
  });
  afterAll(() => h.close());

  test("totals per asset and type over the last 4 ledgers held (201, 200, 102, 101), summed exactly", async () => {
    const transfer = 2n ** 64n + 7n;
    expect(await query(volumeTotalsSql(4))).toEqual([
      // 4 events each; ties ordered by asset (NULL last), contract, type
      ["USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN", undefined, "mint", "4", "4"],
      ["native", undefined, "fee", "4", "400"],
      ["native", undefined, "transfer", "4", String(4n * transfer)],
      [undefined, contract(9), "transfer", "4", String(4n * 12_345_678_901_234_567_890n)],
    ]);
  });

  test("amounts whose sum passes HUGEINT's range are summed exactly, not refused", async () => {
    const big = 2n ** 126n + 1n;
    const overflow = await servicesHarness();
    try {
      // two mints of 2^126 + 1 per ledger: their sum alone is past 2^127 - 1
      const events = [300, 301].flatMap((ledger) => ledgerEvents(ledger).flatMap((e) => (e.eventType === "mint" ? [{ ...e, amount: big }, { ...e, operationIndex: 3, amount: big }] : [e])));
      await overflow.sink.write(processedBatch(300, 301, events));
      overflow.hub.committed(301);
      const client = createClient(QueryService, createConnectTransport({ baseUrl: overflow.server.url }));
      const rows = async (sql: string) => (await client.query({ sql })).rows.map((r) => r.values.map((v) => v.text));
      expect((await rows(volumeTotalsSql(2))).find((row) => row[2] === "mint")?.[4]).toBe(String(4n * big));
      expect((await rows(volumeSeriesSql(2, { kind: "asset", asset: "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN" }))).map((row) => row[3])).toEqual([String(2n * big), String(2n * big)]);
    } finally {
      await overflow.close();
    }
  });

  test("per ledger held and type, for one asset, a contract token, and none (a row per ledger with no type)", async () => {
    expect(await query(volumeSeriesSql(2, { kind: "asset", asset: "native" }))).toEqual([
      ["200", "fee", "1", "100"],
      ["200", "transfer", "1", String(2n ** 64n + 7n)],
      ["201", "fee", "1", "100"],
      ["201", "transfer", "1", String(2n ** 64n + 7n)],
    ]);
    expect(await query(volumeSeriesSql(3, { kind: "contract", contract: contract(9) }))).toEqual([
      ["102", "transfer", "1", "12345678901234567890"],
      ["200", "transfer", "1", "12345678901234567890"],
      ["201", "transfer", "1", "12345678901234567890"],
    ]);
    expect(await query(volumeSeriesSql(2, { kind: "asset", asset: "it's:nothing" }))).toEqual([
      ["200", undefined, "0", "0"],
      ["201", undefined, "0", "0"],
    ]);
    const all = await query(volumeSeriesSql(1, { kind: "all" }));
    expect(all.map((r) => [r[0], r[1], r[2]])).toEqual([["201", "fee", "1"], ["201", "mint", "1"], ["201", "transfer", "2"]]);
  });

  test("a window that is not a whole number of ledgers is refused before any SQL", () => {
    expect(() => volumeTotalsSql(0)).toThrow("a window of 0 ledgers: give a whole number of at least 1");
    expect(() => volumeSeriesSql(1.5, { kind: "all" })).toThrow("a window of 1.5 ledgers");
  });
});
