// Flow control of the data plane: a downstream that reads slowly slows its upstream. The source
// stage produces a batch only when fewer than max_inflight wait to be sent (plus what the sockets
// hold), so its memory stays bounded, and the downstream gets every batch, in order.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { rawLedgerBatch, rawLedgerSchema } from "../../src/arrow/ledger-batch.ts";
import { Component } from "../../src/component/component.ts";
import { SOURCE_KIND } from "../../src/component/kinds.ts";
import { LEDGERS_PATH, mountSourceStage } from "../../src/stages/http/source-stage.ts";
import { serveApp } from "../../src/http/serve-app.ts";
import type { LedgerSource } from "../../src/source/ledger-source.ts";
import { ledgersOfFrame } from "../../src/stages/http/batch-frames.ts";
import { readUpstream } from "../../src/stages/http/stream-client.ts";
import { fixedUpstream } from "../../src/stages/http/upstream.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { freePort } from "../support/flowctl.ts";
import { allRows, killAll, spawnCli, type Child } from "./stage-processes.ts";
import { valueOf } from "../support/prometheus-text.ts";

const LEDGER_BYTES = 1024 * 1024;

/** A source of `count` 1 MiB ledgers, counting how many it has made. */
function bigLedgers(count: number) {
  const made = { ledgers: 0 };
  const source: LedgerSource = {
    description: "synthetic 1 MiB ledgers",
    networkPassphrase: "Test SDF Network ; September 2015",
    async *batches(range) {
      for (let sequence = range.start; sequence <= Math.min(range.end, range.start + count - 1); sequence++) {
        const xdr = new Uint8Array(LEDGER_BYTES).fill(sequence % 251);
        made.ledgers++;
        yield rawLedgerBatch([{ sequence, hash: sequence.toString(16).padStart(64, "0"), previousHash: (sequence - 1).toString(16).padStart(64, "0"), closedAt: 1_700_000_000 + sequence, protocolVersion: 23, xdr }]);
      }
    },
  };
  return { source, made };
}

describe("backpressure", () => {
  test("a slow reader keeps the source's lead (and so its memory) bounded, and gets every batch in order", async () => {
    const total = 160;
    const { source, made } = bigLedgers(total);
    const component = new Component(SOURCE_KIND, "stellar-arrow-source", {});
    const app = new Hono();
    mountSourceStage(app, component, { source, rangeStart: 1, defaultStart: async () => 1, rangeEnd: total, maxInflight: 2, maxLedgersPerSecond: null, log: () => {} });
    const server = serveApp(app.fetch, { host: "127.0.0.1", port: 0, idleTimeout: 0 });
    try {
      const rssBefore = process.memoryUsage().rss;
      let received = 0;
      let maxLead = 0;
      let maxRss = 0;
      const batches = readUpstream({
        upstream: fixedUpstream(`${server.url}${LEDGERS_PATH}`),
        path: LEDGERS_PATH,
        from: { start: null, previousHash: null },
        decode: (frame) => {
          const { header, batch } = ledgersOfFrame(frame, rawLedgerSchema);
          return { item: { header, bytes: (batch.getChild("xdr")!.get(0) as Uint8Array).byteLength }, next: { start: header.lastLedger + 1, previousHash: header.lastHash } };
        },
      });
      const started = performance.now();
      for await (const { header, bytes } of batches) {
        received++;
        expect(header.firstLedger).toBe(received); // in order, nothing skipped or repeated
        expect(bytes).toBe(LEDGER_BYTES);
        maxLead = Math.max(maxLead, made.ledgers - received);
        if (received % 20 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
        await Bun.sleep(10); // the slow downstream
      }
      const elapsedMs = performance.now() - started;
      expect(received).toBe(total);
      expect(made.ledgers).toBe(total);
      // produced ahead: max_inflight in the stream's queue plus what loopback sockets buffer (a few MiB)
      console.log(`backpressure: ${total} MiB through a reader 10 ms/batch in ${Math.round(elapsedMs)} ms; source ahead by at most ${maxLead} batches; RSS +${Math.round((maxRss - rssBefore) / 2 ** 20)} MiB`);
      expect(maxLead).toBeLessThanOrEqual(24);
      expect(elapsedMs).toBeGreaterThanOrEqual(total * 10); // the source waited for the reader
    } finally {
      await server.stop();
    }
  }, 60_000);

  test("processes: a deliberately slow sink (paced commits, max_inflight 1) loses nothing", async () => {
    const work = await mkdtemp(join(tmpdir(), "stellar-flow-backpressure-"));
    const children: Child[] = [];
    try {
      const [sourcePort, processorPort] = [freePort(), freePort()];
      const range = ["--start", "30822015", "--end", "30822025"];
      children.push(spawnCli("source", ["--datalake", lakePath("pubnet"), ...range, "--batch-size", "1", "--max-inflight", "1", "--port", String(sourcePort), "--flowctl", "off"]));
      children.push(spawnCli("processor", ["--upstream", `http://127.0.0.1:${sourcePort}`, "--port", String(processorPort), "--workers", "1", "--max-inflight", "1", "--flowctl", "off"]));
      const db = join(work, "slow.duckdb");
      const started = performance.now();
      const sink = spawnCli("sink", ["--db", db, "--upstream", `http://127.0.0.1:${processorPort}`, "--port", "0", "--max-ledgers-per-second", "5", "--flowctl", "off"]);
      children.push(sink);
      const reference = join(work, "reference.duckdb");
      const single = spawnCli("pipeline", ["--datalake", lakePath("pubnet"), ...range, "--db", reference, "--health-ports", "off", "--flowctl", "off"]);
      expect((await single.done).code).toBe(0);
      const result = await sink.done;
      expect(result.code).toBe(0);
      expect(performance.now() - started).toBeGreaterThan(1500); // 11 ledgers at 5 per second
      expect(await allRows(db)).toEqual(await allRows(reference));
      const metrics = await (await fetch(`http://127.0.0.1:${sourcePort}/metrics`)).text();
      expect(valueOf(metrics, "stellarflow_ledgers_processed_total", { component: "stellar-arrow-source" })).toBe(11); // each ledger served once
      expect(valueOf(metrics, "stellarflow_data_streams_opened_total", { kind: "ledgers" })).toBe(1); // one stream: nothing reconnected
    } finally {
      await killAll(children);
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});
