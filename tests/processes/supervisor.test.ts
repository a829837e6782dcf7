// `bun run pipeline --processes`: four supervised child processes; one killed with SIGKILL is
// started again and the run ends with the single-process run's rows; SIGTERM stops every child.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { flowctlClient, promtool, promtoolProblems, waitFor } from "../support/flowctl.ts";
import { valueOf } from "../support/prometheus-text.ts";
import { alive, allRows, killAll, spawnCli } from "./stage-processes.ts";

const RANGE = ["--start", "30822015", "--end", "30822025"];
let work: string;
let reference: Awaited<ReturnType<typeof allRows>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-supervisor-"));
  const db = join(work, "reference.duckdb");
  const run = spawnCli("pipeline", ["--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--health-ports", "off", "--flowctl", "off"]);
  expect((await run.done).code).toBe(0);
  reference = await allRows(db);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface PipelineHealth {
  status: string;
  flowctl: string | null;
  stages: { stage: string; state: string; pid: number | null; restarts: number; health: { upstream: string | null; last_ledger: number | null; lag_ledgers: number | null; throughput: { ledgers_per_second: number } } | null }[];
}

describe("bun run pipeline --processes", () => {
  test("the processor killed with SIGKILL is restarted; the run ends with the same rows; /health shows each stage with its upstream, lag and throughput", async () => {
    const db = join(work, "supervised.duckdb");
    const run = spawnCli("pipeline", ["--processes", "--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--batch-size", "1", "--max-ledgers-per-second", "2", "--workers", "0"]);
    const pids = new Set<number>();
    try {
      const url = await waitFor("the pipeline's /health", () => /health at (\S+)/.exec(run.stderr.text())?.[1], 15_000);
      const health = async () => (await (await fetch(url, { signal: AbortSignal.timeout(3000) })).json()) as PipelineHealth;
      const stage = (h: PipelineHealth, name: string) => h.stages.find((s) => s.stage === name)!;
      const midRun = await waitFor("the sink at ledger 30822017", async () => {
        const h = await health();
        return (stage(h, "sink").health?.last_ledger ?? 0) >= 30822017 ? h : undefined;
      }, 30_000);
      for (const s of midRun.stages) if (s.pid) pids.add(s.pid);
      expect(midRun.stages.map((s) => s.stage)).toEqual(["source", "processor", "sink"]);
      expect(stage(midRun, "processor").health?.upstream).toContain("stellar.ledger.v1");
      expect(stage(midRun, "sink").health?.upstream).toContain("stellar.ttp_event.v1");
      expect(stage(midRun, "source").health?.upstream).toContain("data lake");
      expect(typeof stage(midRun, "sink").health?.lag_ledgers).toBe("number");
      expect(typeof stage(midRun, "sink").health?.throughput.ledgers_per_second).toBe("number");

      // the pipeline registered as PIPELINE in the flowctl it started, naming its stages
      const client = flowctlClient(midRun.flowctl!);
      const registered = await waitFor("the PIPELINE registration with progress", async () => {
        const [entry] = (await client.listServices({ serviceType: ServiceType.PIPELINE })).services;
        return entry && (entry.metrics["current_ledger"] ?? 0) > 0 ? entry : undefined;
      }, 15_000);
      expect(registered.service!.componentId).toBe("stellar-flow-pipeline");
      expect(registered.service!.healthEndpoint).toBe(url);
      expect(registered.service!.metadata).toMatchObject({ mode: "processes", stages: "source,processor,sink", "sink.component_id": "arrow-analytics-sink" });
      for (const s of midRun.stages) expect(registered.service!.metadata[`${s.stage}.endpoint`]).toBe((s as { url?: string }).url!);
      expect(registered.metrics).toMatchObject({ stages: 3 });
      // the sink's target from its /health; counters /health does not carry are left out, never sent as 0
      expect(registered.metrics["target_ledger"]).toBe(30822025);
      expect(Object.keys(registered.metrics)).not.toContain("ledgers_processed_total");
      const pipelineStage = (await client.getPipelineHealth({})).stages.find((s) => s.stage === ServiceType.PIPELINE);
      expect(pipelineStage?.services).toBe(1);
      // each process's /metrics: the histograms of its stage, the component in the labels
      const metricsOf = async (name: string) => (await fetch(`${(stage(midRun, name) as { url?: string }).url}/metrics`)).text();
      expect(valueOf(await metricsOf("source"), "stellarflow_fetch_duration_seconds_count", { component: "stellar-arrow-source" })).toBeGreaterThan(0);
      expect(valueOf(await metricsOf("processor"), "stellarflow_decode_duration_seconds_count", { component: "ttp-arrow-processor" })).toBeGreaterThan(0);
      expect(valueOf(await metricsOf("sink"), "stellarflow_commit_duration_seconds_count", { component: "arrow-analytics-sink" })).toBeGreaterThan(0);
      // every server's /metrics passes promtool: the three stage processes and the flowctl the supervisor started
      if (promtool() || process.env.CI) {
        const texts = { source: await metricsOf("source"), processor: await metricsOf("processor"), sink: await metricsOf("sink"), flowctl: await (await fetch(`${midRun.flowctl}/metrics`)).text() };
        for (const [server, text] of Object.entries(texts)) expect(`${server}: ${await promtoolProblems(text)}`).toBe(`${server}: `);
        expect(texts.source).toContain('stellarflow_data_streams_open{component="stellar-arrow-source",component_id="stellar-arrow-source",type="source",kind="ledgers"} 1');
      }

      process.kill(stage(midRun, "processor").pid!, "SIGKILL");
      const restarted = await waitFor("the processor running again", async () => {
        const h = await health();
        const p = stage(h, "processor");
        return p.restarts === 1 && p.state === "running" ? h : undefined;
      }, 15_000);
      for (const s of restarted.stages) if (s.pid) pids.add(s.pid);
      expect(run.proc.exitCode).toBeNull(); // mid-run
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("committed");
      expect(result.stderr).toContain("supervisor: processor ended (killed by SIGKILL)");
      expect(result.stderr).toMatch(/flowctl: stellar-flow-pipeline unregistered/); // before flowctl stopped
      expect(await allRows(db)).toEqual(reference);
      for (const pid of pids) expect(alive(pid)).toBe(false); // no orphans
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
      await killAll([run]);
    }
  }, 90_000);

  test("SIGTERM stops every child and the run, keeping what was committed", async () => {
    const db = join(work, "sigterm.duckdb");
    const run = spawnCli("pipeline", ["--processes", "--flowctl", "off", "--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--batch-size", "1", "--max-ledgers-per-second", "1", "--workers", "0"]);
    const pids: number[] = [];
    try {
      const url = await waitFor("the pipeline's /health", () => /health at (\S+)/.exec(run.stderr.text())?.[1], 15_000);
      const h = await waitFor("a committed ledger", async () => {
        const h = (await (await fetch(url)).json()) as PipelineHealth;
        return (h.stages[2]!.health?.last_ledger ?? 0) >= 30822016 ? h : undefined;
      }, 30_000);
      pids.push(...h.stages.map((s) => s.pid!));
      run.proc.kill("SIGTERM");
      const result = await run.done;
      expect(result.code).toBe(1);
      for (const pid of pids) expect(alive(pid)).toBe(false);
      const rows = await allRows(db);
      expect(rows.ledgers.length).toBeGreaterThanOrEqual(2);
      expect(rows.ledgers.length).toBeLessThan(11);
      expect(rows.ledgers).toEqual(reference.ledgers.slice(0, rows.ledgers.length));
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
      await killAll([run]);
    }
  }, 60_000);
});
