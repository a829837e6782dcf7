// Throughput of the pipeline as processes (source, processor, sink streaming Arrow IPC over HTTP)
// against the single-process pipeline, on the same replayed ledgers, in the same session.
//   bun scripts/processes-bench.ts [--lake pubnet] [--ledgers 2000] [--batch-size 16] [--workers N] [--runs 3]
// The source is the bench's in-memory replay of a shared lake (ledgers renumbered 1..N), served by
// the source stage in a process of its own; the processor and sink are `bun run processor|sink`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Hono } from "hono";
import { Component } from "../src/component/component.ts";
import { SOURCE_KIND } from "../src/component/kinds.ts";
import { DEFAULT_GROUP_COMMIT } from "../src/stages/commit-group.ts";
import { ParallelTtpProcessor } from "../src/processor/parallel-processor.ts";
import { runPipeline } from "../src/pipeline/run-pipeline.ts";
import { LEDGERS_PATH, mountSourceStage } from "../src/stages/http/source-stage.ts";
import { TtpProcessor } from "../src/processor/ttp-processor.ts";
import { ledgerDecoder } from "../src/processor/ledger-decoders.ts";
import { serveApp } from "../src/http/serve-app.ts";
import { openSink } from "../src/sink/open-sink.ts";
import { lakePath } from "./fixtures/shared-ledgers.ts";
import { readLakeObjects } from "./bench/lake-objects.ts";
import { ReplaySource } from "./bench/replay-source.ts";
import { StageClock } from "./bench/stage-clock.ts";

const REPO = resolve(import.meta.dir, "..");

async function replay(lake: string, batch: number) {
  const objects = await readLakeObjects(lakePath(lake), lake);
  return new ReplaySource({ objects: objects.objects, networkPassphrase: objects.networkPassphrase, fromDisk: false, ledgersPerBatch: batch, clock: new StageClock() });
}

/** `serve PORT LAKE LEDGERS BATCH`: the replay behind the source stage, until killed. */
async function serve([port, lake, ledgers, batch]: string[]): Promise<void> {
  const source = await replay(lake!, Number(batch));
  const app = new Hono();
  const component = new Component(SOURCE_KIND, "stellar-arrow-source", {});
  mountSourceStage(app, component, { source, rangeStart: 1, defaultStart: async () => 1, rangeEnd: Number(ledgers), maxInflight: 4, maxLedgersPerSecond: null, log: () => {} });
  serveApp(app.fetch, { host: "127.0.0.1", port: Number(port), idleTimeout: 0 });
  console.log("ready");
}

/** `single LAKE LEDGERS BATCH WORKERS DB`: the in-process pipeline; prints its milliseconds. */
async function single([lake, ledgers, batch, workers, db]: string[]): Promise<void> {
  const source = await replay(lake!, Number(batch));
  const { sink } = await openSink(db!);
  const n = Number(workers);
  const parallel = n > 0 ? new ParallelTtpProcessor({ networkPassphrase: source.networkPassphrase, mode: "auto", workers: n }) : null;
  const processor = parallel ?? new TtpProcessor({ networkPassphrase: source.networkPassphrase, decoder: ledgerDecoder("fast", source.networkPassphrase), mode: "auto" });
  const started = performance.now();
  // group commit as bun run pipeline does it (and as the sink process does)
  const groupCommit = { ...DEFAULT_GROUP_COMMIT, ledgers: Math.max(DEFAULT_GROUP_COMMIT.ledgers, Number(batch)) };
  const summary = await runPipeline({ source: parallel ? parallel.readAhead(source) : source, processor, sink, range: { start: 1, end: Number(ledgers) }, groupCommit });
  const ms = performance.now() - started;
  parallel?.close();
  await sink.close();
  console.log(JSON.stringify({ ms, ledgers: summary.ledgers, events: summary.events }));
}

async function spawnText(cmd: string[]): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: REPO, stdout: "pipe", stderr: "inherit" });
  const text = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`${cmd.join(" ")} failed`);
  return text;
}

function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

async function processes(lake: string, ledgers: number, batch: number, workers: number, db: string): Promise<{ ms: number; events: number }> {
  const [sourcePort, processorPort] = [freePort(), freePort()];
  const source = Bun.spawn(["bun", "scripts/processes-bench.ts", "serve", String(sourcePort), lake, String(ledgers), String(batch)], { cwd: REPO, stdout: "pipe", stderr: "inherit" });
  const processor = Bun.spawn(["bun", "src/cli/processor.ts", "--upstream", `http://127.0.0.1:${sourcePort}`, "--port", String(processorPort), "--workers", String(workers), "--flowctl", "off"], { cwd: REPO, stdout: "ignore", stderr: "ignore" });
  try {
    const reader = source.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    const started = performance.now();
    const out = await spawnText(["bun", "src/cli/sink.ts", "--db", db, "--upstream", `http://127.0.0.1:${processorPort}`, "--port", "0", "--flowctl", "off"]);
    const wall = performance.now() - started;
    const events = Number(/(\d+) events/.exec(out)?.[1] ?? 0);
    return { ms: wall, events };
  } finally {
    source.kill("SIGKILL");
    processor.kill("SIGKILL");
    await Promise.all([source.exited, processor.exited]);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: { lake: { type: "string" }, ledgers: { type: "string" }, "batch-size": { type: "string" }, workers: { type: "string" }, runs: { type: "string" } } });
  const lake = values.lake ?? "pubnet";
  const ledgers = Number(values.ledgers ?? 2000);
  const batch = Number(values["batch-size"] ?? 16);
  const workers = Number(values.workers ?? navigator.hardwareConcurrency);
  const runs = Number(values.runs ?? 3);
  const work = await mkdtemp(join(tmpdir(), "stellar-flow-processes-bench-"));
  try {
    const results: { single: number; processes: number }[] = [];
    for (let run = 0; run < runs; run++) {
      const one = JSON.parse(await spawnText(["bun", "scripts/processes-bench.ts", "single", lake, String(ledgers), String(batch), String(workers), join(work, `single-${run}.duckdb`)])) as { ms: number; events: number };
      const many = await processes(lake, ledgers, batch, workers, join(work, `processes-${run}.duckdb`));
      if (many.events !== one.events) throw new Error(`processes committed ${many.events} events, the single process ${one.events}`);
      results.push({ single: one.ms, processes: many.ms });
      console.log(`run ${run + 1}: single process ${Math.round((ledgers * 1000) / one.ms)} ledgers/s, processes ${Math.round((ledgers * 1000) / many.ms)} ledgers/s (ratio ${(one.ms / many.ms).toFixed(2)}), ${one.events} events`);
    }
    const ratios = results.map((r) => r.single / r.processes).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(
      `${lake}, ${ledgers} ledgers, batch ${batch}, ${workers} workers: processes/single throughput = ${median.toFixed(2)} ` +
        `(median of ${runs} paired runs, range ${ratios[0]!.toFixed(2)}-${ratios[ratios.length - 1]!.toFixed(2)}; processes timed from the sink's start to its end, the single process from the pipeline's start)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const [mode, ...rest] = Bun.argv.slice(2);
if (mode === "serve") await serve(rest);
else if (mode === "single") await single(rest);
else await main();
