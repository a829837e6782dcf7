// The edge API's bundle (bun run build:edge) in workerd through miniflare, and the library entry
// (bun run build:lib) under Node 20, against a local HTTP lake serving ../shared in place: for every
// ledger of every shared lake, the events equal the rows of the CLI run with the same setting
// (the load-test lakes need --no-tx-set-check; the Worker's STELLAR_FLOW_TX_SET_CHECK=off).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { LedgerEventsService } from "../../src/gen/stellarflow/v1/ledger_events_service_pb.ts";
import { EventType } from "../../src/gen/stellarflow/v1/ttp_event_pb.ts";
import { cliRows, parseNdjson, rangeKey, type LakeRows, type Row } from "../support/cli-rows.ts";
import { REPO, runBunScript } from "../support/cli.ts";
import { LEDGERS_DIR } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { startWorker, type RunningWorker } from "../../scripts/fixtures/workerd.ts";

const LAKES = [
  { lake: "pubnet", txSetCheck: true },
  { lake: "testnet", txSetCheck: true },
  { lake: "standalone-p23", txSetCheck: false },
  { lake: "standalone-p24", txSetCheck: false },
] as const;

let work: string;
let bundle: string;
let server: S3TestServer;
const expected = new Map<string, LakeRows>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-edge-golden-"));
  server = await S3TestServer.start({ root: LEDGERS_DIR });
  const build = await runBunScript("scripts/build-edge.ts", ["--outdir", work]);
  expect(build.code).toBe(0);
  expect(build.stdout).toMatch(/build:edge: .*worker\.js [\d.]+ KiB \([\d.]+ KiB gzip\)/);
  bundle = join(work, "worker.js");
  for (const { lake, txSetCheck } of LAKES) expected.set(lake, await cliRows(lake, { txSetCheck }));
}, 240_000);

afterAll(async () => {
  server?.stop();
  await rm(work, { recursive: true, force: true });
});

const totalEvents = () => [...expected.values()].reduce((n, lake) => n + [...lake.rows.values()].reduce((m, rows) => m + rows.length, 0), 0);

