// The shard runner against the pipeline: the dataset's rows equal the pipeline's DuckDB rows exactly
// (exported by `bun run pipeline --export-parquet`), whatever the shard size.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { runShard, type ShardResult } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { planShards, type ShardRange } from "../../src/backfill/shard-plan.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import type { LedgerSource } from "../../src/source/ledger-source.ts";
import { runBunScript } from "../support/cli.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { duck, tempDir } from "./support.ts";

const LAKE = lakePath("pubnet");
setDefaultTimeout(60_000);

const RANGE = { start: 30_822_015, end: 30_822_025 };
const dir = tempDir();
const reference = join(dir.path, "reference");
let source: LedgerSource;

beforeAll(async () => {
  const run = await runBunScript("src/cli/pipeline.ts", [
    "--datalake", LAKE, "--start", String(RANGE.start), "--end", String(RANGE.end),
    "--db", join(dir.path, "pipeline.duckdb"), "--export-parquet", reference, "--export-json", join(dir.path, "events.ndjson"), "--workers", "0",
  ]);
  if (run.code !== 0) throw new Error(`the pipeline failed: ${run.stderr}`);
  source = await openDataLake(LAKE);
});
afterAll(() => dir.remove());

async function backfill(out: string, shards: readonly ShardRange[]): Promise<ShardResult[]> {
  const store = new FolderDatasetStore(out);
  const processor = shardProcessor(source.networkPassphrase);
  const results: ShardResult[] = [];
  for (const shard of shards) results.push(await runShard({ source, processor, store, shard, rowGroupRows: 50 }));
  return results;
}

/** Rows of `select` in the dataset's table and not in the reference's, and the reverse (EXCEPT ALL: duplicates count). */
async function difference(table: "ttp_events" | "ledgers", out: string): Promise<{ extra: number; missing: number; rows: number; types: boolean }> {
  const ours = `read_parquet('${out}/${table}/*.parquet')`;
  const theirs = `read_parquet('${reference}/${table}.parquet')`;
  const [[extra, missing, rows]] = (await duck(
    `SELECT (SELECT count(*) FROM (SELECT * FROM ${ours} EXCEPT ALL SELECT * FROM ${theirs})),
            (SELECT count(*) FROM (SELECT * FROM ${theirs} EXCEPT ALL SELECT * FROM ${ours})),
            (SELECT count(*) FROM ${ours})`,
  )) as [[string, string, string]];
  const types = JSON.stringify(await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${ours})`)) ===
    JSON.stringify(await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${theirs})`));
  return { extra: Number(extra), missing: Number(missing), rows: Number(rows), types };
}

describe("runShard", () => {
  for (const size of [1, 7, 10_000]) {
    test(`shards of ${size}: the dataset's rows are the pipeline's, column for column`, async () => {
      const out = join(dir.path, `size-${size}`);
      const shards = planShards(RANGE, size);
      const results = await backfill(out, shards);
      expect(results.map((r) => r.kind)).toEqual(shards.map(() => "written"));
      const events = await difference("ttp_events", out);
      expect(events).toEqual({ extra: 0, missing: 0, rows: 668, types: true });
      expect(await difference("ledgers", out)).toEqual({ extra: 0, missing: 0, rows: 11, types: true });
      const ndjson = (await Bun.file(join(dir.path, "events.ndjson")).text()).trim().split("\n");
      expect(ndjson.length).toBe(events.rows);
      // sorted by ledger and event index within each file, row groups sized as asked
      const order = await duck(`SELECT bool_and(ok) FROM (SELECT (ledger_sequence, event_index) > lag((ledger_sequence, event_index)) OVER (PARTITION BY filename ORDER BY file_row_number) AS ok FROM read_parquet('${out}/ttp_events/*.parquet', filename = true, file_row_number = true))`);
      expect(order).toEqual([[true]]);
      const report = await verifyDataset(new FolderDatasetStore(out));
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, ledgers: 11, events: 668, gaps: [], overlaps: [], unlisted: [] });
      expect(report.shards.length).toBe(shards.length);
      expect(readdirSync(join(out, "ttp_events")).length).toBe(shards.length);
    });
  }

  test("the manifest says what the shard holds: ledgers, rows, the chain's ends, files with sizes and checksums", async () => {
    const out = join(dir.path, "manifest");
    const [result] = await backfill(out, [RANGE]);
    if (result!.kind !== "written") throw new Error("not written");
    const m = result!.manifest;
    const ledgers = await duck(`SELECT sequence, hash, previous_hash FROM '${reference}/ledgers.parquet' ORDER BY sequence`);
    expect(m).toMatchObject({ start: RANGE.start, end: RANGE.end, ledgers: 11, rows: { ttp_events: 668, ledgers: 11 }, schemaVersion: 1 });
    expect(m.network).toBe(source.networkPassphrase);
    expect(m.firstPreviousHash).toBe(ledgers[0]![2] as string);
    expect(m.lastHash).toBe(ledgers[10]![1] as string);
    for (const file of m.files) {
      const bytes = await Bun.file(join(out, file.key)).bytes();
      expect(file.bytes).toBe(bytes.length);
      expect(file.sha256).toBe(new Bun.CryptoHasher("sha256").update(bytes).digest("hex"));
    }
    expect(m.files.map((f) => [f.table, f.key, f.rows])).toEqual([
      ["ttp_events", "ttp_events/0030822015-0030822025.parquet", 668],
      ["ledgers", "ledgers/0030822015-0030822025.parquet", 11],
    ]);
    expect(existsSync(join(out, ".staging")) ? readdirSync(join(out, ".staging")) : []).toEqual([]);
  });
});
