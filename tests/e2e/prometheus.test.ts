// Debian's `prometheus` scraping a running pipeline's three components and its flowctl (embedded),
// then the README's PromQL examples evaluated through Prometheus's HTTP API: each must answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { collect, freePort, waitFor } from "../support/flowctl.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const PROMETHEUS = Bun.which("prometheus") ?? (process.env.CI ? "prometheus" : null);

interface PromqlExample {
  readonly title: string;
  readonly query: string;
}

/** The README's ```promql block: each query under its `# title` line. */
async function readmePromql(): Promise<PromqlExample[]> {
  const readme = await readFile(join(REPO, "README.md"), "utf8");
  const block = /```promql\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no ```promql block");
  const examples: PromqlExample[] = [];
  let title = "";
  for (const line of block.split("\n").map((l) => l.trim())) {
    if (line.startsWith("#")) title = line.replace(/^#\s*/, "");
    else if (line !== "") examples.push({ title, query: line });
  }
  return examples;
}

interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

let work: string;
let prometheus: ReturnType<typeof Bun.spawn> | null = null;
let prometheusLog: ReturnType<typeof collect> | null = null;
let promUrl = "";

async function instantQuery(query: string): Promise<VectorSample[]> {
  const response = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query })}`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorSample[] } };
  if (body.status !== "success") throw new Error(`${query}: ${body.error}`);
  expect(body.data!.resultType).toBe("vector");
  return body.data!.result;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-prometheus-"));
});
afterAll(async () => {
  prometheus?.kill("SIGTERM");
  await prometheus?.exited;
  await rm(work, { recursive: true, force: true });
});

describe("Prometheus scraping a running pipeline", () => {
  test.skipIf(PROMETHEUS === null)("the README's PromQL examples all answer, from the three components and flowctl", async () => {
    const [source, processor, sink, flowctl, web] = [freePort(), freePort(), freePort(), freePort(), freePort()];
    const config = join(work, "prometheus.yml");
    await writeFile(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: stellar-flow",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${source}", "127.0.0.1:${processor}", "127.0.0.1:${sink}"]`,
        "  - job_name: flowctl",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${flowctl}"]`,
        "",
      ].join("\n"),
    );
    prometheus = Bun.spawn(
      [PROMETHEUS!, `--config.file=${config}`, `--storage.tsdb.path=${join(work, "tsdb")}`, `--web.listen-address=127.0.0.1:${web}`],
      { cwd: work, stdout: "ignore", stderr: "pipe" },
    );
    prometheusLog = collect(prometheus.stderr as ReadableStream<Uint8Array>);
    promUrl = `http://127.0.0.1:${web}`;
    await waitFor("Prometheus ready", async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 30_000).catch((error) => {
      throw new Error(`${error.message}\n${prometheusLog?.text()}`);
    });

    // slow enough for many scrapes while it runs (11 ledgers at 1 per second)
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/FLOWCTL|HEALTH_PORT|COMPONENT_ID/.test(key)) env[key] = value;
    const run = Bun.spawn(
      [
        "bun", "src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), "--start", "30822015", "--end", "30822025", "--db", join(work, "run.duckdb"),
        "--flowctl", "embedded", "--health-ports", `${source},${processor},${sink}`, "--batch-size", "1", "--max-ledgers-per-second", "1", "--flowctl-heartbeat-interval", "500ms",
      ],
      { cwd: REPO, stdout: "pipe", stderr: "pipe", env: { ...env, FLOWCTL_ENDPOINT: `127.0.0.1:${flowctl}` } },
    );
    const stderr = collect(run.stderr);
    collect(run.stdout);
    try {
      await waitFor("four targets up", async () => ((await instantQuery("up == 1")).length === 4 ? true : undefined), 20_000);
      // a QueryService call, so that its example has a series
      await waitFor("the sink's QueryService", async () => {
        const client = createClient(QueryService, createConnectTransport({ baseUrl: `http://127.0.0.1:${sink}` }));
        return (await client.query({ sql: "SELECT count(*) FROM ledgers" })).rows.length === 1 ? true : undefined;
      });
      // a few scrapes with commits between them: every rate has two samples or more
      await waitFor("commits seen over several scrapes", async () => {
        const [commits] = await instantQuery("sum(increase(stellarflow_commit_duration_seconds_count[1m]))");
        return commits && Number(commits.value[1]) >= 3 ? true : undefined;
      }, 20_000);
      expect(run.exitCode).toBeNull(); // still running: the gauges have live samples

      const examples = await readmePromql();
      expect(examples.length).toBeGreaterThanOrEqual(8);
      const answers = new Map<string, VectorSample[]>();
      for (const example of examples) {
        const result = await waitFor(`an answer to "${example.title}"`, async () => {
          const samples = await instantQuery(example.query);
          return samples.length > 0 ? samples : undefined;
        }, 10_000);
        answers.set(example.title, result);
      }
      const numbers = (title: string) => answers.get(title)!.map((s) => Number(s.value[1]));

      // and they say what they claim
      const events = answers.get("events per second, by component and event type")!;
      expect(new Set(events.map((s) => s.metric.component))).toEqual(new Set(["ttp-arrow-processor", "arrow-analytics-sink"]));
      expect(events.find((s) => s.metric.component === "arrow-analytics-sink" && s.metric.event_type === "fee")!.value[1]).not.toBe("0");
      expect(new Set(answers.get("ledgers per second, by component")!.map((s) => s.metric.component))).toEqual(new Set(["stellar-arrow-source", "ttp-arrow-processor", "arrow-analytics-sink"]));
      for (const lag of numbers("ledgers behind the end of the range, by component")) expect(lag).toBeGreaterThanOrEqual(0);
      const [p99] = numbers("commit latency, p99");
      expect(p99).toBeGreaterThan(0);
      expect(p99).toBeLessThan(10);
      expect(answers.get("QueryService calls per second, by code")!.map((s) => s.metric.rpc_code)).toContain("ok");
      expect(answers.get("flowctl: registrations by type and health")!.find((s) => s.metric.service_type === "pipeline" && s.metric.status === "healthy")!.value[1]).toBe("1");
      expect(answers.get("resident memory of each process scraped")!.length).toBe(4);
    } finally {
      run.kill("SIGTERM");
      await run.exited;
      await stderr.done;
    }
  }, 90_000);
});
