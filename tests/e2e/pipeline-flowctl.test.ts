// `bun run pipeline` with flowctl: embedded or external, flowctl down at start, killed mid-run and
// back; /health and /metrics of each component (checked by promtool); unregistering on SIGTERM.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { HealthStatus, ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { collect, flowctlClient, freePort, promtool, promtoolProblems, startTestFlowctl, waitFor } from "../support/flowctl.ts";
import { samplesOf, valueOf } from "../support/prometheus-text.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const RANGE = ["--start", "30822015", "--end", "30822025"];
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-flowctl-e2e-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Environment without any flowctl settings of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/FLOWCTL|HEALTH_PORT|COMPONENT_ID/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

function spawnPipeline(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", "src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), ...RANGE, ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: cleanEnv(env) });
  const stdout = collect(proc.stdout);
  const stderr = collect(proc.stderr);
  return { proc, stdout, stderr, done: Promise.all([proc.exited, stdout.done, stderr.done]).then(([code, out, err]) => ({ code, stdout: out, stderr: err })) };
}

function spawnFlowctl(port: number, db: string) {
  return Bun.spawn(["bun", "src/cli/flowctl.ts", "--port", String(port), "--db", db, "--ttl", "2s", "--heartbeat-interval", "100ms"], {
    cwd: REPO,
    stdout: "ignore",
    stderr: "pipe",
    env: cleanEnv(),
  });
}

