// After the quick start, `bun run pipeline` with no --start resumes after 30822025 and would read
// 25 M ledgers up to the lake's newest (56065483): it says what that is and waits for --start or
// --catch-up (on a terminal: asks), instead of starting a backfill nobody asked for.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { runBunScript } from "../support/cli.ts";
import { tempDir } from "../sink/fixtures.ts";
import { catchUpAllowed, catchUpLines } from "../../src/cli/catch-up-guard.ts";
import { measureCatchUp, samplePoints } from "../../src/pipeline/catch-up.ts";
import { openSource } from "../../src/source/open-source.ts";

const work = tempDir("stellar-flow-catch-up-");
const db = join(work.path, "quick-start.duckdb");
afterAll(() => work.remove());

const pipeline = (...args: string[]) => runBunScript("src/cli/pipeline.ts", ["--datalake", lakePath("pubnet"), "--db", db, "--health-ports", "off", "--flowctl", "off", ...args]);

beforeAll(async () => {
  expect((await pipeline("--start", "30822015", "--end", "30822025")).code).toBe(0); // the README's quick start
});

describe("a resume far behind the source's newest ledger", () => {
  test("says what it would read, what that weighs and takes, and stops without --start or --catch-up", async () => {
    expect(await pipeline()).toEqual({
      code: 2,
      stdout: "",
      stderr: [
        "error: resuming after ledger 30822025 would read 25,243,458 ledgers (30822026-56065483, up to the source's newest): more than 10,000, so it waits to be asked",
        // of the five ledgers sampled, the shared lake holds only its newest (56065483, 716 KB of XDR)
        "about 18.1 TB of XDR (2.9 TB compressed; 716 KB per ledger from 1 of 5 ledgers sampled across the range), about 25.1 h at 200 MB/s of XDR",
        "hint: --start N or --start latest-N to choose where to begin; --catch-up to read them all (--catch-up-limit N moves the limit of 10,000)",
        "",
      ].join("\n"),
    });
  });

  test("--catch-up (or a limit above the gap) lets it go on: here to the first ledger the shared lake lacks", async () => {
    for (const flags of [["--catch-up"], ["--catch-up-limit", "30000000"]]) {
      const run = await pipeline(...flags);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("resuming after ledger 30822025, the last one committed\n");
      expect(run.stderr).toContain("error: ledger 30822026 not found in the lake");
    }
  });

  test("on a terminal it asks, and reads only on yes", async () => {
    const { source } = await openSource({ datalake: lakePath("pubnet"), rpcUrl: null, s3Endpoint: null, concurrency: 8, maxObjectBytes: null }, { network: null });
    const asked: string[] = [];
    const lines: string[] = [];
    const resume = (answer: boolean) => ({
      source,
      range: { start: 30822026, end: 56065483 },
      resuming: "resuming after ledger 30822025",
      ask: async (question: string) => (asked.push(question), answer),
      log: (line: string) => lines.push(line),
    });
    expect(await catchUpAllowed({ allowed: false, limit: 10_000 }, resume(true))).toBe(true);
    expect(asked).toEqual(["read all 25,243,458 ledgers? [y/N] "]);
    expect(lines[0]).toBe("resuming after ledger 30822025 would read 25,243,458 ledgers (30822026-56065483, up to the source's newest): more than 10,000, so it waits to be asked");
    lines.length = 0;
    expect(await catchUpAllowed({ allowed: false, limit: 10_000 }, resume(false))).toBe(false);
    expect(lines.at(-1)).toBe("nothing read: give --start N (or latest-N) to choose where to begin");
    // within the limit: no question
    asked.length = 0;
    expect(await catchUpAllowed({ allowed: false, limit: 10_000 }, { ...resume(false), range: { start: 56060000, end: 56065483 } })).toBe(true);
    expect(asked).toEqual([]);
  });

  test("the estimate samples the range's ledgers; a source that weighs nothing says so", async () => {
    expect(samplePoints(100, 500)).toEqual([100, 200, 300, 400, 500]);
    expect(samplePoints(7, 7)).toEqual([7]);
    const { source } = await openSource({ datalake: lakePath("pubnet"), rpcUrl: null, s3Endpoint: null, concurrency: 8, maxObjectBytes: null }, { network: null });
    // the 11 contiguous shared ledgers: all five samples there
    const full = await measureCatchUp(source, 30822015, 30822025);
    expect(full).toMatchObject({ from: 30822015, to: 30822025, ledgers: 11, perLedger: { samples: 5 } });
    expect(full.perLedger!.xdrBytes).toBeGreaterThan(full.perLedger!.compressedBytes);
    const rpcLike = await measureCatchUp({}, 1, 20_000);
    expect(catchUpLines(rpcLike, "resuming after ledger 0", 10_000)[1]).toBe(
      "its size is unknown: the source has no objects to weigh (RPC), or none of the sampled ledgers was there",
    );
  });
});
