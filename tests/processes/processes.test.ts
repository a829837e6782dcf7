// The pipeline as four processes (flowctl, source, processor, sink) streaming Arrow IPC over HTTP:
// the database they build is the single-process run's, row for row, with or without flowctl, and
// with each process killed (SIGKILL) once mid-run and started again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { flowctlClient, freePort, waitFor } from "../support/flowctl.ts";
import { allRows, killAll, sinkLedger, spawnCli, type Child } from "./stage-processes.ts";
import { ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";

const FIRST = 30822015;
const LAST = 30822025;
const RANGE = ["--start", String(FIRST), "--end", String(LAST)];
let work: string;
let reference: Awaited<ReturnType<typeof allRows>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-processes-"));
  const db = join(work, "reference.duckdb");
  const run = spawnCli("pipeline", ["--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--health-ports", "off", "--flowctl", "off"]);
  expect((await run.done).code).toBe(0);
  reference = await allRows(db);
  expect(reference.ledgers).toHaveLength(11);
  expect(reference.events).toHaveLength(668);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const flowctlArgs = (port: number) => ["--port", String(port), "--db", ":memory:", "--ttl", "2s", "--heartbeat-interval", "100ms"];
const WITH_FLOWCTL = (url: string) => ["--flowctl", url, "--flowctl-heartbeat-interval", "100ms"];

describe("source, processor and sink as processes", () => {
  test("--upstream URLs, no flowctl: the same rows as the single-process run", async () => {
    const children: Child[] = [];
    try {
      const [sourcePort, processorPort] = [freePort(), freePort()];
      children.push(spawnCli("source", ["--datalake", lakePath("pubnet"), ...RANGE, "--batch-size", "3", "--port", String(sourcePort), "--flowctl", "off"]));
      children.push(spawnCli("processor", ["--upstream", `http://127.0.0.1:${sourcePort}/v1/ledgers`, "--port", String(processorPort), "--workers", "1", "--flowctl", "off"]));
      const db = join(work, "upstream.duckdb");
      // the sink may start first: it retries until the processor listens
      const sink = spawnCli("sink", ["--db", db, "--upstream", `http://127.0.0.1:${processorPort}/v1/events`, "--port", "0", "--flowctl", "off"]);
      children.push(sink);
      const result = await sink.done;
      expect(result.stderr).not.toContain("error");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("committed    11 ledgers, 668 events (through ledger 30822025)");
      expect(await allRows(db)).toEqual(reference);
    } finally {
      await killAll(children);
    }
  }, 60_000);

  test("four processes finding each other through flowctl: the same rows; each registered with its stream endpoint", async () => {
    const children: Child[] = [];
    try {
      const flowctlPort = freePort();
      const flowctl = `http://127.0.0.1:${flowctlPort}`;
      children.push(spawnCli("flowctl", flowctlArgs(flowctlPort)));
      const db = join(work, "flowctl.duckdb");
      // downstream first: they wait for flowctl to know a producer
      const sink = spawnCli("sink", ["--db", db, "--port", "0", "--keep-serving", ...WITH_FLOWCTL(flowctl)]);
      children.push(sink);
      children.push(spawnCli("processor", ["--port", "0", "--workers", "0", ...WITH_FLOWCTL(flowctl)]));
      children.push(spawnCli("source", ["--datalake", lakePath("pubnet"), ...RANGE, "--port", "0", ...WITH_FLOWCTL(flowctl)]));
      await waitFor("the sink to commit the range", () => (/committed {4}11 ledgers, 668 events/.test(sink.stdout.text()) ? true : undefined), 30_000);
      const client = flowctlClient(flowctl);
      const services = (await client.listServices({})).services.map((s) => s.service!);
      const source = services.find((s) => s.serviceType === ServiceType.SOURCE)!;
      const processor = services.find((s) => s.serviceType === ServiceType.PROCESSOR)!;
      expect(source.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/ledgers$/);
      expect(source.outputEventTypes).toEqual(["stellar.ledger.v1"]);
      expect(processor.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/events$/);
      expect(processor.inputEventTypes).toEqual(["stellar.ledger.v1"]);
      expect(processor.metadata.upstream).toContain("stellar.ledger.v1");
      const sinkHealth = (await (await fetch(services.find((s) => s.serviceType === ServiceType.SINK)!.healthEndpoint)).json()) as any;
      expect(sinkHealth).toMatchObject({ status: "healthy", component: "arrow-analytics-sink", pipeline: { last_ledger: LAST, target_ledger: LAST, lag_ledgers: 0 } });
      expect(sinkHealth.upstream).toContain(processor.endpoint);
      const health = await waitFor("every stage at the range end in GetPipelineHealth", async () => {
        const h = await client.getPipelineHealth({});
        return h.stages.filter((s) => s.currentLedger === BigInt(LAST)).length === 3 ? h : undefined;
      });
      expect(health.stages.map((s) => ServiceType[s.stage])).toEqual(["SOURCE", "PROCESSOR", "SINK"]);
      // each stage's upstream, as discovery gives it
      expect(health.stages.map((s) => s.upstreamEndpoints)).toEqual([[], [source.endpoint], [processor.endpoint]]);
      expect(health.stages.every((s) => s.lagLedgers === 0n)).toBe(true);
      sink.proc.kill("SIGTERM");
      expect((await sink.done).code).toBe(0);
      expect(await allRows(db)).toEqual(reference);
    } finally {
      await killAll(children);
    }
  }, 60_000);
});

describe("bun run sink alone", () => {
  test("no upstream and flowctl off: serves the existing database's /health until SIGTERM", async () => {
    const db = join(work, "reference.duckdb");
    const sink = spawnCli("sink", ["--db", db, "--port", "0", "--flowctl", "off"]);
    try {
      const url = await waitFor("the sink's URL", () => /at (http:\S+)/.exec(sink.stderr.text())?.[1], 15_000);
      const health = (await (await fetch(`${url}/health`)).json()) as any;
      expect(health).toMatchObject({ status: "healthy", component: "arrow-analytics-sink", upstream: null, pipeline: { last_ledger: LAST } });
      sink.proc.kill("SIGTERM");
      expect((await sink.done).code).toBe(0);
      expect(await allRows(db)).toEqual(reference);
    } finally {
      await killAll([sink]);
    }
  }, 30_000);

  test("a flag of another stage is a usage error naming it", async () => {
    const result = await spawnCli("sink", ["--db", join(work, "x.duckdb"), "--datalake", "somewhere"]).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--datalake is not a flag of bun run sink");
  });
});

describe("failures", () => {
  test("source, processor and sink each killed (SIGKILL) mid-run and started again, then flowctl killed: the run carries on from the cursor, same rows", async () => {
    const children: Child[] = [];
    const flowctlPort = freePort();
    const flowctl = `http://127.0.0.1:${flowctlPort}`;
    const db = join(work, "killed.duckdb");
    const start = {
      source: () => spawnCli("source", ["--datalake", lakePath("pubnet"), ...RANGE, "--batch-size", "1", "--max-ledgers-per-second", "1.5", "--port", "0", ...WITH_FLOWCTL(flowctl)]),
      processor: () => spawnCli("processor", ["--port", "0", "--workers", "0", ...WITH_FLOWCTL(flowctl)]),
      sink: () => spawnCli("sink", ["--db", db, "--port", "0", ...WITH_FLOWCTL(flowctl)]),
    };
    const running = { flowctl: spawnCli("flowctl", flowctlArgs(flowctlPort)), source: start.source(), processor: start.processor(), sink: start.sink() };
    children.push(...Object.values(running));
    const sinkHealth = (sink: Child) => waitFor("the sink's URL", () => /serving (http:\S+)/.exec(sink.stderr.text())?.[1], 15_000).then((url) => `${url}/health`);
    let health = await sinkHealth(running.sink);
    const reached = (ledger: number) => waitFor(`the sink to commit ledger ${ledger}`, async () => ((await sinkLedger(health)) ?? 0) >= ledger || undefined, 30_000);
    try {
      let at = FIRST;
      for (const stage of ["source", "processor", "sink"] as const) {
        at += 2;
        await reached(at);
        running[stage].proc.kill("SIGKILL");
        await running[stage].proc.exited;
        expect(running.sink.proc.exitCode).toBeNull(); // mid-run, not after it
        running[stage] = start[stage]();
        children.push(running[stage]);
        if (stage === "sink") health = await sinkHealth(running.sink);
      }
      await reached(at + 2);
      running.flowctl.proc.kill("SIGKILL"); // connected components keep streaming
      await running.flowctl.proc.exited;
      expect(running.sink.proc.exitCode).toBeNull();
      const result = await running.sink.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/resuming after ledger 3082202\d, the last one committed/);
      expect(await allRows(db)).toEqual(reference);
    } finally {
      await killAll(children);
    }
  }, 90_000);
});