async function eventRows(db: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll("SELECT * FROM ttp_events ORDER BY ledger_sequence, event_index")).getRows();
    return rows.map((row) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const componentsOf = (services: { service?: { componentId: string; serviceType: ServiceType } }[]) =>
  services.map((s) => `${s.service?.componentId}:${ServiceType[s.service!.serviceType]}`).sort();

const THREE = ["arrow-analytics-sink:SINK", "stellar-arrow-source:SOURCE", "ttp-arrow-processor:PROCESSOR"];
/** The three components and the pipeline they make up. */
const FOUR = [...THREE, "stellar-flow-pipeline:PIPELINE"].sort();

let reference: string[];

describe("bun run pipeline with flowctl", () => {
  beforeAll(async () => {
    const db = join(work, "reference.duckdb");
    const run = await spawnPipeline(["--db", db, "--health-ports", "off", "--flowctl", "off"]).done;
    expect(run.code).toBe(0);
    reference = await eventRows(db);
    expect(reference).toHaveLength(668);
  });

  test("--flowctl embedded: ListServices shows source, processor, sink and the pipeline; /health and /metrics on each component's port", async () => {
    const db = join(work, "embedded.duckdb");
    const run = spawnPipeline(
      ["--db", db, "--flowctl", "embedded", "--health-ports", "0,0,0", "--batch-size", "1", "--max-ledgers-per-second", "4", "--flowctl-heartbeat-interval", "100ms"],
      { FLOWCTL_ENDPOINT: "127.0.0.1:0" },
    );
    const url = await waitFor("the embedded flowctl", () => /embedded control plane at (\S+)/.exec(run.stderr.text())?.[1]);
    const client = flowctlClient(url);
    const all = await waitFor("four registrations", async () => {
      const list = (await client.listServices({})).services;
      return list.length === 4 ? list : undefined;
    });
    expect(componentsOf(all)).toEqual(FOUR);
    const pipeline = all.find((s) => s.service?.serviceType === ServiceType.PIPELINE)!.service!;
    const services = all.filter((s) => s.service?.serviceType !== ServiceType.PIPELINE);
    const source = services.find((s) => s.service?.serviceType === ServiceType.SOURCE)!.service!;
    expect(source.outputEventTypes).toEqual(["stellar.ledger.v1"]);
    expect(source.metadata).toMatchObject({ network: "pubnet", storage_type: "folder", backend_type: "datalake", batch_size: "1" });
    const processor = services.find((s) => s.service?.serviceType === ServiceType.PROCESSOR)!.service!;
    expect(processor.metadata).toMatchObject({ processor_type: "ttp", event_types: "transfer,mint,burn,clawback,fee", source_endpoint: source.endpoint });
    const sink = services.find((s) => s.service?.serviceType === ServiceType.SINK)!.service!;
    expect(sink.metadata).toMatchObject({ output_formats: "duckdb", endpoints: db, buffer_size: "1" });
    expect((await client.discoverServices({ eventType: "ttp_event_service.TTPEvent" })).services.map((s) => s.service?.componentId)).toEqual(["ttp-arrow-processor"]);
    // the pipeline names its stages; it produces nothing discovery could hand out
    expect(pipeline.metadata).toEqual({
      mode: "in-process",
      stages: "source,processor,sink",
      "source.component_id": "stellar-arrow-source",
      "source.endpoint": source.endpoint,
      "processor.component_id": "ttp-arrow-processor",
      "processor.endpoint": processor.endpoint,
      "sink.component_id": "arrow-analytics-sink",
      "sink.endpoint": sink.endpoint,
      end_ledger: "30822025",
    });
    expect([pipeline.inputEventTypes, pipeline.outputEventTypes]).toEqual([[], []]);

    // each component's own port
    const ports = new Set(services.map((s) => new URL(s.service!.endpoint).port));
    expect(ports.size).toBe(3);
    for (const s of services) {
      const response = await fetch(s.service!.healthEndpoint);
      expect(response.status).toBe(200);
      const health = (await response.json()) as any;
      expect(health).toMatchObject({ status: "healthy", component: s.service!.componentId, version: "0.1.0", flowctl: { enabled: true } });
      expect(typeof health.uptime_seconds).toBe("number");
      expect(Object.keys(health.pipeline).sort()).toEqual(["lag_ledgers", "last_ledger", "seconds_since_last_processed", "target_ledger"]);
    }
    const sinkHealth = await waitFor("the sink's progress and flowctl state", async () => {
      const health = (await (await fetch(sink.healthEndpoint)).json()) as any;
      return health.pipeline.last_ledger >= 30822017 && health.flowctl.connected && health.flowctl.last_heartbeat ? health : undefined;
    });
    expect(sinkHealth.flowctl.service_id).toBe(sink.serviceId);
    expect(sinkHealth.pipeline.target_ledger).toBe(30822025);
    expect(sinkHealth.pipeline.lag_ledgers).toBe(30822025 - sinkHealth.pipeline.last_ledger);

    const health = await waitFor("pipeline health with progress", async () => {
      const h = await client.getPipelineHealth({});
      return h.stages.every((stage) => stage.currentLedger > 0n) ? h : undefined;
    });
    expect(health.status).toBe(HealthStatus.HEALTHY);
    expect(health.stages.map((s) => ServiceType[s.stage])).toEqual(["SOURCE", "PROCESSOR", "SINK", "PIPELINE"]);
    // the pipeline is where its sink is: what is committed is what the pipeline has done
    const pipelineStage = health.stages.find((s) => s.stage === ServiceType.PIPELINE)!;
    expect(pipelineStage.services).toBe(1);
    expect(pipelineStage.currentLedger).toBeGreaterThanOrEqual(30822015n);
    expect(pipelineStage.currentLedger).toBeLessThanOrEqual(30822025n);

    const metrics: Record<string, string> = {};
    for (const s of services) {
      const response = await fetch(new URL("/metrics", s.service!.endpoint));
      expect(response.headers.get("content-type")).toContain("text/plain");
      metrics[s.service!.componentId] = await response.text();
    }
    const of = (component: string, name: string, labels: Record<string, string> = {}) => valueOf(metrics[component]!, name, { component, ...labels });
    expect(of("stellar-arrow-source", "stellarflow_ledgers_processed_total")).toBeGreaterThan(0);
    expect(of("stellar-arrow-source", "stellarflow_errors_total", { kind: "validation" })).toBe(0);
    expect(of("stellar-arrow-source", "stellarflow_read_bytes_total")).toBeGreaterThan(0);
    expect(of("stellar-arrow-source", "stellarflow_fetch_duration_seconds_count")).toBeGreaterThan(0); // one per lake object
    expect(of("ttp-arrow-processor", "stellarflow_events_total", { event_type: "fee" })).toBeGreaterThan(0);
    expect(of("ttp-arrow-processor", "stellarflow_events_filtered_total")).toBe(0);
    expect(of("ttp-arrow-processor", "stellarflow_decode_duration_seconds_count")).toBe(of("ttp-arrow-processor", "stellarflow_ledgers_processed_total")); // one per ledger
    expect(of("ttp-arrow-processor", "stellarflow_extract_duration_seconds_count")).toBe(of("ttp-arrow-processor", "stellarflow_ledgers_processed_total"));
    expect(of("arrow-analytics-sink", "stellarflow_rows_written_total", { table: "ttp_events" })).toBeGreaterThan(0);
    expect(of("arrow-analytics-sink", "stellarflow_rows_written_total", { table: "ledgers" })).toBe(of("arrow-analytics-sink", "stellarflow_ledgers_processed_total"));
    expect(of("arrow-analytics-sink", "stellarflow_export_files_total")).toBe(0);
    expect(of("arrow-analytics-sink", "stellarflow_commit_duration_seconds_count")).toBeGreaterThan(0);
    for (const [component, text] of Object.entries(metrics)) {
      for (const gauge of ["current_ledger", "start_time_seconds", "last_processed_timestamp_seconds", "healthy", "lag_ledgers", "target_ledger", "flowctl_connected"]) {
        expect(samplesOf(text, `stellarflow_${gauge}`, { component })).toHaveLength(1);
      }
      expect(of(component, "stellarflow_healthy")).toBe(1);
      expect(of(component, "stellarflow_target_ledger")).toBe(30822025);
      expect(samplesOf(text, "process_start_time_seconds")).toHaveLength(1);
      expect(samplesOf(text, "stellarflow_build_info", { component })).toHaveLength(1);
    }
    if (promtool() || process.env.CI) {
      for (const [component, text] of Object.entries(metrics)) expect(`${component}: ${await promtoolProblems(text)}`).toBe(`${component}: `);
    } else {
      console.warn("promtool is not installed here: `promtool check metrics` skipped (.ci/run installs it)");
    }

    const result = await run.done;
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
    expect(await eventRows(db)).toEqual(reference);
  }, 60_000);

  test("flowctl down at start, killed mid-run, back again: same events, and the components appear once it returns", async () => {
    const port = freePort();
    const db = join(work, "resilient.duckdb");
    const run = spawnPipeline([
      "--db", db, "--flowctl", `127.0.0.1:${port}`, "--health-ports", "0,0,0",
      "--batch-size", "1", "--max-ledgers-per-second", "0.6", "--flowctl-heartbeat-interval", "100ms",
    ]);
    const client = flowctlClient(`http://127.0.0.1:${port}`);
    await waitFor("the components trying flowctl", () => ((run.stderr.text().match(/unreachable/g) ?? []).length >= 3 ? true : undefined));

    let flowctl = spawnFlowctl(port, join(work, "first.sqlite"));
    const registered = async () => {
      const list = (await client.listServices({})).services;
      return list.length === 4 ? list : undefined;
    };
    expect(componentsOf(await waitFor("registrations after flowctl starts", registered))).toEqual(FOUR);
    flowctl.kill("SIGKILL");
    await flowctl.exited;
    expect(run.proc.exitCode).toBeNull(); // killed mid-run, not after it
    await Bun.sleep(500);

    flowctl = spawnFlowctl(port, join(work, "second.sqlite")); // a new registry: heartbeats get NOT_FOUND, then register
    try {
      const back = await waitFor("registrations after flowctl returns", registered);
      expect(componentsOf(back)).toEqual(FOUR);
      expect(run.proc.exitCode).toBeNull(); // they came back while the run went on
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("events       668");
      expect(await eventRows(db)).toEqual(reference);
      expect((await client.listServices({})).services).toEqual([]); // unregistered at the end
    } finally {
      flowctl.kill();
      await flowctl.exited;
    }
  }, 60_000);

  test("SIGTERM stops the run and unregisters every component", async () => {
    const server = startTestFlowctl();
    try {
      const run = spawnPipeline([
        "--db", join(work, "sigterm.duckdb"), "--health-ports", "0,0,0", "--batch-size", "1", "--max-ledgers-per-second", "1",
      ], { ENABLE_FLOWCTL: "true", FLOWCTL_ENDPOINT: server.url, FLOWCTL_HEARTBEAT_INTERVAL: "100ms" });
      const client = flowctlClient(server.url);
      await waitFor("four registrations", async () => ((await client.listServices({})).services.length === 4 ? true : undefined));
      run.proc.kill("SIGTERM");
      const result = await run.done;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("interrupted");
      expect((await client.listServices({})).services).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 60_000);

  test("configuration from a YAML file and component env; a bad value stops startup with a clear message", async () => {
    const server = startTestFlowctl();
    try {
      const config = join(work, "flowctl.yaml");
      await writeFile(config, `flowctl:\n  enabled: true\n  endpoint: ${server.url}\n  heartbeat_interval: 100ms\n`);
      const run = await spawnPipeline(["--db", join(work, "yaml.duckdb"), "--health-ports", "off", "--config", config], {
        ARROW_ANALYTICS_SINK_ENABLE_FLOWCTL: "false",
        TTP_ARROW_PROCESSOR_COMPONENT_ID: "my-processor",
      }).done;
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("flowctl: stellar-arrow-source registered");
      expect(run.stderr).toContain("flowctl: my-processor registered");
      expect(run.stderr).not.toContain("arrow-analytics-sink registered");
    } finally {
      await server.stop();
    }
    const bad = await spawnPipeline(["--db", join(work, "bad.duckdb"), "--health-ports", "off"], { STELLAR_ARROW_SOURCE_FLOWCTL_HEARTBEAT_INTERVAL: "ten" }).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`error: STELLAR_ARROW_SOURCE_FLOWCTL_HEARTBEAT_INTERVAL: "ten" is not a duration`);
    const badFlag = await spawnPipeline(["--flowctl", "ftp://x"]).done;
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain(`--flowctl: "ftp://x" is not a flowctl endpoint`);
  }, 60_000);

  test("a health port asked for and taken stops startup naming the component and the port", async () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    try {
      const run = await spawnPipeline(["--db", join(work, "port.duckdb"), "--health-ports", `0,${taken.port},0`]).done;
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`ttp-arrow-processor: cannot serve /health on 127.0.0.1:${taken.port}`);
      const fromEnv = await spawnPipeline(["--db", join(work, "port.duckdb")], { ARROW_ANALYTICS_SINK_HEALTH_PORT: String(taken.port) }).done;
      expect(fromEnv.code).toBe(1);
      expect(fromEnv.stderr).toContain(`arrow-analytics-sink: cannot serve /health on 127.0.0.1:${taken.port}`);
    } finally {
      taken.stop(true);
    }
  });

  test("a taken default port (another pipeline has it) falls back to a free one", async () => {
    let holder: ReturnType<typeof Bun.serve> | null = null;
    try {
      holder = Bun.serve({ hostname: "127.0.0.1", port: 8089, fetch: () => new Response() });
    } catch {
      // something else holds 8089 already: just as good
    }
    try {
      const run = await spawnPipeline(["--db", join(work, "default-port.duckdb")], { STELLAR_ARROW_SOURCE_HEALTH_PORT: "0", ARROW_ANALYTICS_SINK_HEALTH_PORT: "0" }).done;
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/ttp-arrow-processor: default port 8089 is taken, serving \/health on port \d+ instead/);
    } finally {
      holder?.stop(true);
    }
  });
});
