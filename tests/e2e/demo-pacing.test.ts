// The README's dashboard demo as a user runs it (`--flowctl embedded --max-ledgers-per-second 1`
// over pubnet 30822015-30822025): the sink's /health shows the run going a ledger at a time for about
// ten seconds, not all eleven ledgers at once; the summary prints its rates.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { spawnCli, killAll, type Child } from "../processes/stage-processes.ts";
import { freePort } from "../support/flowctl.ts";
import { tempDir } from "../sink/fixtures.ts";

const work = tempDir("stellar-flow-demo-");
const children: Child[] = [];
afterAll(async () => {
  await killAll(children);
  work.remove();
});

test("the dashboard demo commits a ledger a second: /health shows it in progress for ten seconds", async () => {
  const ports = [freePort(), freePort(), freePort()];
  const run = spawnCli(
    "pipeline",
    ["--datalake", lakePath("pubnet"), "--start", "30822015", "--end", "30822025", "--flowctl", "embedded", "--max-ledgers-per-second", "1", "--db", join(work.path, "demo.duckdb"), "--health-ports", ports.join(",")],
    { FLOWCTL_ENDPOINT: `127.0.0.1:${freePort()}` },
  );
  children.push(run);
  // each ledger the sink's /health reports, and when it was first seen
  const seen = new Map<number, number>();
  const health = `http://127.0.0.1:${ports[2]}/health`;
  while (run.proc.exitCode === null) {
    try {
      const ledger = ((await (await fetch(health, { signal: AbortSignal.timeout(2000) })).json()) as { pipeline: { last_ledger: number | null } }).pipeline.last_ledger;
      if (ledger !== null && !seen.has(ledger)) seen.set(ledger, performance.now());
    } catch {
      // not serving yet, or already stopped
    }
    await Bun.sleep(200);
  }
  const result = await run.done;
  expect(result.code).toBe(0);
  const ledgers = [...seen.keys()];
  // polled five times a ledger: on a busy machine a poll may be late, but most ledgers show on their own
  expect(ledgers.length).toBeGreaterThanOrEqual(8);
  expect(ledgers).toEqual([...ledgers].sort((a, b) => a - b));
  expect(ledgers.at(-1)).toBe(30822025);
  const spanSeconds = (seen.get(30822025)! - seen.get(ledgers[0]!)!) / 1000;
  // a floor, not a ceiling: the ledgers 30822015..30822025 are committed a second apart
  expect(spanSeconds).toBeGreaterThanOrEqual((30822025 - ledgers[0]!) * 0.9);
  expect(spanSeconds).toBeGreaterThanOrEqual(8);
  expect(result.stdout).toMatch(/^time {9}1\d\.\d\d s \(1 ledgers\/s, \d+ events\/s\)$/m);
}, 60_000);
