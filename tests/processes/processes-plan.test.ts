// `bun run pipeline --processes` plans its run as the single process does before any stage starts:
// the exports once the sink has finished (the same files), the catch-up guard on a resume, a
// --start latest-N resolved once for the source and the sink; --ledgers is refused with a reason.
import { afterAll, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly, runBunScript } from "../support/cli.ts";
import { TempLake } from "../source/lake-fixtures.ts";
import { tempDir } from "../sink/fixtures.ts";

const work = tempDir("stellar-flow-processes-plan-");
const lakes: TempLake[] = [];
afterAll(async () => {
  for (const lake of lakes) await lake.remove();
  work.remove();
});

const pipeline = (...args: string[]) => runBunScript("src/cli/pipeline.ts", [...args, "--workers", "0"]);
const RANGE = ["--start", "30822015", "--end", "30822025"];

describe("pipeline --processes", () => {
  test("--export-json and --export-parquet write, once the sink has committed the range, what the single process writes", async () => {
    const out = (mode: string) => ({ db: join(work.path, `${mode}.duckdb`), json: join(work.path, `${mode}.ndjson`), parquet: join(work.path, `${mode}-parquet`) });
    const single = out("single");
    const many = out("processes");
    expect((await pipeline("--datalake", lakePath("pubnet"), ...RANGE, "--db", single.db, "--export-json", single.json, "--export-parquet", single.parquet, "--health-ports", "off", "--flowctl", "off")).code).toBe(0);
    const run = await pipeline("--processes", "--datalake", lakePath("pubnet"), ...RANGE, "--db", many.db, "--export-json", many.json, "--export-parquet", many.parquet);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("exported"))).toEqual([
      `exported     668 events to ${many.json}`,
      `exported     668 events and 11 ledgers as Parquet to ${many.parquet}`,
    ]);
    expect(await readFile(many.json, "utf8")).toBe(await readFile(single.json, "utf8"));
    for (const file of ["ttp_events.parquet", "ledgers.parquet"]) {
      const rows = (dir: string) => queryReadOnly(single.db, `SELECT * FROM read_parquet('${join(dir, file)}')`);
      expect(await rows(many.parquet)).toEqual(await rows(single.parquet));
    }
  }, 60_000);

  test("a resume far behind the source is refused before any stage starts, in the single process's words", async () => {
    const db = join(work.path, "behind.duckdb");
    expect((await pipeline("--datalake", lakePath("pubnet"), ...RANGE, "--db", db, "--health-ports", "off", "--flowctl", "off")).code).toBe(0);
    const single = await pipeline("--datalake", lakePath("pubnet"), "--db", db, "--health-ports", "off", "--flowctl", "off");
    const processes = await pipeline("--processes", "--datalake", lakePath("pubnet"), "--db", db);
    expect(single.code).toBe(2);
    expect(processes).toEqual(single);
    expect(processes.stderr).toStartWith("error: resuming after ledger 30822025 would read 25,243,458 ledgers");
  }, 60_000);

  test("--start latest-N is resolved once: the sink starts where the source does, and the export covers it", async () => {
    const lake = await TempLake.create();
    lakes.push(lake);
    for (let seq = 30822015; seq <= 30822025; seq++) {
      await lake.copy("pubnet", `FE2A45FF--30784000-30847999/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`);
    }
    const db = join(work.path, "latest.duckdb");
    const json = join(work.path, "latest.ndjson");
    const run = await pipeline("--processes", "--datalake", lake.dir, "--start", "latest-3", "--db", db, "--export-json", json);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("[sink] sink: starting at ledger 30822022, as asked (--start)");
    expect((await queryReadOnly(db, "SELECT min(sequence), max(sequence) FROM ledgers"))[0]).toEqual([30822022, 30822025]);
    const exported = (await readFile(json, "utf8")).trim().split("\n").map((line) => JSON.parse(line).ledger_sequence as number);
    expect(new Set(exported)).toEqual(new Set([30822022, 30822023, 30822024, 30822025]));
  }, 60_000);

  test("--ledgers is refused, saying what to run instead", async () => {
    expect(await pipeline("--processes", "--datalake", lakePath("pubnet"), "--ledgers", "6154623,7320888")).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: --ledgers is not supported with --processes: give each range its own --start and --end, or run the list without --processes\ntry: bun run pipeline --help\n",
    });
  });
});
