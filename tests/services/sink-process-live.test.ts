// `bun run sink` ingesting from its upstream processor (components as processes): its EventService
// streams events live as it commits them, and /ws answers on the same port.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { EventService } from "../../src/gen/stellarflow/v1/event_service_pb.ts";
import { freePort, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { killAll, spawnCli, type Child } from "../processes/stage-processes.ts";

const FIRST = 30822015;
const LAST = 30822025;
let work: string;
const children: Child[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-sink-live-"));
});
afterAll(async () => {
  await killAll(children);
  await rm(work, { recursive: true, force: true });
});

test("events reach a client of the sink process while it commits, each once, in order", async () => {
  const [sourcePort, processorPort, sinkPort] = [freePort(), freePort(), freePort()];
  children.push(spawnCli("source", ["--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--batch-size", "1", "--max-ledgers-per-second", "2", "--port", String(sourcePort), "--flowctl", "off"]));
  children.push(spawnCli("processor", ["--upstream", `http://127.0.0.1:${sourcePort}/v1/ledgers`, "--port", String(processorPort), "--workers", "1", "--flowctl", "off"]));
  const sink = spawnCli("sink", ["--db", join(work, "live.duckdb"), "--upstream", `http://127.0.0.1:${processorPort}/v1/events`, "--port", String(sinkPort), "--keep-serving", "--flowctl", "off"]);
  children.push(sink);
  const url = `http://127.0.0.1:${sinkPort}`;
  await waitFor("the sink's server", async () => ((await fetch(`${url}/health`).catch(() => null))?.status ? true : undefined), 20_000);

  const client = createClient(EventService, createConnectTransport({ baseUrl: url, defaultTimeoutMs: 60_000 }));
  const keys: string[] = [];
  let liveBeforeTheEnd = false;
  for await (const page of client.streamEvents({ startLedger: FIRST, endLedger: LAST })) {
    for (const e of page.events) keys.push(`${e.ledgerSequence}/${e.eventIndex}`);
    if (page.events.length > 0 && !/committed {4}11 ledgers/.test(sink.stdout.text())) liveBeforeTheEnd = true;
  }
  expect(liveBeforeTheEnd).toBe(true);
  expect(keys.length).toBe(668);
  expect(new Set(keys).size).toBe(668);
  const order = keys.map((k) => k.split("/").map(Number) as [number, number]);
  expect(order.every((k, i) => i === 0 || k[0] > order[i - 1]![0] || (k[0] === order[i - 1]![0] && k[1] > order[i - 1]![1]))).toBe(true);

  // /ws on the same server (the stage server passes Bun the WebSocket handlers)
  const frame = await new Promise<{ events: unknown[]; through_ledger: number }>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${sinkPort}/ws?start_ledger=${LAST}&end_ledger=${LAST}`);
    const timer = setTimeout(() => reject(new Error("no /ws frame in 10 s")), 10_000);
    ws.onmessage = (message) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(message.data)));
      ws.close();
    };
  });
  expect(frame.through_ledger).toBe(LAST);
  expect(frame.events.length).toBeGreaterThan(0);
}, 90_000);
