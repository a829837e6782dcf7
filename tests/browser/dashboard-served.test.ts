// The dashboard over a finished database served by `bun run sink --db` (no pipeline, no flowctl),
// in headless Chromium at 1280x800 and 390x844: it says once, in the server's words, that there is
// no flowctl, and that nothing is live; amounts read in asset units with the exact stroops kept for
// hover and copy; fee refunds are named; assets read as CODE plus a shortened issuer; the table's
// row count agrees with its status; accounts, transactions and assets filter the view; the volume
// panel, the SQL box's tables and history, NDJSON before any query, a favicon. Screenshots go to
// test-artifacts/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO } from "../support/cli.ts";
import { collect, freePort, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { childEnv, launchChromium, screenshotPath, stopChild, type HeadlessChromium } from "./support.ts";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** The newest ledger held: the table opens on it (the last 10 ledgers: only this one is held among them). */
const NEWEST = 56065483;
const MONEYGRAM = "MONEYGRAM:GDOTAN3VLELUNR276DPPCN3DEINNFM6NMDXW3GYYMZMPP2ADK6LUSHOT";

let work: string;
let url: string;
let sink: ReturnType<typeof Bun.spawn> | null = null;
let chromium: HeadlessChromium;

async function run(args: string[]): Promise<void> {
  const child = Bun.spawn([process.execPath, ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: childEnv() });
  const [code, , stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`${args.join(" ")} exited with ${code}: ${stderr}`);
}

/** Rows of `text` through the sink's QueryService (the sink holds the database). */
async function sql(text: string): Promise<(string | null)[][]> {
  const response = await fetch(`${url}/stellarflow.v1.QueryService/Query`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sql: text }) });
  const body = (await response.json()) as { rows?: { values: { text?: string }[] }[]; message?: string };
  if (!response.ok) throw new Error(`${text}: ${body.message}`);
  return (body.rows ?? []).map((r) => r.values.map((v) => v.text ?? null));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-served-"));
  const db = join(work, "served.duckdb");
  const pipeline = ["src/cli/pipeline.ts", "--datalake", lakePath("pubnet"), "--db", db, "--flowctl", "off", "--health-ports", "0,0,0"];
  await run([...pipeline, "--start", "30822015", "--end", "30822025"]);
  await run([...pipeline, "--start", String(NEWEST), "--end", String(NEWEST)]);
  const port = freePort();
  // as a user serves a finished database: no --flowctl flag, no flowctl in the environment
  const spawned = Bun.spawn([process.execPath, "src/cli/sink.ts", "--db", db, "--port", String(port)], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: childEnv() });
  sink = spawned;
  const stderr = collect(spawned.stderr);
  url = `http://127.0.0.1:${port}`;
  await waitFor("bun run sink", async () => ((await fetch(`${url}/livez`).catch(() => null))?.ok ? true : undefined), 30_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the sink said: ${stderr.text().slice(-2000)}`);
  });
  chromium = await launchChromium();
}, 90_000);

afterAll(async () => {
  await chromium?.close();
  await stopChild(sink);
  await rm(work, { recursive: true, force: true });
});

interface OpenedPage {
  readonly page: Page;
  readonly errors: string[];
  /** Responses of HTTP 400 and above, as "STATUS URL". */
  readonly failed: string[];
  readonly requests: string[];
}

async function open(viewport: { width: number; height: number }, before?: (page: Page) => Promise<unknown>): Promise<OpenedPage> {
  const page = await chromium.context.newPage();
  await page.setViewportSize(viewport);
  page.setDefaultTimeout(15_000);
  const opened: OpenedPage = { page, errors: [], failed: [], requests: [] };
  page.on("pageerror", (error) => opened.errors.push(error.message));
  page.on("request", (request) => opened.requests.push(new URL(request.url()).pathname));
  page.on("response", (response) => {
    if (response.status() >= 400) opened.failed.push(`${response.status()} ${response.url()}`);
  });
  await before?.(page);
  expect((await page.goto(`${url}/`, { waitUntil: "load" }))?.status()).toBe(200);
  return opened;
}

const attribute = (page: Page, selector: string, name: string) => page.locator(selector).first().getAttribute(name);

async function eventsShown(page: Page, count: number): Promise<void> {
  await waitFor(`${count} events in the table's status`, async () => ((await attribute(page, "#events-status", "data-count")) === String(count) ? true : undefined), 15_000);
}

