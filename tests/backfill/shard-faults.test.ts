// The shard runner when things go wrong or are done twice: rewrites, overlapping plans, a corrupt
// object, a full disk, an --out of another network or schema version; and what verify finds.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import type { StagedFile } from "../../src/backfill/dataset-store.ts";
import { DatasetMismatchError, ensureDataset } from "../../src/backfill/dataset-descriptor.ts";
import { manifestKey, shardName } from "../../src/backfill/dataset-layout.ts";
import { runShard, ShardError, type ShardResult } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { planShards, type ShardRange } from "../../src/backfill/shard-plan.ts";
import { verifyDataset } from "../../src/backfill/verify-dataset.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { smallDisk, smallDiskUnavailable } from "../support/small-disk.ts";
import { runBunScript } from "../support/cli.ts";
import { corruptPubnetLake, duck, tempDir } from "./support.ts";
import { readDatasetSnapshot } from "../../src/sink/dataset/dataset-views.ts";

setDefaultTimeout(60_000);

const RANGE = { start: 30_822_015, end: 30_822_025 };
const dir = tempDir();
let reference: string;
const noTmpfs = smallDiskUnavailable(); // a small tmpfs needs root


async function backfill(out: string, shards: readonly ShardRange[], lake = lakePath("pubnet"), store = new FolderDatasetStore(out)): Promise<ShardResult[]> {
  const source = await openDataLake(lake, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1, timeoutMs: 5_000 } });
  const results: ShardResult[] = [];
  for (const shard of shards) results.push(await runShard({ source, processor: shardProcessor(source.networkPassphrase), store, shard }));
  return results;
}

/** Every event row of a dataset, in order, as JSON (duplicates and gaps show). */
async function eventRows(out: string): Promise<string> {
  return JSON.stringify(await duck(`SELECT * FROM read_parquet('${out}/ttp_events/*.parquet') ORDER BY ALL`));
}

beforeAll(async () => {
  reference = join(dir.path, "reference");
  await backfill(reference, [RANGE]);
});
afterAll(() => dir.remove());

describe("a shard written again", () => {
  test("replaces itself: same files, no duplicate rows", async () => {
    const out = join(dir.path, "twice");
    await backfill(out, planShards(RANGE, 7));
    const files = readdirSync(join(out, "ttp_events")).sort();
    const [again] = await backfill(out, [{ start: 30_822_015, end: 30_822_021 }]);
    expect(again!.kind).toBe("written");
    expect(readdirSync(join(out, "ttp_events")).sort()).toEqual(files);
    expect(await eventRows(out)).toBe(await eventRows(reference));
    expect((await verifyDataset(new FolderDatasetStore(out))).ok).toBe(true);
  });

  test("two plans of overlapping ranges: contained shards are replaced, shards that stick out cut the new one", async () => {
    const out = join(dir.path, "overlap");
    await backfill(out, [{ start: 30_822_015, end: 30_822_018 }, { start: 30_822_022, end: 30_822_023 }]);
    // 30822017-30822024: 15-18 sticks out on the left (kept), 22-23 lies inside (replaced)
    const [cut] = await backfill(out, [{ start: 30_822_017, end: 30_822_024 }]);
    expect(cut!.kind === "written" && [cut!.manifest.start, cut!.manifest.end, cut!.replaced]).toEqual([30_822_019, 30_822_024, [{ start: 30_822_022, end: 30_822_023 }]]);
    expect(existsSync(join(out, "ttp_events", "0030822022-0030822023.parquet"))).toBe(false);
    // a plan inside what is done adds nothing
    const [covered] = await backfill(out, [{ start: 30_822_016, end: 30_822_020 }]);
    expect(covered!.kind).toBe("covered");
    // the whole range again replaces everything inside it
    await backfill(out, [{ start: 30_822_025, end: 30_822_025 }]);
    const [whole] = await backfill(out, planShards(RANGE, 10_000));
    expect(whole!.kind === "written" && whole!.replaced.length).toBe(3);
    expect(readdirSync(join(out, "manifests"))).toEqual(["0030822015-0030822025.json"]);
    expect(await eventRows(out)).toBe(await eventRows(reference));
    const report = await verifyDataset(new FolderDatasetStore(out));
    expect(report).toMatchObject({ ok: true, overlaps: [], gaps: [], unlisted: [] });
  });

  test("a shard cut by a finished neighbour chains to it: a neighbour of another history is refused", async () => {
    const out = join(dir.path, "neighbour");
    await backfill(out, [{ start: 30_822_015, end: 30_822_019 }]);
    const key = join(out, manifestKey({ start: 30_822_015, end: 30_822_019 }));
    const manifest = JSON.parse(readFileSync(key, "utf8"));
    writeFileSync(key, JSON.stringify({ ...manifest, lastHash: "ab".repeat(32) }));
    const failed = backfill(out, [{ start: 30_822_020, end: 30_822_025 }]);
    await expect(failed).rejects.toThrow(ShardError);
    await expect(failed).rejects.toThrow(/shard 0030822020-0030822025 \(ledgers 30822020-30822025\): .*ledger 30822020/);
    expect(existsSync(join(out, manifestKey({ start: 30_822_020, end: 30_822_025 })))).toBe(false);
  });
});

