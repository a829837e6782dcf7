// The README's dashboard demo, as a new user runs it: the `bun run pipeline ... --max-ledgers-per-second 1`
// line of its "Dashboard and client services" section, read from the README itself, with the
// dashboard opened in headless Chromium as soon as the sink serves it. The page must show the run in
// progress for at least 10 s: the three components healthy, the run's line running, events
// arriving ledger by ledger and the throughput chart moving, all along. (It needs the pacing to be
// per ledger: pacing whole 16-ledger batches lands all 11 ledgers in the first second.)
// Screenshots at 1280x800 and 390x844 mid-run in test-artifacts/.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queryReadOnly, REPO } from "../support/cli.ts";
import { collect, waitFor } from "../support/flowctl.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { childEnv, launchChromium, screenshotPath, stopChild, type HeadlessChromium } from "./support.ts";

/** How long the page must show the run in progress. */
const SHOWN_MS = 10_000;

let work: string;
let chromium: HeadlessChromium | null = null;
let pipeline: ReturnType<typeof Bun.spawn> | null = null;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-demo-"));
});
afterAll(async () => {
  await chromium?.close();
  await stopChild(pipeline);
  await rm(work, { recursive: true, force: true });
});

/** The demo's command line and the address it tells the user to open, from the README's dashboard section. */
async function readmeDemo(): Promise<{ args: string[]; open: string }> {
  const readme = await readFile(join(REPO, "README.md"), "utf8");
  const section = /^## Dashboard and client services\n([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error("README.md has no '## Dashboard and client services' section");
  const demo = /```sh\n(bun run pipeline [^\n]*--max-ledgers-per-second[^\n]*)\n# open (http:\/\/\S+)/.exec(section);
  if (!demo) throw new Error("the README's dashboard section has no `bun run pipeline ... --max-ledgers-per-second` demo followed by '# open URL'");
  return { args: demo[1]!.trim().split(/\s+/).slice(3), open: demo[2]! };
}

interface Sample {
  readonly at: number;
  /** Source, processor and sink rows shown healthy. */
  readonly healthy: number;
  readonly run: string;
  readonly events: number;
  readonly through: number;
  readonly chart: string;
  readonly points: number;
  readonly ledgersPerSecond: string;
}

test("the README's demo: the dashboard shows the run in progress for at least 10 s", async () => {
  const { args, open } = await readmeDemo();
  expect(args.slice(0, 2)).toEqual(["--datalake", "../shared/ledgers/pubnet"]);
  expect(args).toContain("--max-ledgers-per-second");
  expect(open).toBe("http://127.0.0.1:8090/");
  chromium = await launchChromium(); // ready before the run starts: the page opens the moment the sink serves it
  const db = join(work, "demo.duckdb");
  // the README's command, with the shared lake where the tests find it, a database of its own, and
  // flowctl on a free port (another test may hold 8080; the sink falls back from 8090 by itself)
  const command = [process.execPath, "run", "pipeline", "--datalake", lakePath("pubnet"), ...args.slice(2), "--db", db];
  const spawned = Bun.spawn(command, { cwd: REPO, stdout: "pipe", stderr: "pipe", env: childEnv({ FLOWCTL_ENDPOINT: "127.0.0.1:0" }) });
  pipeline = spawned;
  const stderr = collect(spawned.stderr);
  const stdout = collect(spawned.stdout);
  const sinkUrl = await waitFor("the sink's URL", () => /arrow-analytics-sink (http:\/\/\S+)\/health/.exec(stderr.text())?.[1], 30_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the pipeline said: ${stderr.text().slice(-2000)}`);
  });

  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${sinkUrl}/`, { waitUntil: "load", timeout: 20_000 });
  const phone = await chromium.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${sinkUrl}/`, { waitUntil: "load", timeout: 20_000 });

  // what the page shows, four times a second, until the run has ended
  const samples: Sample[] = [];
  const started = performance.now();
  let shots: Promise<unknown> | null = null;
  let endedAt: number | null = null;
  while (performance.now() - started < 90_000) {
    const sample = await page.evaluate(() => {
      const stages = ["source", "processor", "sink"]; // a pipeline registered as PIPELINE has a row of its own
      const rows = [...document.querySelectorAll<HTMLTableRowElement>("#components tbody tr")];
      const status = document.getElementById("events-status")!.dataset;
      const chart = (document.getElementById("throughput") as unknown as SVGSVGElement).dataset;
      return {
        healthy: rows.filter((r) => r.dataset["health"] === "healthy" && stages.includes(r.dataset["type"] ?? "")).length,
        run: document.getElementById("run")!.dataset["state"] ?? "",
        events: Number(status["count"] ?? 0),
        through: Number(status["through"] ?? -1),
        chart: chart["state"] ?? "",
        points: Number(chart["points"] ?? 0),
        ledgersPerSecond: chart["ledgersPerSecond"] ?? "",
      };
    });
    samples.push({ at: performance.now(), ...sample });
    const inProgress = samples.filter(isInProgress);
    if (!shots && inProgress.length > 0 && performance.now() - inProgress[0]!.at > 5000) {
      // taken while the sampling goes on (a full-page screenshot takes seconds)
      shots = Promise.all([page.screenshot({ path: screenshotPath("dashboard-demo"), fullPage: true }), phone.screenshot({ path: screenshotPath("dashboard-demo-phone"), fullPage: true })]);
    }
    if (spawned.exitCode !== null) {
      endedAt ??= performance.now();
      if (performance.now() - endedAt > 1500) break;
    }
    await Bun.sleep(250);
  }
  await shots;
  const [code] = await Promise.all([spawned.exited, stdout.done, stderr.done]);
  expect(code).toBe(0);
  expect(await queryReadOnly(db, "SELECT count(*) FROM ledgers")).toEqual([[11n]]);

  const first = samples.findIndex(isInProgress);
  const last = samples.findLastIndex(isInProgress);
  const timeline = samples.map((s) => `${Math.round(s.at - started)}ms ${s.run} healthy=${s.healthy} events=${s.events} through=${s.through} chart=${s.chart}/${s.points}`).join("\n");
  expect(first, `the page never showed the run in progress:\n${timeline}`).toBeGreaterThanOrEqual(0);
  const shown = samples.slice(first, last + 1);
  // in progress all along, for at least 10 s
  expect(shown.filter((s) => !isInProgress(s)), timeline).toEqual([]);
  expect(shown[shown.length - 1]!.at - shown[0]!.at, timeline).toBeGreaterThanOrEqual(SHOWN_MS);
  // events arriving ledger by ledger across the window (not all of them in its first second)
  const arrivals = shown.filter((s, i) => i > 0 && s.through > shown[i - 1]!.through);
  expect(arrivals.length, timeline).toBeGreaterThanOrEqual(8);
  expect(arrivals[arrivals.length - 1]!.at - arrivals[0]!.at, timeline).toBeGreaterThanOrEqual(7000);
  expect(shown[shown.length - 1]!.events).toBeGreaterThan(shown[0]!.events);
  // the chart moving: a new figure every second or so, and the figures changing
  expect(shown[shown.length - 1]!.points - shown[0]!.points, timeline).toBeGreaterThanOrEqual(8);
  expect(new Set(shown.map((s) => s.ledgersPerSecond)).size, timeline).toBeGreaterThanOrEqual(4);
  expect(errors).toEqual([]);
}, 120_000);

function isInProgress(s: Sample): boolean {
  return s.healthy === 3 && (s.run === "running" || s.run === "starting") && s.chart === "live";
}