function eventRowOf(page: Page, index: number) {
  return page.locator("#events tbody tr").filter({ has: page.locator('td[data-label="#"]', { hasText: new RegExp(`^${index}$`) }) });
}

describe("a database served without a pipeline", () => {
  test("no flowctl, said once in the server's words; nothing live; the chart's axes and units before any figure", async () => {
    // hold the page's /health: the chart stands with its axes, and says why it stays empty, before a single figure
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { page, errors, requests } = await open(DESKTOP, (p) =>
      p.route("**/health", async (route) => {
        await held;
        await route.continue();
      }),
    );
    // what the server's configuration says is enough to know that nothing is live here
    await waitFor("nothing live", async () => ((await attribute(page, "#throughput", "data-state")) === "nothing-live" ? true : undefined));
    expect(await page.locator("#throughput .plot-message").textContent()).toBe("nothing live: this server serves its database, and no pipeline writes to it");
    expect(await page.locator("#throughput .axis-title").allTextContents()).toEqual(["ledgers/s", "events/s", "time (seconds before now)"]);
    expect(await page.locator("#throughput .tick.x").allTextContents()).toEqual(["-60 s", "-45 s", "-30 s", "-15 s", "now"]);
    expect(await page.locator("#throughput .tick.left").allTextContents()).toEqual(["0", "0.25", "0.5", "0.75", "1"]);
    expect(await attribute(page, "#run", "data-state")).toBe("waiting");
    release();

    await waitFor("the run's line", async () => ((await attribute(page, "#run", "data-state")) === "served" ? true : undefined));
    expect(await page.locator("#run").textContent()).toBe(`serving its database (through ledger ${NEWEST}); no pipeline writes to it`);
    await waitFor("flowctl's absence", async () => ((await attribute(page, "#components-note", "data-final")) === "true" ? true : undefined));
    expect(await page.locator("#components-note").textContent()).toBe("flowctl: this server knows no flowctl");
    // once: no watch again (the page used to ask every 3 s, forever)
    await Bun.sleep(7000);
    expect(requests.filter((path) => path.endsWith("/WatchServices"))).toHaveLength(1);
    expect(await page.locator("#components-note").textContent()).toBe("flowctl: this server knows no flowctl");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("amounts in asset units, refunds named, assets shortened, exact values on hover and copy, the row count told", async () => {
    const { page, errors } = await open(DESKTOP);
    const [[total, refunds]] = (await sql(`SELECT count(*), count(*) FILTER (amount < 0 AND event_index >= 50) FROM ttp_events WHERE ledger_sequence = ${NEWEST}`)) as [[string, string]];
    expect(total).toBe("550");
    await eventsShown(page, 550);
    // the table keeps 500 rows and says so, rather than "550 events" over 500 rows
    expect(await page.locator("#events tbody tr").count()).toBe(500);
    expect(await attribute(page, "#events-status", "data-shown")).toBe("500");
    expect(await page.locator("#events-status").textContent()).toStartWith(`showing the newest 500 of 550 events`);

    const moneygram = eventRowOf(page, 547);
    expect(await moneygram.locator('td[data-label="amount"]').textContent()).toBe("240,693,536.9430976 MONEYGRAM");
    expect(await moneygram.locator('td[data-label="amount"]').getAttribute("title")).toBe("2406935369430976 stroops (exact)");
    expect(await moneygram.locator('td[data-label="asset"]').textContent()).toBe("MONEYGRAM GDOT…SHOT");
    expect(await moneygram.locator('td[data-label="asset"] button').getAttribute("title")).toStartWith(MONEYGRAM);

    // fee refunds: named, negative, as many as the database holds among the rows shown
    const refundRows = page.locator('#events tbody tr[data-refund="true"]');
    expect(await refundRows.count()).toBe(Number(refunds));
    expect(Number(refunds)).toBeGreaterThan(0);
    for (const type of await refundRows.locator('td[data-label="type"]').allTextContents()) expect(type).toBe("fee refund");
    for (const amount of await refundRows.locator('td[data-label="amount"]').allTextContents()) expect(amount).toMatch(/^-0\.\d{7} XLM$/);

    // copying a cell, or cells, puts the stored values on the clipboard
    const copied = (selector: string) =>
      page.evaluate((selector) => {
        const cells = [...document.querySelectorAll(selector)];
        const range = document.createRange();
        range.setStartBefore(cells[0]!);
        range.setEndAfter(cells[cells.length - 1]!);
        getSelection()!.removeAllRanges();
        getSelection()!.addRange(range);
        let text: string | null = null;
        const read = (event: ClipboardEvent) => (text = event.clipboardData!.getData("text/plain"));
        window.addEventListener("copy", read);
        document.execCommand("copy");
        window.removeEventListener("copy", read);
        return text as string | null;
      }, selector);
    await moneygram.evaluate((row) => (row.id = "row-547"));
    expect(await copied('#row-547 td[data-label="amount"]')).toBe("2406935369430976");
    expect(await copied('#row-547 td[data-label="asset"], #row-547 td[data-label="amount"]')).toBe(`${MONEYGRAM}\t2406935369430976`);
    expect(errors).toEqual([]);
    await page.screenshot({ path: screenshotPath("dashboard-served-desktop"), fullPage: true });
    await page.close();
  }, 60_000);

  test("an account, a transaction or an asset clicked shows only its events, as many as the database holds", async () => {
    const { page, errors } = await open(DESKTOP);
    await eventsShown(page, 550);
    const first = NEWEST - 9;
    const [[from, tx, asset]] = (await sql(`SELECT from_address, tx_hash, asset FROM ttp_events WHERE ledger_sequence = ${NEWEST} AND event_index = 547`)) as [[string, string, string]];

    await eventRowOf(page, 547).locator('td[data-label="from"] button').click();
    const [[byAccount]] = (await sql(`SELECT count(*) FROM ttp_events WHERE ledger_sequence >= ${first} AND '${from}' IN (from_address, to_address)`)) as [[string]];
    await eventsShown(page, Number(byAccount));
    expect(await page.locator("#event-filter input[name=account]").inputValue()).toBe(from);
    const parties = await page.locator("#events tbody tr").evaluateAll((rows) => rows.map((r) => [(r as HTMLTableRowElement).cells[3]!.dataset["copy"], (r as HTMLTableRowElement).cells[4]!.dataset["copy"]]));
    expect(parties.length).toBe(Number(byAccount));
    for (const pair of parties) expect(pair).toContain(from);

    await eventRowOf(page, 547).locator('td[data-label="tx"] button').click();
    const [[byTx]] = (await sql(`SELECT count(*) FROM ttp_events WHERE tx_hash = '${tx}'`)) as [[string]];
    await eventsShown(page, Number(byTx));
    expect(await page.locator("#event-filter input[name=start_ledger]").inputValue()).toBe(String(NEWEST));
    expect(new Set(await page.locator('#events tbody td[data-label="tx"]').evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset["copy"])))).toEqual(new Set([tx]));

    await eventRowOf(page, 547).locator('td[data-label="asset"] button').click();
    const [[byAsset]] = (await sql(`SELECT count(*) FROM ttp_events WHERE ledger_sequence >= ${first} AND asset = '${asset}'`)) as [[string]];
    await eventsShown(page, Number(byAsset));
    expect(await page.locator("#event-filter input[name=asset]").inputValue()).toBe(MONEYGRAM);
    expect(new Set(await page.locator('#events tbody td[data-label="asset"]').evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset["copy"])))).toEqual(new Set([MONEYGRAM]));

    await page.locator("#event-filter").getByRole("button", { name: "Clear" }).click();
    await eventsShown(page, 550);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("NDJSON before any query, the volume panel, the tables at hand, the history, a favicon", async () => {
    const { page, errors, failed, requests } = await open(DESKTOP);
    // Download NDJSON straight away: it runs the query in the box
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-ndjson").click()]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { event_type: string; events: string });
    const expected = await sql("SELECT event_type, count(*) AS events FROM ttp_events GROUP BY event_type ORDER BY events DESC");
    expect(lines.map((l): (string | null)[] => [l.event_type, l.events])).toEqual(expected);

    // volume: every ledger held, totals as the database sums them, one asset in its units
    const [[held]] = (await sql("SELECT count(*) FROM ledgers")) as [[string]];
    await waitFor("the volume panel", async () => ((await attribute(page, "#volume-status", "data-ledgers")) === held ? true : undefined));
    expect(await attribute(page, "#volume-chart", "data-bars")).toBe(held);
    expect(await attribute(page, "#volume-chart", "data-unit")).toBe("events");
    const [[feeEvents, feeNet]] = (await sql("SELECT count(*), sum(amount) FROM ttp_events WHERE asset = 'native' AND event_type = 'fee'")) as [[string, string]];
    const top = page.locator("#volume-totals tbody tr").first();
    expect(await top.locator("td").allTextContents()).toEqual(["XLM", "fee (net of refunds)", Number(feeEvents).toLocaleString("en-US"), expect.stringMatching(/ XLM$/)]);
    expect(await top.locator('td[data-label="volume"]').getAttribute("data-copy")).toBe(feeNet);
    await page.locator("#volume-form select[name=asset]").selectOption({ label: "XLM" });
    await waitFor("the XLM chart", async () => ((await attribute(page, "#volume-chart", "data-unit")) === "XLM" ? true : undefined));
    expect(await page.locator("#volume-chart .axis-title.left").textContent()).toBe("XLM per ledger");

    // the tables and their columns, a click puts a name into the SQL box
    const columns = page.locator('#sql-schema details[data-table="ttp_events"] li');
    await waitFor("the tables at hand", async () => ((await columns.count()) === 14 ? true : undefined));
    expect(await columns.allTextContents()).toContain("amount HUGEINT");
    await page.locator("#sql").fill("SELECT  FROM ttp_events");
    await page.locator("#sql").evaluate((box) => (box as HTMLTextAreaElement).setSelectionRange(7, 7));
    await page.locator('#sql-schema button.column-name:text-is("amount")').click();
    expect(await page.locator("#sql").inputValue()).toBe("SELECT amount FROM ttp_events");

    // history, newest first, kept across a reload
    for (const query of ["SELECT 1 AS one", "SELECT 2 AS two"]) {
      await page.locator("#sql").fill(query);
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await waitFor(`the result of ${query}`, async () => ((await attribute(page, "#sql-status", "data-rows")) === "1" ? true : undefined));
    }
    await page.reload({ waitUntil: "load" });
    const history = page.locator("#sql-history option");
    await waitFor("the history", async () => ((await history.count()) === 4 ? true : undefined));
    expect((await history.allTextContents()).slice(1)).toEqual(["SELECT 2 AS two", "SELECT 1 AS one", "SELECT event_type, count(*) AS events FROM ttp_events GROUP BY event_type ORDER BY events DESC"]);
    await page.locator("#sql-history").selectOption("SELECT 1 AS one");
    expect(await page.locator("#sql").inputValue()).toBe("SELECT 1 AS one");

    // a favicon, and not one failed request (no /favicon.ico asked for)
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toStartWith("data:image/svg+xml,");
    expect(requests).not.toContain("/favicon.ico");
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("on a phone (390x844): events and totals as cards, nothing cut off", async () => {
    const { page, errors } = await open(PHONE);
    await eventsShown(page, 550);
    await waitFor("the volume totals", async () => ((await page.locator("#volume-totals tbody tr").count()) > 0 ? true : undefined));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    // every cell of the first rows inside the screen, its label beside it
    for (const table of ["#events", "#volume-totals"]) {
      const boxes = await page.locator(`${table} tbody tr:nth-child(-n+20) td`).evaluateAll((cells) =>
        cells.filter((c) => (c as HTMLElement).offsetParent !== null).map((c) => ({ left: c.getBoundingClientRect().left, right: c.getBoundingClientRect().right, label: getComputedStyle(c, "::before").content })),
      );
      expect(boxes.length).toBeGreaterThan(20);
      for (const box of boxes) {
        expect(box.left).toBeGreaterThanOrEqual(0);
        expect(box.right).toBeLessThanOrEqual(PHONE.width);
        expect(box.label).not.toBe("none");
      }
    }
    expect(await page.locator("#events thead").isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.screenshot({ path: screenshotPath("dashboard-served-phone"), fullPage: true });
    await page.close();
  }, 60_000);
});