describe("replacing shards, as readers see it", () => {
  const snapshotFiles = async (out: string) => (await readDatasetSnapshot(out)).files.ttp_events.map((f) => f.split("/").pop());

  test("the replacing shard's manifest cannot be written: the replaced shard is still the data, and no file is counted twice", async () => {
    const out = join(dir.path, "replace-fails");
    await backfill(out, [{ start: 30_822_015, end: 30_822_018 }]);
    class ManifestWriteFails extends FolderDatasetStore {
      override async writeBytes(key: string, bytes: Uint8Array): Promise<void> {
        if (key === manifestKey(RANGE)) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
        return super.writeBytes(key, bytes);
      }
    }
    await expect(backfill(out, [RANGE], lakePath("pubnet"), new ManifestWriteFails(out))).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(join(out, "manifests"))).toEqual(["0030822015-0030822018.json"]);
    expect(await snapshotFiles(out)).toEqual(["0030822015-0030822018.parquet"]);
    // written again with room, it replaces the shard and cleans up after it
    await backfill(out, [RANGE]);
    expect(readdirSync(join(out, "manifests"))).toEqual(["0030822015-0030822025.json"]);
    expect(readdirSync(join(out, "ttp_events"))).toEqual(["0030822015-0030822025.parquet"]);
  });

  test("a manifest another contains (a crash after the replacing one was written) is left out; overlaps and foreign file keys are refused, named", async () => {
    const out = join(dir.path, "readers");
    await backfill(out, [{ start: 30_822_015, end: 30_822_018 }]);
    const inner = readFileSync(join(out, manifestKey({ start: 30_822_015, end: 30_822_018 })));
    await backfill(out, [RANGE]);
    writeFileSync(join(out, manifestKey({ start: 30_822_015, end: 30_822_018 })), inner); // as a crash before its removal leaves it
    expect(await snapshotFiles(out)).toEqual(["0030822015-0030822025.parquet"]);

    const overlapping = join(dir.path, "readers-overlap");
    cpSync(out, overlapping, { recursive: true });
    const outer = JSON.parse(readFileSync(join(out, manifestKey(RANGE)), "utf8"));
    writeFileSync(join(overlapping, manifestKey({ start: 30_822_020, end: 30_822_030 })), JSON.stringify({ ...outer, start: 30_822_020, end: 30_822_030, files: outer.files.map((f: { table: string }) => ({ ...f, key: `${f.table}/0030822020-0030822030.parquet` })) }));
    await expect(readDatasetSnapshot(overlapping)).rejects.toThrow("shards 30822015-30822025 and 30822020-30822030 of");

    const traversal = join(dir.path, "readers-traversal");
    cpSync(out, traversal, { recursive: true });
    writeFileSync(join(traversal, manifestKey(RANGE)), JSON.stringify({ ...outer, files: [{ ...outer.files[0], key: "../../etc/**/*.parquet" }, outer.files[1]] }));
    await expect(readDatasetSnapshot(traversal)).rejects.toThrow('lists "../../etc/**/*.parquet" for ttp_events, not ttp_events/0030822015-0030822025.parquet');
  });
});

describe("a shard that fails", () => {
  test("a corrupt object: the error names the shard, the ledger and the object; no manifest, no file; fixed, it completes", async () => {
    const { lake, object, fix } = corruptPubnetLake(dir.path, "corrupt-lake");
    const out = join(dir.path, "corrupt");
    const shards = planShards(RANGE, 7);
    const error = await backfill(out, [shards[0]!], lake).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardError);
    expect((error as Error).message).toContain("shard 0030822015-0030822021");
    expect((error as Error).message).toContain("ledger 30822017");
    expect((error as Error).message).toContain(object);
    await backfill(out, [shards[1]!], lake); // the other shard is done
    expect(readdirSync(join(out, "manifests"))).toEqual(["0030822022-0030822025.json"]);
    expect(readdirSync(join(out, "ttp_events"))).toEqual(["0030822022-0030822025.parquet"]);
    expect(readdirSync(join(out, ".staging"))).toEqual([]);
    const report = await verifyDataset(new FolderDatasetStore(out));
    expect(report.shards.map(shardName)).toEqual(["0030822022-0030822025"]);
    fix();
    await backfill(out, [shards[0]!], lake);
    expect(await eventRows(out)).toBe(await eventRows(reference));
  });

  test.skipIf(noTmpfs !== null)("a full disk: a clear error naming the file, no manifest for the partial shard, nothing left staged", async () => {
    const disk = smallDisk("40k");
    if (typeof disk === "string") throw new Error(disk);
    try {
      // the pubnet shard's files take about 40 KB: the first fills the disk
      const error = await backfill(disk.dir, [RANGE]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ShardError);
      expect((error as Error).message).toMatch(/shard 0030822015-0030822025 .*(ENOSPC|no space left)/i);
      expect(existsSync(join(disk.dir, "manifests"))).toBe(false);
      expect(readdirSync(join(disk.dir, ".staging"))).toEqual([]);
      expect(existsSync(join(disk.dir, "ttp_events"))).toBe(false);
    } finally {
      disk.remove();
    }
  });
});

