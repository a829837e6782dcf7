// The source's and processor's servers (bun run source|processor, in process here): with
// STELLAR_FLOW_API_TOKEN every route but /livez wants the token (the data streams too, and the
// downstream sends it); a request that stalls is dropped after the idle timeout while a quiet data
// stream outlives it; at most maxDataStreams streams at once, one more answers 503.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawLedgerBatch, rawLedgerSchema } from "../../src/arrow/ledger-batch.ts";
import { Component } from "../../src/component/component.ts";
import { PROCESSOR_KIND, SOURCE_KIND } from "../../src/component/kinds.ts";
import { EVENTS_PATH, mountProcessorStage } from "../../src/stages/http/processor-stage.ts";
import { LEDGERS_PATH, mountSourceStage } from "../../src/stages/http/source-stage.ts";
import { serveComponent, type ComponentServer as StageServer } from "../../src/component/serve-component.ts";
import type { LedgerSource } from "../../src/source/ledger-source.ts";
import { ledgersOfFrame } from "../../src/stages/http/batch-frames.ts";
import { readUpstream } from "../../src/stages/http/stream-client.ts";
import { fixedUpstream } from "../../src/stages/http/upstream.ts";
import { waitFor } from "../support/flowctl.ts";
import { stalledRequest } from "../support/stalled-requests.ts";

const TOKEN = "stage-t0ken";
const auth = { authorization: `Bearer ${TOKEN}` };
const FLOWCTL_OFF = { enabled: false, endpoint: "http://localhost:8080", heartbeatIntervalMs: 10_000, token: null };
const LIMITS = { idleTimeoutSeconds: 1, maxRequestBytes: 64 * 1024 };

const hash = (n: number) => n.toString(16).padStart(64, "0");
const ledger = (sequence: number) => rawLedgerBatch([{ sequence, hash: hash(sequence), previousHash: hash(sequence - 1), closedAt: 1_700_000_000 + sequence, protocolVersion: 23, xdr: new Uint8Array(16) }]);

/** Ledger 1 at once, ledger 2 only after `pauseMs` of silence; nothing at all when `pauseMs` is Infinity (until aborted). */
function quietSource(pauseMs: number): LedgerSource {
  return {
    description: "a quiet source",
    networkPassphrase: "Test SDF Network ; September 2015",
    async *batches(range, options) {
      if (Number.isFinite(pauseMs)) yield ledger(range.start);
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(pauseMs) ? setTimeout(resolve, pauseMs) : undefined;
        options?.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (options?.signal?.aborted) return;
      yield ledger(range.start + 1);
    },
  };
}

function sourceServer(source: LedgerSource, rangeEnd: number): StageServer {
  const component = new Component(SOURCE_KIND, "stellar-arrow-source", {});
  return serveComponent(component, {
    host: "127.0.0.1",
    port: 0,
    flowctl: FLOWCTL_OFF,
    dataPath: LEDGERS_PATH,
    token: TOKEN,
    limits: LIMITS,
    log: () => {},
    routes: (app) => mountSourceStage(app, component, { source, rangeStart: 1, defaultStart: async () => 1, rangeEnd, maxInflight: 2, maxLedgersPerSecond: null, maxStreams: 2, log: () => {} }),
  });
}

/** Opens a data stream (whose head may not come until its first frame does); abort to close it. */
function openStream(url: string): { response: Promise<Response | null>; abort: AbortController } {
  const abort = new AbortController();
  return { response: fetch(url, { headers: auth, signal: abort.signal }).catch(() => null), abort };
}

/** The status of one more stream, once the server has settled on an answer (503 while the slots are full). */
async function statusOfAnother(url: string, want: number): Promise<number> {
  return waitFor(`HTTP ${want} for one more stream`, async () => {
    const another = openStream(url);
    const response = await Promise.race([another.response, Bun.sleep(500).then(() => null)]);
    another.abort.abort();
    const status = response?.status ?? 200; // no head within 500 ms: accepted, waiting for its first frame
    return status === want ? status : undefined;
  });
}

