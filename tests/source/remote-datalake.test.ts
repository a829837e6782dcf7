// The data lake over HTTP and S3 (Bun's S3 client), served by a local S3 test server from the
// shared samples: same ledgers and events as the folder, several objects in flight, and every
// network fault retried without losing or repeating a ledger.
import { afterEach, describe, expect, test } from "bun:test";
import type { RawLedger } from "../../src/arrow/ledger-batch.ts";
import type { DataLakeSource } from "../../src/source/datalake/datalake-source.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { SourceError } from "../../src/source/source-error.ts";
import { FAST_RETRY } from "../support/fast-retry.ts";
import { LEDGERS_DIR, lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer, type Fault } from "../../scripts/fixtures/s3-test-server.ts";
import { eventsOf } from "../support/source-events.ts";
import { readRange } from "./lake-fixtures.ts";

const FIRST = 30822015;
const LAST = 30822025;
const objectKey = (seq: number) => `pubnet/FE2A45FF--30784000-30847999/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`;

const servers: S3TestServer[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.stop()));
async function serve(options: { delayMs?: number; fault?: (key: string, hit: number) => Fault | undefined } = {}): Promise<S3TestServer> {
  const server = await S3TestServer.start({ root: LEDGERS_DIR, ...options });
  servers.push(server);
  return server;
}

const httpLake = (server: S3TestServer, options: Parameters<typeof openDataLake>[1] = {}) =>
  openDataLake(server.url("pubnet"), { retry: FAST_RETRY, maxBatchWaitMs: 10_000, ...options });

let folderLedgers: RawLedger[] | null = null;
async function expectedLedgers(): Promise<RawLedger[]> {
  folderLedgers ??= (await readRange(await openFolderLake(lakePath("pubnet")), FIRST, LAST)).ledgers;
  return folderLedgers;
}

/** Asserts the read got every ledger of the range once, in order, byte for byte as the folder has them. */
async function expectWholeRange(source: DataLakeSource): Promise<void> {
  const { ledgers, error } = await readRange(source, FIRST, LAST);
  expect(error).toBeNull();
  const expected = await expectedLedgers();
  expect(ledgers.map((l) => l.sequence)).toEqual(expected.map((l) => l.sequence));
  expect(ledgers.map((l) => l.hash)).toEqual(expected.map((l) => l.hash));
  ledgers.forEach((l, i) => expect(Buffer.compare(l.xdr, expected[i]!.xdr)).toBe(0));
}

