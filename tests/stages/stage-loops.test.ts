// The stage loops are plain functions over async iterables, and the metrics are counted in one place
// (src/component/stage-meters.ts): the in-process pipeline and the stage processes (the same loops
// behind HTTP frames) count the same range alike.
import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { join } from "node:path";
import { Component } from "../../src/component/component.ts";
import { PROCESSOR_KIND, SINK_KIND, SOURCE_KIND } from "../../src/component/kinds.ts";
import { processorMeter, sinkMeter, sourceMeter } from "../../src/component/stage-meters.ts";
import { serveApp, type ServedApp } from "../../src/http/serve-app.ts";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { openSink, type OpenedSink } from "../../src/sink/open-sink.ts";
import { mountProcessorStage } from "../../src/stages/http/processor-stage.ts";
import { ingest } from "../../src/stages/http/sink-stage.ts";
import { LEDGERS_PATH, mountSourceStage } from "../../src/stages/http/source-stage.ts";
import { fixedUpstream } from "../../src/stages/http/upstream.ts";
import { processLedgers } from "../../src/stages/processor-loop.ts";
import { readLedgers } from "../../src/stages/source-loop.ts";
import { fakeProcessor, fakeSource } from "../pipeline/fake-stages.ts";
import { tempDir } from "../sink/fixtures.ts";

const RANGE = { start: 100, end: 111 };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function sink(name: string): Promise<OpenedSink> {
  const dir = tempDir();
  const opened = await openSink(join(dir.path, `${name}.duckdb`));
  cleanup.push(() => dir.remove(), async () => void (await opened.close()));
  return opened;
}

function components() {
  return { source: new Component(SOURCE_KIND, "s", {}), processor: new Component(PROCESSOR_KIND, "p", {}), sink: new Component(SINK_KIND, "k", {}) };
}

/** The counters (not rates or times) of a component. */
function counters(component: Component): Record<string, number> {
  const all = component.metrics.snapshot(true);
  return Object.fromEntries(Object.entries(all).filter(([name]) => name.endsWith("_total") || name === "current_ledger"));
}

function serve(mount: (app: Hono) => void): ServedApp {
  const app = new Hono();
  mount(app);
  const server = serveApp(app.fetch, { host: "127.0.0.1", port: 0, idleTimeout: 0 });
  cleanup.push(() => server.stop());
  return server;
}

describe("stage loops", () => {
  test("the in-process pipeline and the stage processes count the same range alike", async () => {
    const inProcess = components();
    await runPipeline({
      source: fakeSource(3),
      processor: fakeProcessor(),
      sink: (await sink("in-process")).sink,
      range: RANGE,
      startOver: true,
      groupCommit: { ledgers: 6, ms: 60_000 },
      observer: { source: sourceMeter(inProcess.source), processor: processorMeter(inProcess.processor), sink: sinkMeter(inProcess.sink) },
    });

    const asProcesses = components();
    const source = serve((app) =>
      mountSourceStage(app, asProcesses.source, { source: fakeSource(3), rangeStart: RANGE.start, defaultStart: async () => RANGE.start, rangeEnd: RANGE.end, maxInflight: 2, maxLedgersPerSecond: null, log: () => {} }),
    );
    const processor = serve((app) =>
      mountProcessorStage(app, asProcesses.processor, { upstream: fixedUpstream(`${source.url}${LEDGERS_PATH}`), processorFor: () => ({ processor: fakeProcessor() }), maxInflight: 2, log: () => {} }),
    );
    const summary = await ingest(asProcesses.sink, { sink: (await sink("processes")).sink, upstream: fixedUpstream(processor.url), startOver: { at: RANGE.start }, groupCommit: { ledgers: 6, ms: 60_000 }, log: () => {} });
    expect(summary).toMatchObject({ ledgers: 12, cursor: 111 });

    for (const stage of ["source", "processor", "sink"] as const) {
      expect([stage, counters(asProcesses[stage])]).toEqual([stage, counters(inProcess[stage])]);
    }
    expect(counters(inProcess.source)).toMatchObject({ ledgers_processed_total: 12, batches_processed_total: 4, bytes_read_total: 12, current_ledger: 111 });
    expect(counters(inProcess.sink)).toMatchObject({ ledgers_processed_total: 12, batches_committed_total: 4, events_written_total: 48, rows_written_total: 60 });
  });

  test("a ledger that fails comes as its batch's failure with the rows before it, then is thrown and counted once", async () => {
    const processor = new Component(PROCESSOR_KIND, "p", {});
    const seen: number[] = [];
    const run = (async () => {
      for await (const batch of processLedgers(readLedgers(fakeSource(4), RANGE), fakeProcessor({ failAt: 106 }), { meter: processorMeter(processor) })) {
        seen.push(batch.ledgers.numRows);
        expect(batch.failure === null).toBe(batch.lastLedger !== 105);
      }
    })();
    await expect(run).rejects.toThrow(/bad ledger \(ledger 106\)/);
    expect(seen).toEqual([4, 2]); // 100-103, then 104-105 with the failure
    expect(processor.metrics.count("processing_errors_total")).toBe(1);
    expect(processor.metrics.count("ledgers_processed_total")).toBe(6);
  });

  test("a source failure is counted once; an interruption is no failure", async () => {
    const source = new Component(SOURCE_KIND, "s", {});
    const broken = (async () => {
      for await (const _ of readLedgers(fakeSource(4, { failAfter: 103 }), RANGE, { meter: sourceMeter(source) }));
    })();
    await expect(broken).rejects.toThrow("source broke at ledger 104");
    expect(source.metrics.count("validation_errors_total")).toBe(1);

    const abort = new AbortController();
    const interrupted = (async () => {
      for await (const _ of readLedgers(fakeSource(4, { before: async (first) => void (first === 104 && abort.abort(new Error("stop"))) }), RANGE, { meter: sourceMeter(source), signal: abort.signal }));
    })();
    await expect(interrupted).rejects.toThrow("stop");
    expect(source.metrics.count("validation_errors_total")).toBe(1);
  });
});