describe("source stage server", () => {
  let quiet: StageServer;
  let silent: StageServer;
  beforeAll(() => {
    quiet = sourceServer(quietSource(6_000), 2);
    silent = sourceServer(quietSource(Number.POSITIVE_INFINITY), 2);
  });
  afterAll(async () => {
    await quiet.stop();
    await silent.stop();
  });

  test("every route but /livez wants the token", async () => {
    for (const path of ["/health", "/metrics", `${LEDGERS_PATH}?start=1`]) {
      const response = await fetch(`${quiet.url}${path}`);
      expect([path, response.status]).toEqual([path, 401]);
      expect(((await response.json()) as { error: string }).error).toMatch(/needs a token/);
      expect((await fetch(`${quiet.url}${path}`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    }
    expect((await fetch(`${quiet.url}/health`, { headers: auth })).status).toBe(200);
    const live = await fetch(`${quiet.url}/livez`);
    expect([live.status, await live.text()]).toEqual([200, "ok"]);
  });

  test("a request that never finishes is dropped after the idle timeout", async () => {
    const stalled = await stalledRequest(quiet.url!, LEDGERS_PATH);
    await waitFor("the server to drop the stalled request", () => (stalled.isClosed() ? true : undefined), 15_000);
  }, 20_000);

  test("a data stream quiet for longer than the idle timeout goes on (the downstream sends the token)", async () => {
    const got: number[] = [];
    for await (const first of readUpstream({
      upstream: fixedUpstream(`${quiet.url}${LEDGERS_PATH}`, TOKEN),
      path: LEDGERS_PATH,
      from: { start: null, previousHash: null },
      decode: (frame) => {
        const { header } = ledgersOfFrame(frame, rawLedgerSchema);
        return { item: header.firstLedger, next: { start: header.lastLedger + 1, previousHash: header.lastHash } };
      },
      policy: { attempts: 0 },
    })) {
      got.push(first);
    }
    expect(got).toEqual([1, 2]); // one stream, 6 s of silence between them, no reconnect (attempts: 0)
  }, 20_000);

  test("at most maxDataStreams streams at once: one more answers 503; a closed one frees its slot", async () => {
    const url = `${silent.url}${LEDGERS_PATH}`;
    const a = openStream(url);
    const b = openStream(url);
    expect(await statusOfAnother(url, 503)).toBe(503);
    const refused = await fetch(url, { headers: auth });
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { error: string }).error).toBe("too many data streams open (2): close one, or try again later");
    a.abort.abort();
    expect(await statusOfAnother(url, 200)).toBe(200);
    b.abort.abort();
  }, 30_000);
});

describe("processor stage server", () => {
  let upstream: StageServer;
  let processor: StageServer;
  beforeAll(() => {
    upstream = sourceServer(quietSource(Number.POSITIVE_INFINITY), 10);
    const component = new Component(PROCESSOR_KIND, "ttp-arrow-processor", {});
    processor = serveComponent(component, {
      host: "127.0.0.1",
      port: 0,
      flowctl: FLOWCTL_OFF,
      dataPath: EVENTS_PATH,
      token: TOKEN,
      limits: LIMITS,
      log: () => {},
      routes: (app) =>
        mountProcessorStage(app, component, {
          upstream: fixedUpstream(`${upstream.url}${LEDGERS_PATH}`, TOKEN),
          processorFor: () => {
            throw new Error("no ledger ever comes");
          },
          maxInflight: 2,
          maxStreams: 2,
          log: () => {},
        }),
    });
  });
  afterAll(async () => {
    await processor.stop();
    await upstream.stop();
  });

  test("every route but /livez wants the token; a stalled request is dropped", async () => {
    for (const path of ["/health", "/metrics", `${EVENTS_PATH}?start=1`]) expect([path, (await fetch(`${processor.url}${path}`)).status]).toEqual([path, 401]);
    expect((await fetch(`${processor.url}/livez`)).status).toBe(200);
    const stalled = await stalledRequest(processor.url!, EVENTS_PATH);
    await waitFor("the server to drop the stalled request", () => (stalled.isClosed() ? true : undefined), 15_000);
  }, 20_000);

  test("at most maxDataStreams streams at once; each holds one of the source's (asked with the token)", async () => {
    const url = `${processor.url}${EVENTS_PATH}`;
    const a = openStream(url);
    const b = openStream(url);
    expect(await statusOfAnother(url, 503)).toBe(503);
    const refused = await fetch(url, { headers: auth });
    expect(((await refused.json()) as { error: string }).error).toBe("too many data streams open (2): close one, or try again later");
    // the processor's upstream streams were accepted with the token: the source holds two, so one more is refused
    expect(await statusOfAnother(`${upstream.url}${LEDGERS_PATH}`, 503)).toBe(503);
    a.abort.abort();
    b.abort.abort();
    expect(await statusOfAnother(url, 200)).toBe(200);
  }, 30_000);
});