describe("data lake over HTTP and S3", () => {
  test("HTTP: the same ledgers and TTP events as the folder source", async () => {
    const server = await serve();
    const source = await httpLake(server);
    expect(source.description).toContain(server.url("pubnet"));
    await expectWholeRange(source);
    const folderEvents = await eventsOf(await openFolderLake(lakePath("pubnet")), FIRST, LAST);
    expect(folderEvents).toHaveLength(668);
    expect(await eventsOf(source, FIRST, LAST)).toEqual(folderEvents);
  });

  test("S3 (Bun's client, --s3-endpoint): the same ledgers and events as the folder source", async () => {
    const server = await serve();
    process.env.AWS_ACCESS_KEY_ID ??= "test";
    process.env.AWS_SECRET_ACCESS_KEY ??= "test";
    const source = await openDataLake(`s3://${server.bucket}/pubnet`, { s3Endpoint: server.endpoint, retry: FAST_RETRY });
    expect(source.description).toBe("data lake s3://ledgers/pubnet/");
    await expectWholeRange(source);
    expect(await eventsOf(source, FIRST, LAST)).toEqual(await eventsOf(await openFolderLake(lakePath("pubnet")), FIRST, LAST));
  });

  test("the latest ledger is found by listing (HTTP ListObjectsV2, S3 client, folder)", async () => {
    const server = await serve();
    expect(await (await httpLake(server)).latestLedger()).toBe(56065483);
    const s3 = await openDataLake(`s3://${server.bucket}/pubnet/`, { s3Endpoint: server.endpoint, retry: FAST_RETRY });
    expect(await s3.latestLedger()).toBe(56065483);
    expect(await (await openFolderLake(lakePath("testnet"))).latestLedger()).toBe(999);
    expect(server.requests.some((r) => r.includes("list-type=2") && r.includes("delimiter=%2F"))).toBe(true);
  });

  test("--concurrency: several objects in flight, never more than asked, ledgers still in order", async () => {
    let inFlight = 0;
    let most = 0;
    const server = await serve({
      fault: (key) => {
        if (!key.endsWith(".zst")) return undefined;
        most = Math.max(most, ++inFlight);
        setTimeout(() => inFlight--, 60);
        return { delayMs: 60 };
      },
    });
    await expectWholeRange(await httpLake(server, { concurrency: 4 }));
    expect(most).toBe(4);
    inFlight = most = 0;
    await expectWholeRange(await httpLake(server, { concurrency: 1 }));
    expect(most).toBe(1);
  });

  const faults: [string, (key: string, hit: number) => Fault | undefined][] = [
    ["500s, then success", (key, hit) => (hit <= 2 ? { status: 500, body: "<Error><Code>InternalError</Code></Error>" } : undefined)],
    ["503 with Retry-After, then success", (key, hit) => (hit === 1 ? { status: 503, headers: { "retry-after": "0" } } : undefined)],
    ["429 Too Many Requests with Retry-After, then success", (key, hit) => (hit === 1 ? { status: 429, headers: { "retry-after": "1" } } : undefined)],
    ["a response slower than the timeout, then a fast one", (key, hit) => (hit === 1 && key.endsWith(".zst") ? { hang: true } : undefined)],
    ["a body cut in half, then the whole object", (key, hit) => (hit === 1 && key.endsWith(".zst") ? { truncate: true } : undefined)],
  ];
  for (const [name, fault] of faults) {
    for (const via of ["HTTP", "S3"] as const) {
      test(`${via}: ${name}: every ledger once, in order`, async () => {
        const server = await serve({ fault: (key, hit) => (key === objectKey(30822018) || key === "pubnet/.config.json" ? fault(key, hit) : undefined) });
        const retry = { ...FAST_RETRY, timeoutMs: 300 };
        const source =
          via === "HTTP"
            ? await httpLake(server, { retry })
            : await openDataLake(`s3://${server.bucket}/pubnet`, { s3Endpoint: server.endpoint, retry, maxBatchWaitMs: 10_000 });
        await expectWholeRange(source);
        expect(server.hits(objectKey(30822018))).toBeGreaterThan(1);
      });
    }
  }

  test("Retry-After is honoured (capped by maxRetryAfterMs)", async () => {
    const server = await serve({ fault: (key, hit) => (key === objectKey(FIRST) && hit === 1 ? { status: 429, headers: { "retry-after": "5" } } : undefined) });
    const source = await httpLake(server, { retry: { ...FAST_RETRY, maxRetryAfterMs: 250 } });
    const started = performance.now();
    await expectWholeRange(source);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  test("the server dying mid-run and coming back: every ledger once, in order", async () => {
    const server = await serve({
      fault: (key, hit) => {
        if (key === objectKey(30822020) && hit === 1) {
          server.stop();
          setTimeout(() => server.listen(), 100);
          return { hang: true };
        }
        return undefined;
      },
    });
    await expectWholeRange(await httpLake(server, { retry: { ...FAST_RETRY, attempts: 8, baseDelayMs: 50, maxDelayMs: 200, timeoutMs: 300 } }));
  });

  test("a server that stays down: a SourceError naming the ledger and URL, the ledgers before it delivered", async () => {
    const server = await serve({ fault: (key) => (key === objectKey(30822020) ? { status: 500 } : undefined) });
    const source = await httpLake(server, { concurrency: 2 });
    const { ledgers, error } = await readRange(source, FIRST, LAST);
    expect(ledgers.map((l) => l.sequence)).toEqual([30822015, 30822016, 30822017, 30822018, 30822019]);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).ledger).toBe(30822020);
    expect((error as Error).message).toContain(server.url(objectKey(30822020)));
    expect((error as Error).message).toMatch(/HTTP 500.*gave up after 5 tries/);
  });

  test("a 404 inside the range is a clear error naming the ledger and URL", async () => {
    const server = await serve();
    const { ledgers, error } = await readRange(await httpLake(server), 30822024, 30822026);
    expect(ledgers.map((l) => l.sequence)).toEqual([30822024, 30822025]);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/^ledger 30822026 not found in the lake/);
    expect((error as Error).message).toContain(server.url(objectKey(30822026)));
  });

  test("an unreachable lake fails fast with a message that says how to use a local lake", async () => {
    const started = performance.now();
    const error = await openDataLake("http://127.0.0.1:9/pubnet", { retry: FAST_RETRY, openTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toContain("http://127.0.0.1:9/pubnet/.config.json");
    expect((error as Error).message).toContain("--datalake ../shared/ledgers/pubnet");
  });
});