/** A folder whose ttp_events files are staged on a full device: the staging path links to /dev/full, whose writes fail with ENOSPC. */
class FullDiskStore extends FolderDatasetStore {
  override async stage(key: string): Promise<StagedFile> {
    const staged = await super.stage(key);
    if (key.startsWith("ttp_events/")) symlinkSync("/dev/full", staged.path);
    return staged; // discard removes the link, never the device
  }
}

describe("--out on a full disk", () => {
  // without root there is no small tmpfs: the kernel's /dev/full gives the same ENOSPC to the same writes
  test.skipIf(!existsSync("/dev/full"))("simulated with /dev/full (no root needed): a clear error, no manifest, nothing published or left staged", async () => {
    const out = join(dir.path, "dev-full");
    const error = await backfill(out, [RANGE], lakePath("pubnet"), new FullDiskStore(out)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardError);
    expect((error as Error).message).toMatch(/shard 0030822015-0030822025 .*(ENOSPC|no space left)/i);
    expect(existsSync(join(out, "manifests"))).toBe(false);
    expect(existsSync(join(out, "ttp_events"))).toBe(false);
    expect(existsSync(join(out, "ledgers"))).toBe(false);
    expect(readdirSync(join(out, ".staging"))).toEqual([]);
    expect(existsSync("/dev/full")).toBe(true);
    // room again: the same shard is written whole
    await backfill(out, [RANGE]);
    expect(await eventRows(out)).toBe(await eventRows(reference));
  });

  test.skipIf(noTmpfs !== null)("bun run backfill --out on a 40 KB tmpfs: exit 1 naming the shard and ENOSPC, no manifest, nothing left staged", async () => {
    const disk = smallDisk("40k");
    if (typeof disk === "string") throw new Error(disk);
    try {
      const run = await runBunScript("src/cli/backfill.ts", ["--datalake", lakePath("pubnet"), "--start", String(RANGE.start), "--end", String(RANGE.end), "--out", disk.dir, "--parallel", "1", "--max-attempts", "1", "--plain"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: shard 0030822015-0030822025 \(ledgers 30822015-30822025\) failed after 1 attempt\(s\): .*(ENOSPC|no space left)/i);
      expect(run.stdout).toContain("0 written");
      expect(existsSync(join(disk.dir, "manifests"))).toBe(false);
      expect(existsSync(join(disk.dir, "ttp_events"))).toBe(false);
      expect(readdirSync(join(disk.dir, ".staging"))).toEqual([]);
    } finally {
      disk.remove();
    }
  });
});

describe("staged files of a writer that died", () => {
  test("are swept by the next shard written on this host; a live process's are left alone", async () => {
    const out = join(dir.path, "swept");
    // a writer that stages a file and is SIGKILLed before it publishes it
    const script = `const { FolderDatasetStore } = await import(${JSON.stringify(join(import.meta.dir, "../../src/backfill/folder-dataset-store.ts"))});
      const staged = await new FolderDatasetStore(${JSON.stringify(out)}).stage("ttp_events/0030822015-0030822025.parquet");
      await Bun.write(staged.path, "half a file");
      console.log("staged");
      await Bun.sleep(60_000);`;
    const writer = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "inherit" });
    const reader = writer.stdout.getReader();
    await reader.read(); // "staged"
    writer.kill("SIGKILL");
    await writer.exited;
    const live = await new FolderDatasetStore(out).stage("ledgers/0030822015-0030822025.parquet"); // this process's: alive
    await Bun.write(live.path, "being written");
    expect(readdirSync(join(out, ".staging")).length).toBe(2);
    await backfill(out, [RANGE]);
    expect(readdirSync(join(out, ".staging"))).toEqual([live.path.split("/").pop()!]);
    await live.discard();
    expect(await eventRows(out)).toBe(await eventRows(reference));
  });
});

