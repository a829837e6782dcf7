// Opening the dashboard over a database that already holds many ledgers: its event table starts at
// the last 10 committed ledgers (not a replay of the whole database), and a start ledger typed in
// the form still streams from there.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { servicesHarness, type ServicesHarness } from "../services/support.ts";
import { waitFor } from "../support/flowctl.ts";
import { launchChromium, type HeadlessChromium } from "./support.ts";

let h: ServicesHarness;
let chromium: HeadlessChromium;
beforeAll(async () => {
  h = await servicesHarness();
  await h.commit(100, 150); // 4 events per ledger
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await h?.close();
});

test("the event table opens on the last 10 ledgers, then streams from a start ledger typed in the form", async () => {
  const page = await chromium.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${h.server.url}/`, { waitUntil: "load" });
  const countShown = async () => Number((await page.locator("#events-status").getAttribute("data-count")) ?? "0");
  expect(await waitFor("the recent events", async () => ((await countShown()) === 40 ? 40 : undefined), 15_000)).toBe(40);
  const ledgers = (await page.locator("#events tbody tr td:first-child").allTextContents()).map(Number);
  expect(Math.min(...ledgers)).toBe(141);
  expect(Math.max(...ledgers)).toBe(150);

  await page.locator("input[name=start_ledger]").fill("100");
  await page.locator("#event-filter button[type=submit], #event-filter input[type=submit]").first().click();
  expect(await waitFor("every event from ledger 100", async () => ((await countShown()) === 204 ? 204 : undefined), 15_000)).toBe(204);

  await h.commit(151, 151); // and live after that
  expect(await waitFor("the new ledger's events", async () => ((await countShown()) === 208 ? 208 : undefined), 15_000)).toBe(208);
}, 60_000);
