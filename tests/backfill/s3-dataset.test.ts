// A dataset in S3 (the repo's S3 test server, writable): the shard runner writes through the object
// store seam, verify reads it back, and the objects are the same bytes a folder dataset gets.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { openDatasetStore } from "../../src/backfill/open-dataset-store.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { planShards } from "../../src/backfill/shard-plan.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { ensureDataset } from "../../src/backfill/dataset-descriptor.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { tempDir } from "./support.ts";

setDefaultTimeout(60_000);

const RANGE = { start: 30_822_015, end: 30_822_025 };
const dir = tempDir();
let server: S3TestServer;
const credentials = { accessKeyId: "test", secretAccessKey: "test", region: "us-east-1" };

beforeAll(async () => {
  mkdirSync(join(dir.path, "bucket"));
  server = await S3TestServer.start({ root: join(dir.path, "bucket"), writable: true });
});
afterAll(() => {
  server.stop();
  dir.remove();
});

describe("S3DatasetStore", () => {
  test("shards written to s3:// verify, and hold the bytes a folder dataset holds", async () => {
    const source = await openDataLake(lakePath("pubnet"));
    const s3 = openDatasetStore("s3://ledgers/datasets/pubnet", { endpoint: server.endpoint, ...credentials });
    const folder = new FolderDatasetStore(join(dir.path, "folder"));
    const now = () => new Date("2026-01-01T00:00:00Z");
    for (const shard of planShards(RANGE, 4)) {
      await runShard({ source, processor: shardProcessor(source.networkPassphrase), store: s3, shard, now });
      await runShard({ source, processor: shardProcessor(source.networkPassphrase), store: folder, shard, now });
    }
    const report = await verifyDataset(s3);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, ledgers: 11, events: 668 });
    expect(report.shards.map((s) => s.start)).toEqual([30_822_015, 30_822_016, 30_822_020, 30_822_024]);
    const stored = join(dir.path, "bucket", "datasets", "pubnet");
    for (const key of await folder.list("")) {
      expect(readFileSync(join(stored, key))).toEqual(readFileSync(join(folder.location, key)));
    }
    expect(readdirSync(join(stored, "manifests")).length).toBe(4);
    expect(s3.describe("manifests/x.json")).toBe("s3://ledgers/datasets/pubnet/manifests/x.json");

    // a shard written again replaces its objects; a mismatching --out is refused there too
    await runShard({ source, processor: shardProcessor(source.networkPassphrase), store: s3, shard: { start: 30_822_015, end: 30_822_019 } });
    expect((await verifyDataset(s3)).shards.map((s) => [s.start, s.end])).toEqual([[30_822_015, 30_822_019], [30_822_020, 30_822_023], [30_822_024, 30_822_025]]);
    expect(readdirSync(join(stored, "ttp_events")).length).toBe(3);
    await expect(ensureDataset(s3, NETWORK_PASSPHRASES.testnet)).rejects.toThrow("s3://ledgers/datasets/pubnet holds a dataset of ledgers of pubnet");
  });

  test("listing follows continuation pages", async () => {
    const s3 = openDatasetStore("s3://ledgers/many", { endpoint: server.endpoint, ...credentials });
    for (let i = 0; i < 1005; i++) await Bun.write(join(dir.path, "bucket", "many", "manifests", `${String(i).padStart(4, "0")}.json`), "{}");
    const keys = await s3.list("manifests/");
    expect(keys.length).toBe(1005);
    expect(keys[1004]).toBe("manifests/1004.json");
  });

  test("an unreachable store fails naming it, after its retries", async () => {
    const s3 = openDatasetStore("s3://ledgers/x", { endpoint: "http://127.0.0.1:9", ...credentials, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1, timeoutMs: 2_000 } });
    await expect(s3.read("dataset.json")).rejects.toThrow("GET s3://ledgers/x/dataset.json");
  });
});