describe("--out of another dataset", () => {
  test("another network, another schema version, or foreign files are refused before anything is written", async () => {
    const testnet = join(dir.path, "testnet-dataset");
    await ensureDataset(new FolderDatasetStore(testnet), NETWORK_PASSPHRASES.testnet);
    const refused = backfill(testnet, [RANGE]);
    await expect(refused).rejects.toThrow(DatasetMismatchError);
    await expect(refused).rejects.toThrow(`--out ${testnet} holds a dataset of ledgers of testnet (${testnet}/dataset.json); this backfill writes pubnet: choose another --out`);
    expect(readdirSync(testnet).filter((e) => e !== ".staging")).toEqual(["dataset.json"]);
    expect(readdirSync(join(testnet, ".staging"))).toEqual([]);

    const older = join(dir.path, "v2-dataset");
    await ensureDataset(new FolderDatasetStore(older), NETWORK_PASSPHRASES.pubnet, 2);
    await expect(backfill(older, [RANGE])).rejects.toThrow("holds a dataset of schema version 2");

    const foreign = join(dir.path, "foreign");
    await Bun.write(join(foreign, "notes.txt"), "mine");
    await expect(backfill(foreign, [RANGE])).rejects.toThrow(`--out ${foreign} holds ${join(foreign, "notes.txt")}, which is not part of a stellar-flow dataset`);

    // a dataset that lost its dataset.json: its manifests still say what it is
    const lost = join(dir.path, "lost");
    cpSync(reference, lost, { recursive: true });
    rmSync(join(lost, "dataset.json"));
    await expect(ensureDataset(new FolderDatasetStore(lost), NETWORK_PASSPHRASES.testnet)).rejects.toThrow("holds a dataset of ledgers of pubnet");
    expect((await ensureDataset(new FolderDatasetStore(lost), NETWORK_PASSPHRASES.pubnet)).network).toBe(NETWORK_PASSPHRASES.pubnet);
  });
});

describe("verifyDataset", () => {
  test("names a changed file, a missing file, a gap with its unlisted files, an overlap and a broken chain", async () => {
    const out = join(dir.path, "verify");
    await backfill(out, planShards(RANGE, 3));
    const store = new FolderDatasetStore(out);
    expect((await verifyDataset(store)).ok).toBe(true);

    const changed = join(out, "ttp_events", "0030822018-0030822020.parquet");
    const bytes = readFileSync(changed);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(changed, bytes);
    rmSync(join(out, "ledgers", "0030822021-0030822023.parquet"));
    rmSync(join(out, "manifests", "0030822024-0030822025.json"));
    const manifest = JSON.parse(readFileSync(join(out, "manifests", "0030822015-0030822017.json"), "utf8"));
    writeFileSync(join(out, "manifests", "0030822015-0030822017.json"), JSON.stringify({ ...manifest, lastHash: "cd".repeat(32) }));
    writeFileSync(join(out, "manifests", "0030822016-0030822017.json"), JSON.stringify({ ...manifest, start: 30_822_016, ledgers: 2 }));

    const report = await verifyDataset(store);
    expect(report.ok).toBe(false);
    expect(report.gaps).toEqual([]);
    expect(report.overlaps).toEqual([{ range: { start: 30_822_016, end: 30_822_017 }, shards: ["0030822015-0030822017", "0030822016-0030822017"] }]);
    expect(report.unlisted).toEqual(["ledgers/0030822024-0030822025.parquet", "ttp_events/0030822024-0030822025.parquet"]);
    const problems = report.problems.join("\n");
    expect(problems).toContain(`${changed} (shard 0030822018-0030822020) has SHA-256`);
    expect(problems).toContain(`${join(out, "ledgers", "0030822021-0030822023.parquet")} (shard 0030822021-0030822023) is missing`);
    expect(problems).toContain("shards 0030822015-0030822017 and 0030822016-0030822017 both hold ledgers 30822016-30822017");
    expect(problems).toContain("the hash chain breaks between shards 0030822015-0030822017 and 0030822018-0030822020");
    expect(problems).not.toContain("between shards 0030822016-0030822017");

    rmSync(join(out, "manifests", "0030822016-0030822017.json"));
    rmSync(join(out, "manifests", "0030822021-0030822023.json"));
    const gap = await verifyDataset(store);
    expect(gap.gaps).toEqual([]); // the removed shard was the last but one, 30822024-25 has no manifest: nothing after it
    await backfill(out, [{ start: 30_822_024, end: 30_822_025 }]);
    expect((await verifyDataset(store)).gaps).toEqual([{ start: 30_822_021, end: 30_822_023 }]);
  });
});
