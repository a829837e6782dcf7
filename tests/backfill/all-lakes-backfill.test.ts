// Issue 15, "Done means": the dataset of every shared lake equals the pipeline's DuckDB rows exactly
// (every column, duplicates counted, the same types), for shard sizes 1, 7 and 10,000, written by
// `bun run backfill` locally (--parallel 2) and through NATS (`bun run backfill --nats` plans,
// three `bun run backfill worker` processes write). Each lake's contiguous runs of ledgers are
// backfilled as ranges of their own, as the pipeline reads them (a range over a missing ledger fails,
// naming it). The standalone load-test lakes need the transaction-set check off (--no-tx-set-check).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { openSink } from "../../src/sink/open-sink.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { lakeSequences } from "../support/ledger-models.ts";
import { NatsTestServer } from "../support/nats-server.ts";
import { REPO, runBunScript } from "../support/cli.ts";
import { tempDir } from "./support.ts";

setDefaultTimeout(180_000);

const LAKES = ["pubnet", "testnet", "standalone-p23", "standalone-p24"] as const;
const SIZES = [1, 7, 10_000] as const;
const dir = tempDir("stellar-flow-all-lakes-");
let nats: NatsTestServer;

/** Maximal runs of consecutive sequences. */
function contiguousRanges(sequences: readonly number[]): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (const s of sequences) {
    const last = ranges[ranges.length - 1];
    if (last && s === last.end + 1) last.end = s;
    else ranges.push({ start: s, end: s });
  }
  return ranges;
}

const txSetFlags = (lake: string) => (lake.startsWith("standalone") ? ["--no-tx-set-check"] : []);
const ranges = new Map<string, { start: number; end: number }[]>();

/** The pipeline's DuckDB over every contiguous run of the lake, each asked for explicitly. */
async function referenceDatabase(lake: string): Promise<string> {
  const path = join(dir.path, `${lake}.duckdb`);
  const source = await openDataLake(lakePath(lake));
  const opened = await openSink(path);
  try {
    const processor = shardProcessor(source.networkPassphrase, { checkTxSets: !lake.startsWith("standalone") });
    for (const range of ranges.get(lake)!) await runPipeline({ source, processor, sink: opened.sink, range, startOver: true });
  } finally {
    await opened.close();
  }
  return path;
}

/** Rows in one and not the other (EXCEPT ALL: duplicates count), row counts, and whether the column types match. */
async function compare(database: string, dataset: string): Promise<Record<string, unknown>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${database}' AS ref (READ_ONLY)`);
    const result: Record<string, unknown> = {};
    for (const table of ["ttp_events", "ledgers"]) {
      // the dataset keeps amount as DECIMAL(38,0), the database as HUGEINT: the same integers
      const cast = table === "ttp_events" ? " REPLACE (amount::HUGEINT AS amount)" : "";
      const ours = `(SELECT *${cast} FROM read_parquet('${dataset}/${table}/*.parquet'))`;
      const theirs = `ref.main.${table}`;
      const [[extra, missing, rows, expected]] = (await connection.runAndReadAll(
        `SELECT (SELECT count(*) FROM (SELECT * FROM ${ours} EXCEPT ALL SELECT * FROM ${theirs})),
                (SELECT count(*) FROM (SELECT * FROM ${theirs} EXCEPT ALL SELECT * FROM ${ours})),
                (SELECT count(*) FROM ${ours}), (SELECT count(*) FROM ${theirs})`,
      )).getRows() as [[bigint, bigint, bigint, bigint]];
      result[table] = { extra: Number(extra), missing: Number(missing), rows: Number(rows), expected: Number(expected) };
    }
    return result;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function expectEqual(found: Record<string, unknown>): void {
  for (const table of ["ttp_events", "ledgers"]) {
    const t = found[table] as { extra: number; missing: number; rows: number; expected: number };
    expect(t.expected).toBeGreaterThan(0); // the lake's ledgers give rows to compare
    expect({ table, extra: t.extra, missing: t.missing, rows: t.rows }).toEqual({ table, extra: 0, missing: 0, rows: t.expected });
  }
}

const references = new Map<string, string>();

beforeAll(async () => {
  for (const lake of LAKES) ranges.set(lake, contiguousRanges(await lakeSequences(lake)));
  for (const lake of LAKES) references.set(lake, await referenceDatabase(lake));
  nats = await NatsTestServer.start();
});
afterAll(async () => {
  await nats?.stop();
  dir.remove();
});

async function backfill(args: readonly string[]): Promise<void> {
  const run = await runBunScript("src/cli/backfill.ts", args);
  if (run.code !== 0) throw new Error(`bun run backfill ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
}

describe("bun run backfill, locally (--parallel 2)", () => {
  for (const lake of LAKES) {
    test(`${lake}: shard sizes 1, 7 and 10,000 each give the pipeline's rows`, async () => {
      const out = (size: number) => join(dir.path, `local-${lake}-${size}`);
      // the three sizes at once, each its ranges one after the other
      await Promise.all(
        SIZES.map(async (size) => {
          for (const range of ranges.get(lake)!) {
            await backfill(["--datalake", lakePath(lake), "--start", String(range.start), "--end", String(range.end), "--out", out(size), "--shard-size", String(size), "--parallel", "2", ...txSetFlags(lake)]);
          }
        }),
      );
      for (const size of SIZES) {
        expectEqual(await compare(references.get(lake)!, out(size)));
        const verify = await runBunScript("src/cli/backfill.ts", ["verify", "--out", out(size)]);
        expect(verify.stdout).not.toContain("problem:");
      }
    });
  }
});

describe("bun run backfill through NATS: plan, then three workers", () => {
  for (const lake of LAKES) {
    test(`${lake}: shard sizes 1, 7 and 10,000 each give the pipeline's rows`, async () => {
      const queue = `all-${lake}`;
      const out = (size: number) => join(dir.path, `nats-${lake}-${size}`);
      // every size's shards on one queue, each shard planned for its own dataset
      await Promise.all(
        SIZES.map(async (size) => {
          for (const range of ranges.get(lake)!) {
            await backfill(["--nats", nats.url, "--queue", queue, "--ack-wait", "5s", "--datalake", lakePath(lake), "--start", String(range.start), "--end", String(range.end), "--out", out(size), "--shard-size", String(size), ...txSetFlags(lake)]);
          }
        }),
      );
      const workers = [1, 2, 3].map(() =>
        Bun.spawn(["bun", "src/cli/backfill.ts", "worker", "--nats", nats.url, "--queue", queue, "--datalake", lakePath(lake), "--exit-when-idle", ...txSetFlags(lake)], { cwd: REPO, stdout: "pipe", stderr: "pipe" }),
      );
      const logs = await Promise.all(workers.map(async (w) => ({ code: await w.exited, stderr: await new Response(w.stderr).text() })));
      for (const log of logs) expect(log.code).toBe(0);
      const written = logs.map((log) => log.stderr.split("\n").filter((line) => line.includes(": done, ")).length);
      const shards = SIZES.reduce((n, size) => n + ranges.get(lake)!.reduce((m, r) => m + Math.floor(r.end / size) - Math.floor(r.start / size) + 1, 0), 0);
      expect(written.reduce((a, b) => a + b, 0)).toBe(shards);
      const status = await runBunScript("src/cli/backfill.ts", ["status", "--nats", nats.url, "--queue", queue]);
      expect(status.stdout).toContain(`${shards} shards: ${shards} done, 0 running, 0 queued, 0 waiting for redelivery, 0 failed`);
      for (const size of SIZES) expectEqual(await compare(references.get(lake)!, out(size)));
    });
  }
});
