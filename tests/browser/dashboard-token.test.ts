// The dashboard behind STELLAR_FLOW_API_TOKEN: the page opened as /?token=TOKEN carries the token
// to everything it asks of the server (its script and style sheet, the sink's /health each second,
// its configuration, QueryService for the events' start, the volume panel and the tables, the event
// stream, the Parquet download), and the page without it gets 401.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../support/cli.ts";
import { collect, freePort, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { childEnv, launchChromium, stopChild, type HeadlessChromium } from "./support.ts";

const TOKEN = "dashboard-token-4f9a";
let work: string;
let url: string;
let sink: ReturnType<typeof Bun.spawn> | null = null;
let chromium: HeadlessChromium;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-dashboard-token-"));
  const db = join(work, "token.duckdb");
  const load = Bun.spawn([process.execPath, "src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), "--start", "30822015", "--end", "30822015", "--db", db, "--flowctl", "off", "--health-ports", "0,0,0"], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
    env: childEnv(),
  });
  const [code, loadErr] = await Promise.all([load.exited, new Response(load.stderr).text(), new Response(load.stdout).text()]);
  if (code !== 0) throw new Error(`loading the ledger failed: ${loadErr}`);
  const port = freePort();
  sink = Bun.spawn([process.execPath, "src/cli/sink.ts", "--db", db, "--port", String(port)], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: childEnv({ STELLAR_FLOW_API_TOKEN: TOKEN }) });
  const stderr = collect(sink.stderr as ReadableStream<Uint8Array>);
  url = `http://127.0.0.1:${port}`;
  await waitFor("bun run sink", async () => ((await fetch(`${url}/livez`).catch(() => null))?.ok ? true : undefined), 30_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the sink said: ${stderr.text().slice(-2000)}`);
  });
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await stopChild(sink);
  await rm(work, { recursive: true, force: true });
});

test("opened with ?token=, every part of the page works; without it, 401", async () => {
  const page = await chromium.context.newPage();
  page.setDefaultTimeout(15_000);
  expect((await page.goto(`${url}/`))?.status()).toBe(401);

  const failed: string[] = [];
  const errors: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  expect((await page.goto(`${url}/?token=${TOKEN}`, { waitUntil: "load" }))?.status()).toBe(200);
  const attribute = (selector: string, name: string) => page.locator(selector).getAttribute(name);
  await waitFor("the run's line, from /health", async () => ((await attribute("#run", "data-state")) === "served" ? true : undefined));
  await waitFor("the events", async () => ((await attribute("#events-status", "data-count")) === "57" ? true : undefined));
  await waitFor("the volume", async () => ((await attribute("#volume-status", "data-ledgers")) === "1" ? true : undefined));
  await waitFor("the tables", async () => ((await page.locator("#sql-schema details").count()) > 0 ? true : undefined));
  await waitFor("the chart's state", async () => ((await attribute("#throughput", "data-state")) === "nothing-live" ? true : undefined));
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-parquet").click()]);
  expect(download.suggestedFilename()).toBe("result.parquet");
  // the page was asked for with the token in its URL: no request of the page's went without it
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);
