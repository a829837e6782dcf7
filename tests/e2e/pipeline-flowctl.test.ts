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

let reference: string[];

describe("bun run pipeline with flowctl", () => {
  beforeAll(async () => {
    const db = join(work, "reference.duckdb");
    const run = await spawnPipeline(["--db", db, "--health-ports", "off", "--flowctl", "off"]).done;
    expect(run.code).toBe(0);
    reference = await eventRows(db);
    expect(reference).toHaveLength(668);
  });

  test("--flowctl embedded: ListServices shows source, processor and sink; /health and /metrics on each component's port", async () => {
    const db = join(work, "embedded.duckdb");
    const run = spawnPipeline(
      ["--db", db, "--flowctl", "embedded", "--health-ports", "0,0,0", "--batch-size", "1", "--max-ledgers-per-second", "4", "--flowctl-heartbeat-interval", "100ms"],
      { FLOWCTL_ENDPOINT: "127.0.0.1:0" },
    );
    const url = await waitFor("the embedded flowctl", () => /embedded control plane at (\S+)/.exec(run.stderr.text())?.[1]);
    const client = flowctlClient(url);
    const services = await waitFor("three registrations", async () => {
      const list = (await client.listServices({})).services;
      return list.length === 3 ? list : undefined;
    });
    expect(componentsOf(services)).toEqual(THREE);
    const source = services.find((s) => s.service?.serviceType === ServiceType.SOURCE)!.service!;
    expect(source.outputEventTypes).toEqual(["stellar.ledger.v1"]);
    expect(source.metadata).toMatchObject({ network: "pubnet", storage_type: "folder", backend_type: "datalake", batch_size: "1" });
    const processor = services.find((s) => s.service?.serviceType === ServiceType.PROCESSOR)!.service!;
    expect(processor.metadata).toMatchObject({ processor_type: "ttp", event_types: "transfer,mint,burn,clawback,fee", source_endpoint: source.endpoint });
    const sink = services.find((s) => s.service?.serviceType === ServiceType.SINK)!.service!;
    expect(sink.metadata).toMatchObject({ output_formats: "duckdb", endpoints: db, buffer_size: "1" });
    expect((await client.discoverServices({ eventType: "ttp_event_service.TTPEvent" })).services.map((s) => s.service?.componentId)).toEqual(["ttp-arrow-processor"]);

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
    expect(health.stages.map((s) => ServiceType[s.stage])).toEqual(["SOURCE", "PROCESSOR", "SINK"]);

    const metrics: Record<string, string> = {};
    for (const s of services) {
      const response = await fetch(new URL("/metrics", s.service!.endpoint));
      expect(response.headers.get("content-type")).toContain("text/plain");
      metrics[s.service!.componentId] = await response.text();
    }
    expect(metrics["stellar-arrow-source"]).toMatch(/^stellar_arrow_source_ledgers_processed_total \d+$/m);
    expect(metrics["stellar-arrow-source"]).toMatch(/^stellar_arrow_source_validation_errors_total 0$/m);
    expect(metrics["stellar-arrow-source"]).toMatch(/^stellar_arrow_source_bytes_read_total [1-9]\d*$/m);
    expect(metrics["ttp-arrow-processor"]).toMatch(/^ttp_arrow_processor_events_extracted_total \d+$/m);
    expect(metrics["ttp-arrow-processor"]).toMatch(/^ttp_arrow_processor_events_filtered_total 0$/m);
    expect(metrics["arrow-analytics-sink"]).toMatch(/^arrow_analytics_sink_rows_written_total \d+$/m);
    expect(metrics["arrow-analytics-sink"]).toMatch(/^arrow_analytics_sink_files_written_total 0$/m);
    for (const text of Object.values(metrics)) {
      for (const gauge of ["current_ledger", "uptime_seconds", "seconds_since_last_processed", "service_status", "ledgers_per_second", "lag_ledgers", "flowctl_connected"]) {
        expect(text).toMatch(new RegExp(`^\\w+_${gauge} [-\\d.e+]+$`, "m"));
      }
      expect(text).toMatch(/_service_status 1$/m);
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
      return list.length === 3 ? list : undefined;
    };
    expect(componentsOf(await waitFor("registrations after flowctl starts", registered))).toEqual(THREE);
    flowctl.kill("SIGKILL");
    await flowctl.exited;
    expect(run.proc.exitCode).toBeNull(); // killed mid-run, not after it
    await Bun.sleep(500);

    flowctl = spawnFlowctl(port, join(work, "second.sqlite")); // a new registry: heartbeats get NOT_FOUND, then register
    try {
      const back = await waitFor("registrations after flowctl returns", registered);
      expect(componentsOf(back)).toEqual(THREE);
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
      await waitFor("three registrations", async () => ((await client.listServices({})).services.length === 3 ? true : undefined));
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
