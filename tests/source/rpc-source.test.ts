// The Stellar RPC source against a mock getLedgers server serving the shared pubnet ledgers:
// the same ledgers and events as the folder source, cursor paging, following the tip, and every
// fault retried without losing or repeating a ledger.
import { afterEach, describe, expect, test } from "bun:test";
import type { RawLedger } from "../../src/arrow/ledger-batch.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { openRpcSource, type OpenRpcSourceOptions } from "../../src/source/rpc/open-rpc-source.ts";
import type { RpcSource } from "../../src/source/rpc/rpc-source.ts";
import { SourceError } from "../../src/source/source-error.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { FAST_RETRY } from "../support/fast-retry.ts";
import { join } from "node:path";
import { validateLedger } from "../../src/source/ledger-validation.ts";
import { readLedgerHeader } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { LEDGERS_DIR, lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { RpcTestServer, type RpcFault } from "../support/rpc-test-server.ts";
import { eventsOf } from "../support/source-events.ts";
import { readRange } from "./lake-fixtures.ts";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";

const FIRST = 30822015;
const LAST = 30822025;
const SEQUENCES = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);

let lakeLedgers: RawLedger[] | null = null;
async function ledgers(): Promise<RawLedger[]> {
  lakeLedgers ??= (await readRange(await openFolderLake(lakePath("pubnet")), FIRST, LAST)).ledgers;
  return lakeLedgers;
}

const servers: RpcTestServer[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.stop()));
async function serve(options: { latestLedger?: number; fault?: (method: string, params: Record<string, unknown>, n: number) => RpcFault | undefined } = {}) {
  const server = RpcTestServer.start({ ledgers: await ledgers(), passphrase: NETWORK_PASSPHRASES.pubnet, ...options });
  servers.push(server);
  return server;
}
const open = (server: RpcTestServer, options: OpenRpcSourceOptions = {}) =>
  openRpcSource(server.url, { retry: { ...FAST_RETRY, timeoutMs: 300 }, pageLimit: 4, followPollMs: 20, ...options });

async function expectWholeRange(source: RpcSource): Promise<void> {
  const { ledgers: read, error } = await readRange(source, FIRST, LAST);
  expect(error).toBeNull();
  expect(read.map((l) => l.sequence)).toEqual(SEQUENCES);
  const expected = await ledgers();
  read.forEach((l, i) => {
    expect(l.hash).toBe(expected[i]!.hash);
    expect(Buffer.compare(l.xdr, expected[i]!.xdr)).toBe(0);
  });
}

