// `bun run chaos`: its database digest tells databases apart by any value in any column, its
// process sampler sees a process tree's memory, and a short run goes through a kill, a resume and
// a verdict that agrees with its exit code.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { databaseDigest, sameRows } from "../../scripts/chaos/database-digest.ts";
import { processTree, TreeSampler } from "../../scripts/chaos/process-tree.ts";
import { runBunScript } from "../support/cli.ts";

const work = await mkdtemp(join(tmpdir(), "chaos-test-"));
afterAll(() => rm(work, { recursive: true, force: true }));

async function database(name: string, statements: string[]): Promise<string> {
  const path = join(work, name);
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  for (const sql of [
    "CREATE TABLE ledgers (sequence UINTEGER, hash VARCHAR)",
    "CREATE TABLE ttp_events (ledger_sequence UINTEGER, event_index UINTEGER, to_address VARCHAR, amount HUGEINT)",
    "CREATE TABLE sink_cursor (id INTEGER, last_ledger UINTEGER)",
    ...statements,
  ]) {
    await connection.run(sql);
  }
  connection.closeSync();
  instance.closeSync();
  return path;
}

const ROWS = [
  "INSERT INTO ledgers VALUES (10, 'aa'), (11, 'bb'), (12, 'cc')",
  "INSERT INTO ttp_events VALUES (10, 0, 'G1', 5), (10, 1, NULL, 7), (12, 0, 'G2', -3)",
  "INSERT INTO sink_cursor VALUES (1, 12)",
];

describe("database digest", () => {
  test("equal rows give equal digests; one value, a NULL or the order within a ledger changes them", async () => {
    const reference = await databaseDigest(await database("a.duckdb", ROWS));
    expect(reference).toMatchObject({ events: 3, ledgers: 3, cursor: 12, ranges: "10-12" });
    expect(sameRows(await databaseDigest(await database("b.duckdb", ROWS)), reference)).toBe(true);
    const variants = [
      ["INSERT INTO ledgers VALUES (10, 'aa'), (11, 'bb'), (12, 'cc')", "INSERT INTO ttp_events VALUES (10, 0, 'G1', 5), (10, 1, NULL, 8), (12, 0, 'G2', -3)"],
      ["INSERT INTO ledgers VALUES (10, 'aa'), (11, 'bb'), (12, 'cc')", "INSERT INTO ttp_events VALUES (10, 0, 'G1', 5), (10, 1, '', 7), (12, 0, 'G2', -3)"],
      ["INSERT INTO ledgers VALUES (10, 'aa'), (11, 'bb'), (12, 'cc')", "INSERT INTO ttp_events VALUES (10, 1, 'G1', 5), (10, 0, NULL, 7), (12, 0, 'G2', -3)"],
      ["INSERT INTO ledgers VALUES (10, 'aa'), (11, 'bX'), (12, 'cc')", "INSERT INTO ttp_events VALUES (10, 0, 'G1', 5), (10, 1, NULL, 7), (12, 0, 'G2', -3)"],
    ];
    for (const [i, statements] of variants.entries()) {
      expect(sameRows(await databaseDigest(await database(`v${i}.duckdb`, statements!)), reference)).toBe(false);
    }
  });

  test("says which ledgers a database holds, and that it has no cursor", async () => {
    const digest = await databaseDigest(await database("gap.duckdb", ["INSERT INTO ledgers VALUES (10, 'a'), (11, 'b'), (15, 'c'), (17, 'd'), (18, 'e')", "INSERT INTO sink_cursor VALUES (1, NULL)"]));
    expect(digest.ranges).toBe("10-11, 15, 17-18");
    expect(digest.cursor).toBeNull();
  });
});

describe("process tree", () => {
  test("the sampler finds a child by name and reports its peak resident set", async () => {
    // a child that holds ~64 MB for a while
    const child = Bun.spawn(["bun", "-e", "const b = new Uint8Array(64 * 2 ** 20).fill(1); await Bun.sleep(1500); console.log(b[5])"], { stdout: "ignore" });
    const sampler = new TreeSampler(process.pid, (command) => (command.includes("Uint8Array(64") ? "child" : null), 50);
    await Bun.sleep(800);
    expect(sampler.find("child").map((p) => p.pid)).toEqual([child.pid]);
    await child.exited;
    const memory = sampler.stop();
    expect(memory.peakByProcess.child).toBeGreaterThan(64 * 2 ** 20);
    expect(processTree(child.pid)).toEqual([]);
  });
});

describe("bun run chaos", () => {
  test("a short run: a reference, a killed and resumed round, a verdict, and an exit code that agrees with it", async () => {
    const run = await runBunScript("scripts/chaos.ts", ["--rounds", "1", "--ledgers", "12", "--modes", "single", "--seed", "1", "--early-every", "0", "--work", join(work, "run")]);
    expect(run.stdout).toMatch(/^reference single: 12 ledgers, 14400 events in [\d.]+ s .* peak RSS pipeline \d+ MB/m);
    expect(run.stdout).toContain("seed 1 (the same kills again: --seed 1)");
    const verdict = /^single round 1\/1: (identical|different)/m.exec(run.stdout)?.[1];
    expect(verdict).toBeDefined();
    const passed = /^single round 1\/1: identical$/m.test(run.stdout);
    expect(run.stdout).toMatch(/SIGKILL pipeline \(pid \d+\) at [\d.]+ s|the run finished before the kill/);
    expect(run.stdout).toMatch(/summary\n {2}single: [01] of 1 rounds identical/);
    expect(run.code).toBe(passed ? 0 : 1);
  }, 120_000);

  test("bad arguments are named", async () => {
    const run = await runBunScript("scripts/chaos.ts", ["--modes", "threads"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--modes: unknown mode "threads"');
  });
});
