// The dashboard in headless Chromium while `bun run pipeline` runs over a shared lake range: three
// healthy components from flowctl's WatchServices, events arriving live, a SQL query with the
// expected row count, and screenshots in test-artifacts/.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { collect, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly, REPO } from "../support/cli.ts";
import { launchChromium, screenshotPath, type HeadlessChromium } from "./support.ts";

const FIRST = 30822015;
const LAST = 30822025;
let work: string;
let chromium: HeadlessChromium | null = null;
let pipeline: ReturnType<typeof Bun.spawn> | null = null;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-dashboard-"));
});
afterAll(async () => {
  await chromium?.close();
  if (pipeline && pipeline.exitCode === null) {
    pipeline.kill("SIGTERM");
    await Promise.race([pipeline.exited, Bun.sleep(5000)]);
    pipeline.kill("SIGKILL");
  }
  await rm(work, { recursive: true, force: true });
});

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/FLOWCTL|HEALTH_PORT|COMPONENT_ID|STELLAR_FLOW_/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

const number = (text: string | null | undefined): number => Number(/(\d+)/.exec(text ?? "")?.[1] ?? NaN);

async function waitOnPage<T>(page: Page, what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return waitFor(what, probe, timeoutMs).catch(async (error: unknown) => {
    await page.screenshot({ path: screenshotPath("dashboard-failure") }).catch(() => undefined);
    throw error;
  });
}

test("dashboard: three healthy components and their pipeline, live events during a run, a SQL result with the expected row count", async () => {
  const db = join(work, "run.duckdb");
  const spawned = Bun.spawn(
    [
      process.execPath, "src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--db", db,
      "--flowctl", "embedded", "--health-ports", "0,0,0", "--batch-size", "1", "--max-ledgers-per-second", "0.5", "--flowctl-heartbeat-interval", "200ms",
    ],
    { cwd: REPO, stdout: "pipe", stderr: "pipe", env: cleanEnv({ FLOWCTL_ENDPOINT: "127.0.0.1:0" }) },
  );
  pipeline = spawned;
  const stderr = collect(spawned.stderr);
  const stdout = collect(spawned.stdout);
  const sinkUrl = await waitFor("the sink component's URL", () => /arrow-analytics-sink (http:\/\/\S+)\/health/.exec(stderr.text())?.[1], 30_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the pipeline said: ${stderr.text().slice(-2000)}`);
  });

  chromium = await launchChromium();
  const page = await chromium.context.newPage();
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  const response = await page.goto(`${sinkUrl}/`, { waitUntil: "load", timeout: 20_000 });
  expect(response?.status()).toBe(200);

  // components and their health, from WatchServices: the three, and the pipeline they make up
  const healthy = await waitOnPage(page, "four healthy rows", async () => {
    const rows = await page.locator("#components tbody tr[data-health='healthy']").count();
    return rows === 4 ? rows : undefined;
  });
  expect(healthy).toBe(4);
  const names = (await page.locator("#components tbody tr td:first-child").allTextContents()).sort();
  expect(names).toEqual(["arrow-analytics-sink", "stellar-arrow-source", "stellar-flow-pipeline", "ttp-arrow-processor"]);

  // events arrive while the pipeline runs: the count grows, and the run is still going
  const first = await waitOnPage(page, "the first events", async () => {
    const count = Number(await page.locator("#events-status").getAttribute("data-count"));
    return count > 0 ? count : undefined;
  });
  const later = await waitOnPage(page, "more events, live", async () => {
    const count = Number(await page.locator("#events-status").getAttribute("data-count"));
    return count > first ? count : undefined;
  });
  expect(later).toBeGreaterThan(first);
  expect(spawned.exitCode).toBeNull(); // live: the run has not ended
  expect(await page.locator("#events tbody tr").count()).toBe(Math.min(later, 500));
  await page.screenshot({ path: screenshotPath("dashboard-live"), fullPage: true });

  // the same stream as JSON over /ws, from the page (the sink component's server upgrades it)
  const frame = await page.evaluate(
    (start) =>
      new Promise<{ events: { ledger_sequence: number; event_index: number }[]; through_ledger: number }>((resolve, reject) => {
        const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/ws?start_ledger=${start}&end_ledger=${start}`);
        ws.onmessage = (message) => {
          resolve(JSON.parse(String(message.data)));
          ws.close();
        };
        ws.onerror = () => reject(new Error("WebSocket error"));
        setTimeout(() => reject(new Error("no WebSocket frame in 10 s")), 10_000);
      }),
    FIRST,
  );
  expect(frame.events.length).toBeGreaterThan(0);
  expect(frame.events[0]).toMatchObject({ ledger_sequence: FIRST, event_index: 0 });

  // SQL over what is committed so far: a range that is complete by now
  const through = number(await page.locator("#events-status").textContent());
  const sql = `SELECT ledger_sequence, event_index, event_type, amount FROM ttp_events WHERE ledger_sequence BETWEEN ${FIRST} AND ${Math.max(FIRST, through - 1)} ORDER BY 1, 2`;
  await page.locator("#sql").fill(sql);
  await page.getByRole("button", { name: "Run" }).click();
  const shown = await waitOnPage(page, "the SQL result", async () => {
    const rows = await page.locator("#sql-status").getAttribute("data-rows");
    return rows === null ? undefined : Number(rows);
  });
  expect(await page.locator("#sql-result tbody tr").count()).toBe(shown);
  expect(await page.locator("#sql-result thead th").allTextContents()).toEqual(["ledger_sequence", "event_index", "event_type", "amount"]);
  await page.screenshot({ path: screenshotPath("dashboard-sql"), fullPage: true });

  // a refused query shows its reason
  await page.locator("#sql").fill("COPY ttp_events TO '/tmp/x.csv'");
  await page.getByRole("button", { name: "Run" }).click();
  await waitOnPage(page, "the refusal", async () => ((await page.locator("#sql-status.error").textContent()) ?? "").includes("only SELECT statements are allowed") || undefined);
  await page.screenshot({ path: screenshotPath("dashboard-refused"), fullPage: true });
  expect(consoleErrors).toEqual([]);

  const [code] = await Promise.all([spawned.exited, stdout.done, stderr.done]);
  expect(code).toBe(0);
  // the row count the page showed is the database's
  const expected = await queryReadOnly(db, `SELECT count(*) FROM (${sql})`);
  expect(shown).toBe(Number(expected[0]![0]));
  expect(shown).toBeGreaterThan(0);
  for (const name of ["dashboard-live", "dashboard-sql", "dashboard-refused"]) expect(statSync(screenshotPath(name)).size).toBeGreaterThan(10_000);
  expect(existsSync("/tmp/x.csv") && statSync("/tmp/x.csv").mtimeMs > Date.now() - 60_000).toBe(false);
}, 120_000);
