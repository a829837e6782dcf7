// The dashboard in headless Chromium while `bun run pipeline` runs over a shared lake range: three
// healthy components from flowctl's WatchServices, the run's line and the throughput chart moving,
// events arriving live, a SQL query with the expected row count, the components as cards on a
// phone; once the run has ended and its server is gone, components, run and chart say the server
// is unreachable (not "healthy"). Screenshots at 1280x800 and 390x844 in test-artifacts/.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { collect, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly, REPO } from "../support/cli.ts";
import { childEnv, launchChromium, screenshotPath, stopChild, type HeadlessChromium } from "./support.ts";

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
  await stopChild(pipeline);
  await rm(work, { recursive: true, force: true });
});


/** The rows of the three stages (a pipeline registered as PIPELINE has a row of its own). */
const STAGE_ROWS = "#components tbody tr:is([data-type=source], [data-type=processor], [data-type=sink])";

async function waitOnPage<T>(page: Page, what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return waitFor(what, probe, timeoutMs).catch(async (error: unknown) => {
    await page.screenshot({ path: screenshotPath("dashboard-failure") }).catch(() => undefined);
    throw error;
  });
}

test("dashboard: three healthy components and their pipeline, live events during a run, a SQL result with the expected row count; unreachable once the server is gone", async () => {
  const db = join(work, "run.duckdb");
  const spawned = Bun.spawn(
    [
      process.execPath, "src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--db", db,
      "--flowctl", "embedded", "--health-ports", "0,0,0", "--batch-size", "1", "--max-ledgers-per-second", "0.5", "--flowctl-heartbeat-interval", "200ms",
    ],
    { cwd: REPO, stdout: "pipe", stderr: "pipe", env: childEnv({ FLOWCTL_ENDPOINT: "127.0.0.1:0" }) },
  );
  pipeline = spawned;
  const stderr = collect(spawned.stderr);
  const stdout = collect(spawned.stdout);
  const sinkUrl = await waitFor("the sink component's URL", () => /arrow-analytics-sink (http:\/\/\S+)\/health/.exec(stderr.text())?.[1], 30_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the pipeline said: ${stderr.text().slice(-2000)}`);
  });

  chromium = await launchChromium();
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  const response = await page.goto(`${sinkUrl}/`, { waitUntil: "load", timeout: 20_000 });
  expect(response?.status()).toBe(200);

  // components and their health, from WatchServices: the three stages, and the pipeline they make up
  const healthy = await waitOnPage(page, "three healthy stages and their pipeline", async () => {
    const stages = await page.locator(`${STAGE_ROWS}[data-health='healthy']`).count();
    const pipelines = await page.locator("#components tbody tr[data-type=pipeline][data-health='healthy']").count();
    return stages === 3 && pipelines === 1 ? stages : undefined;
  });
  expect(healthy).toBe(3);
  const names = (await page.locator(`${STAGE_ROWS} td:first-child`).allTextContents()).sort();
  expect(names).toEqual(["arrow-analytics-sink", "stellar-arrow-source", "ttp-arrow-processor"]);
  expect(await page.locator("#components tbody tr[data-type=pipeline] td:first-child").allTextContents()).toEqual(["stellar-flow-pipeline"]);

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
  // the run's line and the chart, from the sink's /health each second
  const runLine = await waitOnPage(page, "the run's line", async () => {
    const text = (await page.locator("#run").textContent()) ?? "";
    return (await page.locator("#run").getAttribute("data-state")) === "running" && /ledger \d+ of \d+/.test(text) ? text : undefined;
  });
  expect(runLine).toContain(`of ${LAST}`);
  const points = Number(await page.locator("#throughput").getAttribute("data-points"));
  await waitOnPage(page, "the chart moving", async () => (Number(await page.locator("#throughput").getAttribute("data-points")) > points ? true : undefined));
  expect(await page.locator("#throughput").getAttribute("data-state")).toBe("live");
  expect(await page.locator("#throughput polyline.series").count()).toBe(2);
  await page.screenshot({ path: screenshotPath("dashboard-live"), fullPage: true });

  // on a phone: the components as cards, each cell labelled, nothing past the screen's edge
  const phone = await chromium.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${sinkUrl}/`, { waitUntil: "load" });
  await waitOnPage(phone, "the components on a phone", async () => ((await phone.locator(`${STAGE_ROWS}[data-health='healthy']`).count()) === 3 ? true : undefined));
  await waitOnPage(phone, "events on a phone", async () => (Number(await phone.locator("#events-status").getAttribute("data-count")) > 0 ? true : undefined));
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const table of ["#components", "#events"]) {
    const cells = await phone.locator(`${table} tbody tr:nth-child(-n+10) td`).evaluateAll((all) =>
      all.filter((c) => (c as HTMLElement).offsetParent !== null).map((c) => ({ right: c.getBoundingClientRect().right, label: getComputedStyle(c, "::before").content })),
    );
    expect(cells.length).toBeGreaterThan(10);
    for (const cell of cells) {
      expect(cell.right).toBeLessThanOrEqual(390);
      expect(cell.label).not.toBe("none");
    }
  }
  await phone.screenshot({ path: screenshotPath("dashboard-live-phone"), fullPage: true });
  await phone.close();

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
  const through = Number(await page.locator("#events-status").getAttribute("data-through"));
  const sql = `SELECT ledger_sequence, event_index, event_type, amount FROM ttp_events WHERE ledger_sequence BETWEEN ${FIRST} AND ${Math.max(FIRST, through - 1)} ORDER BY 1, 2`;
  await page.locator("#sql").fill(sql);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const shown = await waitOnPage(page, "the SQL result", async () => {
    const rows = await page.locator("#sql-status").getAttribute("data-rows");
    return rows === null ? undefined : Number(rows);
  });
  expect(await page.locator("#sql-result tbody tr").count()).toBe(shown);
  expect(await page.locator("#sql-result thead th").allTextContents()).toEqual(["ledger_sequence", "event_index", "event_type", "amount"]);
  await page.screenshot({ path: screenshotPath("dashboard-sql"), fullPage: true });

  // a refused query shows its reason
  await page.locator("#sql").fill("COPY ttp_events TO '/tmp/x.csv'");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await waitOnPage(page, "the refusal", async () => ((await page.locator("#sql-status.error").textContent()) ?? "").includes("only SELECT statements are allowed") || undefined);
  await page.screenshot({ path: screenshotPath("dashboard-refused"), fullPage: true });
  expect(consoleErrors).toEqual([]);

  const [code] = await Promise.all([spawned.exited, stdout.done, stderr.done]);
  expect(code).toBe(0);
  // the server is gone: what the page heard last is no longer "healthy"
  await waitOnPage(page, "the components unreachable", async () => ((await page.locator(`${STAGE_ROWS}[data-health='unreachable']`).count()) === 3 ? true : undefined), 30_000);
  expect(await page.locator("#components tbody tr[data-health='healthy']").count()).toBe(0); // any row: a pipeline's too
  expect(await page.locator("#components-note").textContent()).toMatch(/^no contact with flowctl since \d\d:\d\d:\d\d \(.+\); trying again in \d+ s$/);
  await waitOnPage(page, "the run unreachable", async () => ((await page.locator("#run").getAttribute("data-state")) === "unreachable" ? true : undefined));
  expect(await page.locator("#throughput").getAttribute("data-state")).toBe("unreachable");
  expect(await page.locator("#throughput .plot-message").textContent()).toStartWith("nothing live: the server does not answer");
  await page.screenshot({ path: screenshotPath("dashboard-gone"), fullPage: true });
  // the row count the page showed is the database's
  const expected = await queryReadOnly(db, `SELECT count(*) FROM (${sql})`);
  expect(shown).toBe(Number(expected[0]![0]));
  expect(shown).toBeGreaterThan(0);
  for (const name of ["dashboard-live", "dashboard-live-phone", "dashboard-sql", "dashboard-refused", "dashboard-gone"]) expect(statSync(screenshotPath(name)).size).toBeGreaterThan(10_000);
  expect(existsSync("/tmp/x.csv") && statSync("/tmp/x.csv").mtimeMs > Date.now() - 60_000).toBe(false);
}, 120_000);