describe("the Worker bundle in workerd", () => {
  for (const { lake, txSetCheck } of LAKES) {
    test(`${lake}: every ledger's events equal the CLI's rows${txSetCheck ? "" : " (both without the tx-set check)"}`, async () => {
      const worker = await startWorker(bundle, { STELLAR_FLOW_DATALAKE: server.url(lake), ...(txSetCheck ? {} : { STELLAR_FLOW_TX_SET_CHECK: "off" }) });
      try {
        const { ranges, rows } = expected.get(lake)!;
        for (const [start, end] of ranges) {
          const response = await worker.fetch(`/v1/ledgers/${start === end ? start : `${start}-${end}`}/events`, { headers: { accept: "application/x-ndjson" } });
          const text = await response.text();
          expect({ status: response.status, text: response.status === 200 ? "" : text }).toEqual({ status: 200, text: "" });
          expect(response.headers.get("content-type")).toBe("application/x-ndjson");
          expect(parseNdjson(text)).toEqual(rows.get(rangeKey(start, end))!);
        }
      } finally {
        await worker.dispose();
      }
    });
  }

  test("the shared pubnet ledgers hold 2,825 events, as the CLI says", () => {
    const pubnet = [...expected.get("pubnet")!.rows.values()].flat();
    expect(pubnet).toHaveLength(2825);
    expect(totalEvents()).toBeGreaterThan(2825);
  });

  test("JSON, Arrow IPC and Connect answer the same events as NDJSON", async () => {
    const worker = await startWorker(bundle, { STELLAR_FLOW_DATALAKE: server.url("pubnet") });
    try {
      const rows = expected.get("pubnet")!.rows.get(rangeKey(30822015, 30822025))!;
      const path = "/v1/ledgers/30822015-30822025/events";

      const json = (await (await worker.fetch(path)).json()) as { ledgers: Row[]; events: Row[] };
      expect(json.events).toEqual(rows);
      expect(json.ledgers.map((l) => l.sequence)).toEqual([...Array(11).keys()].map((i) => 30822015 + i));
      expect(json.ledgers.reduce((n, l) => n + (l.event_count as number), 0)).toBe(rows.length);

      const arrow = await worker.fetch(path, { headers: { accept: "application/vnd.apache.arrow.stream" } });
      expect(arrow.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
      const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
      expect(table.numRows).toBe(rows.length);
      expect(table.getChild("tx_hash")!.toArray()).toEqual(rows.map((r) => r.tx_hash));
      expect(table.getChild("event_index")!.toArray()).toEqual(Uint32Array.from(rows.map((r) => r.event_index as number)));

      const rpc = await worker.fetch("/stellarflow.v1.LedgerEventsService/GetLedgerEvents", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ startLedger: 30822015, endLedger: 30822025 }),
      });
      expect(rpc.status).toBe(200);
      const message = (await rpc.json()) as { ledgers: unknown[]; events: { txHash: string; amount: string; eventIndex?: number; eventType: string }[] };
      expect(message.ledgers).toHaveLength(11);
      expect(message.events.map((e) => [e.txHash, e.amount, e.eventIndex ?? 0, e.eventType.replace("EVENT_TYPE_", "").toLowerCase()])).toEqual(
        rows.map((r) => [r.tx_hash, r.amount, r.event_index, r.event_type] as (string | number)[]),
      );

      // a connect-web client, binary protobuf, as a browser would call it
      const transport = createConnectTransport({ baseUrl: "http://edge.test", useBinaryFormat: true, fetch: ((input: RequestInfo | URL, init?: RequestInit) => worker.fetch(new URL(String(input)).pathname, init)) as typeof fetch });
      const answer = await createClient(LedgerEventsService, transport).getLedgerEvents({ startLedger: 30822015, endLedger: 30822025 });
      expect(answer.ledgers.map((l) => l.sequence)).toEqual(json.ledgers.map((l) => l.sequence as number));
      const viaConnectWeb: Row[] = answer.events.map((e) => ({
          ledger_sequence: e.ledgerSequence,
          closed_at: new Date(Number(e.closedAt!.seconds) * 1000).toISOString(),
          tx_hash: e.txHash,
          transaction_index: e.transactionIndex,
          operation_index: e.operationIndex ?? null,
          event_index: e.eventIndex,
          event_type: EventType[e.eventType]!.toLowerCase(),
          from_address: e.fromAddress ?? null,
          to_address: e.toAddress ?? null,
          asset: e.asset ?? null,
          amount: e.amount,
          contract_address: e.contractAddress,
          to_muxed_type: e.toMuxed?.value.case ?? null,
          to_muxed_value:
          e.toMuxed?.value.case === "hash" ? Buffer.from(e.toMuxed.value.value).toString("hex") : e.toMuxed?.value.value !== undefined ? String(e.toMuxed.value.value) : null,
      }));
      expect(viaConnectWeb).toEqual(rows);
    } finally {
      await worker.dispose();
    }
  });
});

/** dist/lib, built once for the Node tests (the package's exports point Node there). */
let libBuilt: ReturnType<typeof runBunScript> | null = null;

describe("the library entry under Node 20", () => {
  test("node is Node >= 20", async () => {
    const version = Bun.spawnSync(["node", "--version"]).stdout.toString().trim();
    expect(Number(/^v(\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(20);
  });

  for (const { lake, txSetCheck } of LAKES) {
    const adapters = lake.startsWith("standalone") ? "node" : "portable";
    test(`${lake}: every ledger's events equal the CLI's rows (${adapters} adapters)`, async () => {
      libBuilt ??= runBunScript("scripts/build-lib.ts", []);
      expect((await libBuilt).code).toBe(0);
      const { ranges, rows } = expected.get(lake)!;
      const node = Bun.spawn(["node", "tests/edge/node-lake-events.mjs", server.url(lake), JSON.stringify(ranges), txSetCheck ? "on" : "off", adapters], {
        cwd: REPO,
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, code] = await Promise.all([new Response(node.stdout).text(), new Response(node.stderr).text(), node.exited]);
      expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
      expect(stderr).toMatch(/^node v\d+/);
      expect(parseNdjson(stdout)).toEqual(ranges.flatMap(([start, end]) => rows.get(rangeKey(start, end))!));
    });
  }
});
