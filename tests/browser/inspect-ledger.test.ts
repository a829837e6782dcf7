// The dashboard's "Inspect a ledger" panel in headless Chromium, served by `bun run sink` with
// STELLAR_FLOW_DATALAKE pointing at a local HTTP lake (../shared in place, CORS open): a ledger
// fetched from that lake and a dropped .xdr.zst object are decoded in the page and show the event
// counts of stellar-etl's expected rows; a file that is not a ledger object says so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO } from "../support/cli.ts";
import { collect, freePort, waitFor } from "../support/flowctl.ts";
import { LEDGERS_DIR, lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { childEnv, launchChromium, screenshotPath, stopChild, type HeadlessChromium } from "./support.ts";

let work: string;
let lake: S3TestServer;
let sink: ReturnType<typeof Bun.spawn> | null = null;
let chromium: HeadlessChromium | null = null;

async function expectedCount(file: string, ledger: number): Promise<number> {
  const rows = (await readFile(join(LEDGERS_DIR, "expected", file), "utf8")).split("\n").filter((line) => line !== "");
  return rows.map((line) => JSON.parse(line) as { ledger_sequence: number }).filter((r) => r.ledger_sequence === ledger).length;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-inspect-"));
  lake = await S3TestServer.start({ root: LEDGERS_DIR, headers: { "access-control-allow-origin": "*" } });
});

afterAll(async () => {
  await chromium?.close();
  await stopChild(sink);
  lake?.stop();
  await rm(work, { recursive: true, force: true });
});

/** Drops `bytes` as a file named `name` on the panel's drop zone, as a user dragging it from the desktop. */
async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    ({ name, base64 }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: "application/zstd" }));
      const zone = document.getElementById("inspect-drop")!;
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name, base64: Buffer.from(bytes).toString("base64") },
  );
}

async function shownCount(page: Page, ledgers: string): Promise<number> {
  return waitFor(`the panel's event count for ledger(s) ${ledgers}`, async () => {
    const status = page.locator("#inspect-status");
    if ((await status.getAttribute("data-error")) === "true") throw new Error(`the panel failed: ${await status.textContent()}`);
    if ((await status.getAttribute("data-ledgers")) !== ledgers) return undefined;
    const count = await status.getAttribute("data-count");
    return count === null ? undefined : Number(count);
  }, 20_000);
}

test("Inspect a ledger: fetched from the configured lake and dropped as a file, decoded in the page", async () => {
  const port = freePort();
  const spawned = Bun.spawn([process.execPath, "src/cli/sink.ts", "--db", join(work, "sink.duckdb"), "--port", String(port), "--flowctl", "off"], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
    env: childEnv({ STELLAR_FLOW_DATALAKE: lake.url("pubnet") }),
  });
  sink = spawned;
  const stderr = collect(spawned.stderr);
  const url = `http://127.0.0.1:${port}`;
  await waitFor("bun run sink", async () => ((await fetch(`${url}/livez`).catch(() => null))?.ok ? true : undefined), 30_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the sink said: ${stderr.text().slice(-2000)}`);
  });

  chromium = await launchChromium();
  const page = await chromium.context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  expect((await page.goto(`${url}/`, { waitUntil: "load" }))?.status()).toBe(200);

  // the lake comes from the server's configuration
  const lakeInput = page.locator("#inspect-form input[name=lake]");
  await waitFor("the configured lake URL", async () => ((await lakeInput.inputValue()) === lake.url("pubnet") ? true : undefined), 10_000);

  // a ledger number, fetched from that lake by the page
  const fetchedBefore = lake.requests.length;
  await page.locator("#inspect-form input[name=ledger]").fill("30822015");
  await page.locator("#inspect-form").getByRole("button", { name: "Fetch" }).click();
  const fetched = await shownCount(page, "30822015");
  expect(fetched).toBe(await expectedCount("etl-token-transfers-30822015-30822025.ndjson", 30822015));
  expect(lake.requests.slice(fetchedBefore)).toContain("/ledgers/pubnet/FE2A45FF--30784000-30847999/FE29B180--30822015.xdr.zst");
  expect(await page.locator("#inspect-events tbody tr").count()).toBe(fetched);
  expect(await page.locator("#inspect-summary").textContent()).toContain("ledger 30822015 (protocol 13");

  // a dropped object file: decoded in the page, nothing asked of the lake or the server
  const object = await Bun.file(join(lakePath("pubnet"), "FE2A45FF--30784000-30847999", "FE29B950--30820015.xdr.zst")).bytes();
  const beforeDrop = lake.requests.length;
  await dropFile(page, "FE29B950--30820015.xdr.zst", object);
  const dropped = await shownCount(page, "30820015");
  expect(dropped).toBe(await expectedCount("etl-token-transfers-30820015.ndjson", 30820015));
  expect(dropped).toBe(60);
  expect(lake.requests.length).toBe(beforeDrop);
  await page.screenshot({ path: screenshotPath("dashboard-inspect-ledger"), fullPage: true });

  // a file that is not a ledger object: an error naming it
  await dropFile(page, "notes.txt", new TextEncoder().encode("not a ledger"));
  const error = await waitFor("the panel's error", async () => ((await page.locator("#inspect-status").getAttribute("data-error")) === "true" ? page.locator("#inspect-status").textContent() : undefined));
  expect(error).toBe("not a zstd object: not a zstd frame at offset 0 (magic number 0x20746f6e) (notes.txt)");
  expect(pageErrors).toEqual([]);
});