describe("Stellar RPC source (getLedgers)", () => {
  test("the same ledgers and TTP events as the folder source, paged by cursor", async () => {
    const server = await serve();
    const source = await open(server);
    expect(source.networkPassphrase).toBe(NETWORK_PASSPHRASES.pubnet);
    expect(source.description).toBe(`Stellar RPC ${server.url}`);
    await expectWholeRange(source);
    const pages = server.calls.filter((c) => c.method === "getLedgers").map((c) => c.params);
    expect(pages).toEqual([
      { startLedger: FIRST, pagination: { limit: 4 }, xdrFormat: "base64" },
      { pagination: { cursor: String(FIRST + 3), limit: 4 }, xdrFormat: "base64" },
      { pagination: { cursor: String(FIRST + 7), limit: 3 }, xdrFormat: "base64" },
    ]);
    expect(await eventsOf(source, FIRST, LAST)).toEqual(await eventsOf(await openFolderLake(lakePath("pubnet")), FIRST, LAST));
  });

  test("real getLedgers-shaped metadataXdr (base64 LedgerCloseMeta v0 of the same ledgers) decodes to the same chain", async () => {
    const lines = (await Bun.file(join(LEDGERS_DIR, "raw", "pubnet-p13-12-ledgers.b64")).text()).trim().split("\n");
    const rpcLedgers = lines.map((line) => {
      const xdr = Uint8Array.fromBase64(line.trim());
      return validateLedger(xdr, readLedgerHeader(xdr).sequence, null, "pubnet-p13-12-ledgers.b64");
    });
    const server = RpcTestServer.start({ ledgers: rpcLedgers.filter((l) => l.sequence >= FIRST), passphrase: NETWORK_PASSPHRASES.pubnet });
    servers.push(server);
    const { ledgers: read, error } = await readRange(await open(server), FIRST, LAST);
    expect(error).toBeNull();
    expect(read.map((l) => l.sequence)).toEqual(SEQUENCES);
    expect(read.map((l) => l.hash)).toEqual((await ledgers()).map((l) => l.hash));
  });

  test("pages hold at most 200 ledgers: pageLimit above 200 is refused", async () => {
    const server = await serve();
    await expect(open(server, { pageLimit: 201 })).rejects.toThrow(/pageLimit must be an integer in 1-200/);
  });

  test("latestLedger asks getLatestLedger", async () => {
    const server = await serve({ latestLedger: 30822020 });
    expect(await (await open(server)).latestLedger()).toBe(30822020);
  });

  test("a start older than the RPC keeps fails clearly and suggests the data lake", async () => {
    const server = await serve();
    const { ledgers: read, error } = await readRange(await open(server), FIRST - 5, FIRST);
    expect(read).toEqual([]);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toContain(`ledger ${FIRST - 5} is older than the oldest ledger this RPC keeps (${FIRST}`);
    expect((error as Error).message).toContain("--datalake");
  });

  test("another network is refused", async () => {
    const server = await serve();
    await expect(open(server, { networkPassphrase: "testnet" })).rejects.toThrow(/wrong network.*Test SDF Network/);
  });

  test("a ledger past the tip, without --follow, is an error after the ledgers before it", async () => {
    const server = await serve({ latestLedger: 30822020 });
    const { ledgers: read, error } = await readRange(await open(server), FIRST, LAST);
    expect(read.map((l) => l.sequence)).toEqual(SEQUENCES.slice(0, 6));
    expect((error as Error).message).toMatch(/ledger 30822021 has not closed yet/);
  });

  test("--follow: keeps reading as ledgers close, none skipped or repeated", async () => {
    const server = await serve({ latestLedger: FIRST + 1 });
    const source = await open(server);
    const timer = setInterval(() => server.latestLedger < LAST && server.latestLedger++, 15);
    const abort = new AbortController();
    const read: number[] = [];
    try {
      for await (const batch of source.batches({ start: FIRST, end: Number.POSITIVE_INFINITY }, { signal: abort.signal })) {
        read.push(...[...rawLedgersOf(batch)].map((l) => l.sequence));
        if (read.at(-1) === LAST) abort.abort(new Error("done"));
      }
    } catch (error) {
      expect((error as Error).message).toBe("done");
    } finally {
      clearInterval(timer);
    }
    expect(read).toEqual(SEQUENCES);
    expect(server.calls.filter((c) => c.method === "getLedgers").length).toBeGreaterThan(3);
  });

  test("expectedPreviousHash: the chain is checked across a restart", async () => {
    const server = await serve();
    const source = await open(server);
    const all = await ledgers();
    const good = await readRange(source, FIRST + 1, FIRST + 2);
    expect(good.error).toBeNull();
    const chained = [];
    for await (const b of source.batches({ start: FIRST + 1, end: FIRST + 2 }, { expectedPreviousHash: all[0]!.hash })) chained.push(b.numRows);
    expect(chained).toEqual([2]);
    const broken = source.batches({ start: FIRST + 1, end: FIRST + 2 }, { expectedPreviousHash: "00".repeat(32) });
    await expect((async () => { for await (const _ of broken); })()).rejects.toThrow(/broken hash chain.*ledger 30822016/);
  });

  const faults: [string, (method: string, params: Record<string, unknown>, n: number) => RpcFault | undefined][] = [
    ["500s, then success", (m, p, n) => (m === "getLedgers" && n <= 2 ? { status: 500 } : undefined)],
    ["429 with Retry-After, then success", (m, p, n) => (m === "getLedgers" && n === 2 ? { status: 429, headers: { "retry-after": "1" } } : undefined)],
    ["a response slower than the timeout", (m, p, n) => (m === "getLedgers" && n === 2 ? { hang: true } : undefined)],
    ["a truncated body", (m, p, n) => (m === "getLedgers" && n === 2 ? { truncate: true } : undefined)],
    ["malformed JSON", (m, p, n) => (m === "getLedgers" && n === 1 ? { malformedJson: true } : undefined)],
    ["a ledger missing from a page", (m, p, n) => (m === "getLedgers" && n === 2 ? { dropLedger: FIRST + 5 } : undefined)],
    ["the server dying mid-run and coming back", (m, p, n) => (m === "getLedgers" && n === 2 ? { die: { forMs: 100 } } : undefined)],
  ];
  for (const [name, fault] of faults) {
    test(`${name}: every ledger once, in order`, async () => {
      const server = await serve({ fault });
      await expectWholeRange(await open(server, { retry: { ...FAST_RETRY, attempts: 8, baseDelayMs: 20, maxDelayMs: 100, timeoutMs: 300 } }));
      expect(server.calls.filter((c) => c.method === "getLedgers").length).toBeGreaterThan(3);
    });
  }

  test("a page over the response cap is asked again with half the ledgers, down to one; every ledger once, in order", async () => {
    const server = await serve();
    const warnings: string[] = [];
    // a page of 4 (about 1.1 MB of base64) or of some 2 is over 600,000 bytes; each single ledger fits
    const source = await open(server, { maxResponseBytes: 600_000, onWarning: (w) => warnings.push(w) });
    await expectWholeRange(source);
    expect(warnings[0]).toBe(`a getLedgers page of 4 ledgers from ledger ${FIRST} was over 600000 bytes: asking for 2 per page from now on`);
    expect(warnings.at(-1)).toEndWith("asking for 1 per page from now on");
    const limits = server.calls.filter((c) => c.method === "getLedgers").map((c) => (c.params["pagination"] as { limit: number }).limit);
    expect(limits.at(-1)).toBe(1);
  });

  test("a single ledger over the response cap stops the run naming the ledger, after the ledgers before it", async () => {
    const server = await serve();
    // 30822017 is 346,560 bytes of base64; the two before it fit
    const { ledgers: read, error } = await readRange(await open(server, { maxResponseBytes: 300_000 }), FIRST, LAST);
    expect(read.map((l) => l.sequence)).toEqual([FIRST, FIRST + 1]);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toContain(`ledger ${FIRST + 2}`);
    expect((error as SourceError).message).toContain("the getLedgers response for this one ledger is over the cap of 300000 bytes");
  });

  test("a page that keeps leaving a ledger out stops the run naming it", async () => {
    const server = await serve({ fault: (m) => (m === "getLedgers" ? { dropLedger: FIRST + 5 } : undefined) });
    const { ledgers: read, error } = await readRange(await open(server), FIRST, LAST);
    expect(read.map((l) => l.sequence)).toEqual(SEQUENCES.slice(0, 5));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).ledger).toBe(FIRST + 5);
    expect((error as Error).message).toMatch(/keeps leaving ledger 30822020 out/);
  });

  test("an RPC that stays down: a SourceError naming the URL after the retries", async () => {
    const server = await serve({ fault: (m) => (m === "getLedgers" ? { status: 503 } : undefined) });
    const { error } = await readRange(await open(server), FIRST, LAST);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/HTTP 503.*gave up after 5 tries/);
    expect((error as Error).message).toContain(server.url);
  });

  test("an unreachable RPC fails fast", async () => {
    const started = performance.now();
    await expect(openRpcSource("http://127.0.0.1:9/", { retry: FAST_RETRY, openTimeoutMs: 500 })).rejects.toThrow(/cannot reach Stellar RPC/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
