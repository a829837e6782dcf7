// Issue 12, minor: `--db ""` ran in memory and reported success with the data gone, and failed runs
// left empty .duckdb files. Now an in-memory path is refused, and a database a failed run created and
// never committed to is removed with it; a file that was there before is never removed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { runBunScript } from "../support/cli.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-db-file-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const pipeline = (args: string[]) => runBunScript("src/cli/pipeline.ts", ["--datalake", lakePath("pubnet"), "--health-ports", "off", "--flowctl", "off", ...args]);

describe("the database file", () => {
  for (const db of ["", ":memory:"]) {
    test(`--db "${db}" is refused: the data would be gone at exit`, async () => {
      for (const script of ["src/cli/pipeline.ts", "src/cli/sink.ts"]) {
        const result = await runBunScript(script, ["--db", db, "--flowctl", "off"]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`error: --db must be a database file, got "${db}": that would keep the database in memory and lose everything at exit`);
      }
    });
  }

  test("a failed run removes the database it created and never committed to", async () => {
    const db = join(work, "new.duckdb");
    const result = await pipeline(["--start", "30822014", "--end", "30822016", "--db", db]); // 30822014 is not in the lake
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ledger 30822014 not found in the lake");
    expect(result.stderr).toContain(`removed ${db}, which this run created and never committed to`);
    expect(await readdir(work)).toEqual([]);
  });

  test("a failed run never removes a database that was there before, even an empty one", async () => {
    const db = join(work, "existing.duckdb");
    await (await DuckDbSink.open(db)).close();
    const result = await pipeline(["--start", "30822014", "--end", "30822016", "--db", db]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("removed");
    expect(existsSync(db)).toBe(true);
  });
});
