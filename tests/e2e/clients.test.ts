// The README's Clients section, run: each `buf curl` line (its ports swapped for the servers this
// test starts) and each typed client in scripts/clients/ (which the README shows verbatim) against
// a sink serving the shared pubnet ledgers (with a token), the edge API over the lake, and flowctl.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createEdgeApp } from "../../src/edge/edge-app.ts";
import { edgeConfigFromEnv } from "../../src/edge/edge-config.ts";
import { serveApp, type ServedApp } from "../../src/http/serve-app.ts";
import { LEDGERS_DIR, lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import type { FlowctlServer } from "../../src/flowctl/serve-flowctl.ts";
import { collect, startTestFlowctl, waitFor } from "../support/flowctl.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const TOKEN = "clients-test-token";
let work: string;
let sinkUrl = "";
let sink: ReturnType<typeof Bun.spawn> | null = null;
let lake: S3TestServer;
let edge: ServedApp;
let flowctl: FlowctlServer;
let readme = "";

/** Environment without the machine's own flowctl, token or port settings. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/FLOWCTL|HEALTH_PORT|COMPONENT_ID|TOKEN|_URL$/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

async function run(cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { cwd: REPO, stdout: "pipe", stderr: "pipe", env: cleanEnv(env) });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  readme = await readFile(join(REPO, "README.md"), "utf8");
  work = await mkdtemp(join(tmpdir(), "stellar-flow-clients-"));
  const db = join(work, "pubnet.duckdb");
  const load = await run(["bun", "src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), "--start", "30822015", "--end", "30822025", "--db", db, "--flowctl", "off", "--health-ports", "off"]);
  expect(load.code).toBe(0);
  flowctl = startTestFlowctl();
  // the sink alone over the database: registered with flowctl, behind a token
  sink = Bun.spawn(["bun", "src/cli/sink.ts", "--db", db, "--port", "0", "--flowctl", flowctl.url, "--flowctl-heartbeat-interval", "200ms"], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
    env: cleanEnv({ STELLAR_FLOW_API_TOKEN: TOKEN }),
  });
  const stderr = collect(sink.stderr as ReadableStream<Uint8Array>);
  collect(sink.stdout as ReadableStream<Uint8Array>);
  sinkUrl = await waitFor("the sink's URL", () => /serving (http:\/\/\S+)/.exec(stderr.text())?.[1]?.replace(/,$/, ""), 20_000);
  lake = await S3TestServer.start({ root: LEDGERS_DIR });
  edge = serveApp(createEdgeApp({ config: edgeConfigFromEnv({ STELLAR_FLOW_DATALAKE: lake.url("pubnet") }) }).fetch, { host: "127.0.0.1", port: 0 });
}, 60_000);

afterAll(async () => {
  sink?.kill("SIGTERM");
  await sink?.exited;
  await edge?.stop();
  lake?.stop();
  await flowctl?.stop();
  await rm(work, { recursive: true, force: true });
});

/** The README's Clients section. */
function clientsSection(): string {
  const start = readme.indexOf("## Clients\n");
  expect(start).toBeGreaterThanOrEqual(0);
  return readme.slice(start, readme.indexOf("\n## ", start + 1));
}

describe("the README's clients", () => {
  test("each typed client in the README is scripts/clients/ verbatim", async () => {
    const blocks = [...clientsSection().matchAll(/```ts\n(\/\/ (scripts\/clients\/[\w-]+\.ts)[\s\S]*?)```/g)];
    expect(blocks.map((b) => b[2])).toEqual(["scripts/clients/query.ts", "scripts/clients/events.ts", "scripts/clients/ledger-events.ts", "scripts/clients/flowctl.ts"]);
    for (const [, text, path] of blocks) expect(text).toBe(await readFile(join(REPO, path!), "utf8"));
  });

  test("query.ts: columns and rows from the sink's QueryService, with the token", async () => {
    const answer = await run(["bun", "scripts/clients/query.ts"], { SINK_URL: sinkUrl, STELLAR_FLOW_API_TOKEN: TOKEN });
    expect(answer.stderr).toBe("");
    const lines = answer.stdout.trim().split("\n");
    expect(lines[0]).toBe("event_type VARCHAR\tevents BIGINT");
    for (const line of lines.slice(1)) expect(line).toMatch(/^(transfer|mint|burn|clawback|fee)\t\d+$/);
    expect(lines.slice(1).map((l) => l.split("\t")[0])).toContain("fee");
    expect(lines.slice(1).reduce((sum, l) => sum + Number(l.split("\t")[1]), 0)).toBe(668); // every event of the 11 ledgers
    const refused = await run(["bun", "scripts/clients/query.ts"], { SINK_URL: sinkUrl });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("unauthenticated");
  });

  test("events.ts: the fee events of two ledgers, filtered by EventType.FEE, then the stream ends", async () => {
    const answer = await run(["bun", "scripts/clients/events.ts"], { SINK_URL: sinkUrl, STELLAR_FLOW_API_TOKEN: TOKEN });
    expect(answer.stderr).toBe("");
    const events = answer.stdout.split("\n").filter((l) => /^\d+ /.test(l));
    expect(events.length).toBeGreaterThan(0);
    for (const line of events) expect(line).toMatch(/^3082201[56] [0-9a-f]{8} FEE G[A-Z2-7]{55} -?\d+$/);
    expect(answer.stdout.trim().split("\n").at(-1)).toBe("through ledger 30822016");
  });

  test("ledger-events.ts: ledger 30822015's events from the edge API", async () => {
    const answer = await run(["bun", "scripts/clients/ledger-events.ts"], { EDGE_URL: edge.url });
    expect(answer.stderr).toBe("");
    expect(answer.stdout).toMatch(/^ledger 30822015: \d+ events, hash [0-9a-f]{64}\n/);
    expect(answer.stdout).toMatch(/FEE \d+/);
  });

  test("flowctl.ts: the registered sink and the pipeline's health per stage", async () => {
    await waitFor("the sink registered", async () => ((await run(["bun", "scripts/clients/flowctl.ts"], { FLOWCTL_URL: flowctl.url })).stdout.includes("arrow-analytics-sink SINK HEALTHY") ? true : undefined), 20_000);
    const answer = await run(["bun", "scripts/clients/flowctl.ts"], { FLOWCTL_URL: flowctl.url });
    expect(answer.stderr).toBe("");
    expect(answer.stdout).toContain("arrow-analytics-sink SINK HEALTHY ledger 30822025");
    expect(answer.stdout).toMatch(/^SINK: HEALTHY, ledger 30822025, [\d.]+ ledgers\/s$/m);
    expect(answer.stdout).toMatch(/^SOURCE: UNKNOWN, ledger 0/m);
  });

  test("each buf curl line answers (ports swapped for this test's servers; the sink's token added)", async () => {
    const block = /```sh\n([\s\S]*?)```/.exec(clientsSection())![1]!;
    const commands = block.replace(/\\\n\s*/g, "").split("\n").filter((l) => l.startsWith("bunx buf curl"));
    expect(commands).toHaveLength(5);
    const ports: Record<string, string> = { "http://127.0.0.1:8090": sinkUrl, "http://127.0.0.1:8787": edge.url, "http://127.0.0.1:8080": flowctl.url };
    const answers: string[] = [];
    for (const command of commands) {
      let line = command;
      for (const [from, to] of Object.entries(ports)) line = line.replace(from, to);
      if (line.includes(sinkUrl)) line = line.replace("bunx buf curl", `bunx buf curl -H "Authorization: Bearer ${TOKEN}"`);
      const answer = await run(["sh", "-c", line]);
      expect(`${line}\n${answer.stderr}`).toBe(`${line}\n`);
      expect(answer.code).toBe(0);
      answers.push(answer.stdout);
    }
    const [query, stream, ledger, sinks, health] = answers as [string, string, string, string, string];
    expect(JSON.parse(query).columns.map((c: { name: string }) => c.name)).toEqual(["event_type", "events"]);
    // a stream: one JSON document per message, the last through ledger 30822016
    const pages = stream.trim().split(/\n(?=\{)/).map((m) => JSON.parse(m) as { events?: { eventType: string }[]; throughLedger: number });
    expect(pages.at(-1)!.throughLedger).toBe(30822016);
    expect(new Set(pages.flatMap((p) => (p.events ?? []).map((e) => e.eventType)))).toEqual(new Set(["EVENT_TYPE_FEE"]));
    expect(JSON.parse(ledger).ledgers[0].sequence).toBe(30822015);
    expect(JSON.parse(sinks).services[0].service.componentId).toBe("arrow-analytics-sink");
    expect(JSON.parse(health).stages.map((s: { stage: string }) => s.stage)).toEqual(["SERVICE_TYPE_SOURCE", "SERVICE_TYPE_PROCESSOR", "SERVICE_TYPE_SINK"]);
  }, 60_000);
});
