// What the data lake source holds in memory by default: record batches of at most 8 MiB of XDR
// (four ~1.8 MB ledgers, not sixteen), and of the objects fetched ahead only the next two
// decompressed (the rest wait compressed, ~20 times smaller).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { DataLakeSource, DEFAULT_MAX_ARROW_BATCH_BYTES } from "../../src/source/datalake/datalake-source.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";
import type { ObjectStore } from "../../src/source/datalake/object-store.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { generateReplayLake } from "../../scripts/fixtures/chained-ledgers/replay-lake.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

const work = await mkdtemp(join(tmpdir(), "datalake-memory-test-"));
afterAll(() => rm(work, { recursive: true, force: true }));
// ten ~1.8 MB P23 ledgers, 1000-1009
const lake = await generateReplayLake({ from: lakePath("standalone-p23"), out: join(work, "p23"), ledgers: 10, start: 1000, skipEmpty: true });

describe("data lake source memory", () => {
  test("a default record batch holds at most 8 MiB of XDR: four recent-size ledgers", async () => {
    const source = await openFolderLake(lake.dir);
    const batches: { ledgers: number; bytes: number }[] = [];
    for await (const batch of source.batches({ start: 1000, end: 1009 })) {
      batches.push({ ledgers: batch.numRows, bytes: [...rawLedgersOf(batch)].reduce((n, l) => n + l.xdr.byteLength, 0) });
    }
    expect(DEFAULT_MAX_ARROW_BATCH_BYTES).toBe(8 * 2 ** 20);
    expect(batches.map((b) => b.ledgers)).toEqual([4, 4, 2]);
    for (const batch of batches) expect(batch.bytes).toBeLessThanOrEqual(DEFAULT_MAX_ARROW_BATCH_BYTES);
  });

  test("small ledgers still make batches of 16", async () => {
    const source = await openFolderLake(lakePath("pubnet"));
    const sizes: number[] = [];
    for await (const batch of source.batches({ start: 30822015, end: 30822025 })) sizes.push(batch.numRows);
    expect(sizes).toEqual([11]);
  });

  test("of the 8 objects fetched ahead, only the next two are decompressed before they are due", async () => {
    // a folder store that says which object each compressed buffer is, and how many have arrived
    const store = new FolderStore(lake.dir);
    const keys = new Map<Uint8Array, string>();
    const countingStore: ObjectStore = {
      get: async (key, options) => {
        const bytes = await store.get(key, options);
        if (bytes !== null && key.endsWith(".xdr.zst")) keys.set(bytes, key);
        return bytes;
      },
      describe: (key) => store.describe(key),
    };
    const decompressing: number[] = [];
    const source = new DataLakeSource({
      store: countingStore,
      config: await readDataLakeConfig(store),
      ledgersPerArrowBatch: 1,
      decompress: (compressed) => {
        decompressing.push(Number(/--(\d+)\.xdr/.exec(keys.get(compressed) ?? "")?.[1]));
        return Bun.zstdDecompress(compressed);
      },
    });
    const arrived = async (n: number) => {
      for (let waited = 0; keys.size < n && waited < 10_000; waited += 10) await Bun.sleep(10);
      await Bun.sleep(20); // what became due on arrival has been handed to decompress
    };
    const batches = source.batches({ start: 1000, end: 1009 });
    expect((await batches.next()).value?.numRows).toBe(1);
    await arrived(8); // 1000-1007 fetched at once
    expect(decompressing.sort()).toEqual([1000, 1001]);
    await batches.next(); // ledger 1001: 1002 becomes due, 1008 is fetched
    await arrived(9);
    expect(decompressing.sort()).toEqual([1000, 1001, 1002]);
    const rest: number[] = [];
    for await (const batch of batches) rest.push(...[...rawLedgersOf(batch)].map((l) => l.sequence));
    expect(rest).toEqual([1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    expect(decompressing.sort()).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
  });
});
