// `bun run pipeline --ledgers LIST`: several ranges in one run (one start-up), each an explicit start
// (the database holds the ranges asked for), a summary per range and overall, the export of them
// all; a bad list is refused naming the item.
import { afterAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly, runBunScript } from "../support/cli.ts";
import { tempDir } from "../sink/fixtures.ts";
import { ledgerList } from "../../src/cli/source-args.ts";
import { remainingLedgers } from "../../src/cli/progress-report.ts";

const work = tempDir("stellar-flow-ledger-list-");
afterAll(() => work.remove());

const pipeline = (...args: string[]) => runBunScript("src/cli/pipeline.ts", [...args, "--health-ports", "off", "--flowctl", "off"]);
/** The summary lines with the time line's figures (which vary) cut. */
const timeless = (stdout: string) => stdout.replace(/^time {9}.*$/gm, "time         ...");

describe("--ledgers", () => {
  test("three ranges, given out of order, in one run: a summary each, then overall, and one export of them all", async () => {
    const db = join(work.path, "list.duckdb");
    const json = join(work.path, "list.ndjson");
    const run = await pipeline("--datalake", lakePath("pubnet"), "--ledgers", "30822015-30822025,6154623,7320888", "--db", db, "--export-json", json);
    expect(run.code).toBe(0);
    expect(timeless(run.stdout)).toBe(
      [
        "ledgers      1 (6154623)",
        "transactions 0 (0 successful, 0 failed), 0 operations",
        "events       0 (transfer 0, mint 0, burn 0, clawback 0, fee 0)",
        "time         ...",
        "",
        "ledgers      1 (7320888)",
        "transactions 1 (1 successful, 0 failed), 1 operations",
        "events       2 (transfer 0, mint 1, burn 0, clawback 0, fee 1)",
        "time         ...",
        "",
        "ledgers      11 (30822015-30822025)",
        "transactions 650 (507 successful, 143 failed), 2085 operations",
        "events       668 (transfer 18, mint 0, burn 0, clawback 0, fee 650)",
        "time         ...",
        "",
        "all 3 ranges",
        "ledgers      13 (6154623, 7320888, 30822015-30822025)",
        "transactions 651 (508 successful, 143 failed), 2086 operations",
        "events       670 (transfer 18, mint 1, burn 0, clawback 0, fee 651)",
        "time         ...",
        `exported     670 events to ${json}`,
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe(
      ["6154623-6154623", "7320888-7320888", "30822015-30822025"].map((range) => `reading data lake ${lakePath("pubnet")}, ledgers ${range}, into ${db}\n`).join(""),
    );
    const held = (await queryReadOnly(db, "SELECT sequence FROM ledgers ORDER BY sequence")).map((row) => Number(row[0]));
    expect(held).toEqual([6154623, 7320888, ...Array.from({ length: 11 }, (_, i) => 30822015 + i)]);
    expect((await readFile(json, "utf8")).trim().split("\n")).toHaveLength(670);

    // again: each range replaced, none duplicated
    expect((await pipeline("--datalake", lakePath("pubnet"), "--ledgers", "6154623,7320888,30822015-30822025", "--db", db)).code).toBe(0);
    expect(await queryReadOnly(db, "SELECT count(*) FROM ttp_events")).toEqual([[670n]]);
  });

  test("a range that fails stops the run after committing the ranges before it, and says what is left to run", async () => {
    const db = join(work.path, "gap.duckdb");
    const run = await pipeline("--datalake", lakePath("pubnet"), "--ledgers", "7320888,30822024-30822026,53312000", "--db", db);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines.at(-2)).toStartWith("error: ledger 30822026 not found in the lake");
    expect(lines.at(-1)).toBe(`committed through ledger 30822025 in ${db}; run again with --ledgers 30822026,53312000 to finish`);
    expect((await queryReadOnly(db, "SELECT sequence FROM ledgers ORDER BY sequence")).map((row) => Number(row[0]))).toEqual([7320888, 30822024, 30822025]);
  });

  test("a bad list is a usage error naming the item", async () => {
    const usage = (message: string) => ({ code: 2, stdout: "", stderr: `error: --ledgers: ${message}\ntry: bun run pipeline --help\n` });
    const run = async (list: string, ...more: string[]) => {
      const result = await pipeline("--ledgers", list, "--db", join(work.path, "never.duckdb"), ...more);
      return { code: result.code, stdout: result.stdout, stderr: result.stderr };
    };
    expect(await run("6154623,abc,7320888")).toEqual(usage('"abc" (item 2 of 3) is not a ledger N or a range N-M of positive ledger sequences'));
    expect(await run("30822025-30822015")).toEqual(usage('"30822025-30822015" (item 1 of 1) ends before it starts'));
    expect(await run("30822015-30822025,30822020")).toEqual(usage('"30822015-30822025" and "30822020" overlap'));
    expect(await run("6154623,,7320888")).toEqual(usage('item 2 of 3 is empty (a stray comma?) in "6154623,,7320888"'));
    expect(await run("0")).toEqual(usage('"0" (item 1 of 1) is not a ledger N or a range N-M of positive ledger sequences'));
    expect(await run("1,2", "--start", "5")).toEqual({ code: 2, stdout: "", stderr: "error: --ledgers gives the ranges: leave out --start\ntry: bun run pipeline --help\n" });
  });

  test("lists parse to ascending ranges; what is left of an interrupted list", () => {
    expect(ledgerList("30822015-30822025, 6154623 ,7320888")).toEqual([
      { start: 6154623, end: 6154623 },
      { start: 7320888, end: 7320888 },
      { start: 30822015, end: 30822025 },
    ]);
    const ranges = ledgerList("1-10,20,30-40");
    expect(remainingLedgers(ranges, 0, null)).toBe("1-10,20,30-40");
    expect(remainingLedgers(ranges, 0, 4)).toBe("5-10,20,30-40");
    expect(remainingLedgers(ranges, 2, 35)).toBe("36-40");
    expect(remainingLedgers(ranges, 2, 40)).toBe("");
    expect(remainingLedgers(ranges, 1, 10)).toBe("20,30-40"); // stopped before its second range began
  });
});
