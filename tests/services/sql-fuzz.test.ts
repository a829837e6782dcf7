// A fuzz test of the SQL surface (issue 12, "Done means"): statements from sql-fuzz-gen.ts, with a
// fixed seed, for a few seconds, against `bun run sink` as a process with its own HOME. Afterwards:
// no answer carried a canary file's contents or a listing, no canary was read (access times, where
// the filesystem keeps them), nothing was created beside the canaries or in ~/.duckdb, both tables
// hold exactly what they held, and the process stayed under its memory limit and still answers.
// The sink has a backfill dataset attached (--dataset), with a second set of canaries planted in its
// folder, which DuckDB's sandbox allows: the dataset is left as it was, and nothing leaks from there either.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { killAll, spawnCli, type Child } from "../processes/stage-processes.ts";
import { writeCanaries, type Canaries } from "../support/canaries.ts";
import { freePort, waitFor } from "../support/flowctl.ts";
import { processedBatch, tempDir } from "../sink/fixtures.ts";
import { SqlFuzzer, seeded } from "./sql-fuzz-gen.ts";
import { connectQuery, downloadParquet, peakRss } from "./sql-process.ts";

const SEED = 20_240_612;
/** How long statements are sent for (CI time), and at most how many. */
const FUZZ_MS = 4000;
const MAX_STATEMENTS = 3000;
/** Requests in flight at once (the sink runs 2 queries and lets 2 wait). */
const CLIENTS = 3;
/** The sink process's memory limit for this test: its peak RSS must stay below it. */
const MEMORY_LIMIT = 1024 ** 3;

const work = tempDir("stellar-flow-sql-fuzz-");
const home = join(work.path, "home");
const db = join(work.path, "db", "fuzz.duckdb");
const canaries: Canaries = await writeCanaries();
// a backfill dataset attached (--dataset): DuckDB's sandbox allows its folder, where a second set of
// canaries is planted; there only the statement check stands between a query and the files
const dataset = join(work.path, "dataset");
let planted: Canaries;
let sink: Child;
let url: string;

/** Every path under `dir` with its size and modification time (what a write would change). */
function tree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = statSync(full);
      entries[full] = stat.isDirectory() ? "dir" : `${stat.size}@${Math.floor(stat.mtimeMs)}`; // whole ms: arm() resets times to ms precision
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return entries;
}

/** A digest of every row of both tables and the cursor, read with DuckDB outside the sink. */
async function contents(): Promise<string> {
  const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const rows = await connection.runAndReadAll(
      `SELECT (SELECT count(*) || ':' || md5(string_agg(e::VARCHAR, '|' ORDER BY ledger_sequence, event_index)) FROM ttp_events e),
              (SELECT count(*) || ':' || md5(string_agg(l::VARCHAR, '|' ORDER BY sequence)) FROM ledgers l),
              (SELECT string_agg(c::VARCHAR, '|') FROM sink_cursor c),
              (SELECT string_agg(table_name, ',' ORDER BY table_name) FROM duckdb_tables())`,
    );
    return JSON.stringify(rows.getRows());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

let before: { contents: string; canaries: Record<string, string>; dbDir: string[]; dataset: Record<string, string> };

beforeAll(async () => {
  mkdirSync(home);
  const writer = await DuckDbSink.open(db);
  await writer.write(processedBatch(100, 129));
  await writer.close();
  const source = await openDataLake(lakePath("pubnet"));
  await runShard({ source, processor: shardProcessor(source.networkPassphrase), store: new FolderDatasetStore(dataset), shard: { start: 30_822_015, end: 30_822_025 } });
  planted = await writeCanaries(join(dataset, "ttp_events", "planted"));
  before = { contents: await contents(), canaries: tree(canaries.dir), dbDir: readdirSync(join(work.path, "db")), dataset: tree(dataset) };
  const port = freePort();
  sink = spawnCli("sink", ["--db", db, "--dataset", dataset, "--port", String(port), "--flowctl", "off", "--query-timeout", "2s", "--query-max-result-bytes", "1MiB", "--query-queue", "2"], {
    HOME: home,
    UV_THREADPOOL_SIZE: "8",
  });
  url = `http://127.0.0.1:${port}`;
  await waitFor("bun run sink", async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined), 20_000);
}, 30_000);

afterAll(async () => {
  await killAll([sink]);
  canaries.remove();
  work.remove();
});

test(`seed ${SEED}: ${FUZZ_MS} ms of generated statements leave no trace outside the database`, async () => {
  const readsShow = canaries.arm();
  planted.arm();
  const fuzzer = new SqlFuzzer(seeded(SEED), canaries, [planted]);
  const leaks: string[] = [];
  const outcomes = new Map<string, number>();
  let sent = 0;
  const deadline = performance.now() + FUZZ_MS;
  const client = async () => {
    while (performance.now() < deadline && sent < MAX_STATEMENTS) {
      const sql = fuzzer.statement();
      const download = sent++ % 5 === 4;
      const answer = download ? await downloadParquet(url, sql) : await connectQuery(url, sql);
      const outcome = download ? `download ${answer.status}` : `query ${answer.code ?? answer.status}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (canaries.leaked(answer.text) || planted.leaked(answer.text)) leaks.push(`${sql}\n  -> ${answer.text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  console.log(`sql fuzz: ${sent} statements, ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);

  expect(leaks).toEqual([]);
  expect(outcomes.get("query 200") ?? 0).toBeGreaterThan(0); // the generator reaches past the fences too
  if (readsShow) expect([...canaries.touched(), ...planted.touched()]).toEqual([]);
  expect(peakRss(sink.proc.pid)).toBeLessThan(MEMORY_LIMIT);
  const alive = await connectQuery(url, "SELECT count(*) FROM ttp_events");
  expect(JSON.parse(alive.text).rows[0].values[0].text).toBe("788"); // 120 of the database, 668 of the dataset

  sink.proc.kill("SIGTERM");
  expect((await sink.done).code).toBe(0);
  expect(tree(canaries.dir)).toEqual(before.canaries);
  // no ~/.duckdb (extensions, secrets); Bun keeps its own transpiler cache in ~/.bun
  expect(Object.keys(tree(home)).filter((path) => !path.startsWith(join(home, ".bun")))).toEqual([]);
  expect(readdirSync(join(work.path, "db")).filter((name) => !before.dbDir.includes(name) && name !== "fuzz.duckdb.wal" && name !== "fuzz.duckdb.tmp")).toEqual([]);
  expect(await contents()).toBe(before.contents);
  expect(tree(dataset)).toEqual(before.dataset);
  expect((await verifyDataset(new FolderDatasetStore(dataset))).problems).toEqual([]);
}, 60_000);
