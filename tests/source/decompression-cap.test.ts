// A zstd bomb (a few KB of RLE blocks that decompress to a gigabyte) is refused from its headers,
// naming the object, before anything is decompressed; real objects pass; the cap is configurable.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { zstdSize, ZstdFrameError } from "../../src/source/datalake/zstd-frames.ts";
import { runBunScript } from "../support/cli.ts";
import { tempDir } from "../sink/fixtures.ts";

const scratch = tempDir("stellar-flow-bomb-");
afterAll(() => scratch.remove());
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { expectSourceError, LAKES, lakeObjectKeys, readRange, TempLake } from "./lake-fixtures.ts";

const KEY = "FE2A45FF--30784000-30847999/FE29B180--30822015.xdr.zst";
const GIB = 2 ** 30;

/**
 * A zstd frame of `blocks` RLE blocks of 128 KiB each (4 bytes apiece), without a content size,
 * or declaring `declared` bytes: `blocks` 8192 is 32 KB that decompress to 1 GiB.
 */
function zstdBomb(blocks: number, declared: number | null = null): Uint8Array {
  const header = [0x28, 0xb5, 0x2f, 0xfd];
  if (declared === null) header.push(0x00, (17 - 10) << 3);
  else {
    const size = new Uint8Array(8);
    new DataView(size.buffer).setBigUint64(0, BigInt(declared), true);
    header.push(0xc0, (17 - 10) << 3, ...size);
  }
  const out = new Uint8Array(header.length + blocks * 4);
  out.set(header);
  for (let i = 0; i < blocks; i++) {
    const block = (131072 << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    out.set([block & 0xff, (block >> 8) & 0xff, (block >> 16) & 0xff, 0x41], header.length + i * 4);
  }
  return out;
}

const lakes: TempLake[] = [];
afterEach(async () => {
  await Promise.all(lakes.splice(0).map((l) => l.remove()));
});
async function lakeWith(object: Uint8Array): Promise<TempLake> {
  const lake = await TempLake.create();
  lakes.push(lake);
  await lake.put(KEY, object);
  return lake;
}

describe("zstd frame headers", () => {
  test("every shared object: the bound from its headers is at least what it decompresses to", async () => {
    for (const lake of LAKES) {
      for (const key of await lakeObjectKeys(lake)) {
        const compressed = await readFile(join(lakePath(lake), key));
        const actual = Bun.zstdDecompressSync(compressed).length;
        const size = zstdSize(compressed);
        expect(size.maxContentBytes).toBeGreaterThanOrEqual(actual);
        expect(size.declaredContentBytes).toBe(actual); // galexie (and Bun) write the content size
      }
    }
  });

  test("a bomb's bound is what it would decompress to, read from 32 KB of headers", () => {
    expect(zstdSize(zstdBomb(8192))).toEqual({ maxContentBytes: GIB, declaredContentBytes: null, maxWindowBytes: 131072 });
    expect(zstdSize(zstdBomb(8192, GIB)).declaredContentBytes).toBe(GIB);
    expect(() => zstdSize(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(ZstdFrameError);
    expect(() => zstdSize(zstdBomb(4).subarray(0, 12))).toThrow("zstd block header cut short at offset 10");
    expect(() => zstdSize(zstdBomb(4).subarray(0, 13))).toThrow("zstd RLE block cut short at offset 13");
  });
});

describe("the data lake source and a zstd bomb", () => {
  for (const declared of [null, GIB]) {
    test(`a 32 KB object that would decompress to 1 GiB (${declared === null ? "no content size" : "content size declared"}) is refused by name, nothing allocated`, async () => {
      const lake = await lakeWith(zstdBomb(8192, declared));
      const rssBefore = process.memoryUsage().rss;
      const { ledgers, error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
      const grew = process.memoryUsage().rss - rssBefore;
      expect(ledgers).toEqual([]);
      const e = expectSourceError(error, 30822015, KEY, /^object too large: its zstd headers /);
      expect(e.message).toContain(declared === null ? "hold blocks that decompress to up to 1073741824 bytes (32774 bytes compressed)" : "declare 1073741824 bytes of content (32782 bytes compressed)");
      expect(e.message).toContain("above the cap of 67108864 bytes per object (1 ledger(s) per object; --max-object-bytes to change it)");
      expect(grew).toBeLessThan(512 * 2 ** 20);
    });
  }

  test("the cap is configurable: a real object above a tiny cap is refused, under the default it is read", async () => {
    const { error } = await readRange(await openFolderLake(lakePath("pubnet"), { maxObjectBytes: 1024 }), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY, /^object too large: .* above the cap of 1024 bytes per object/);
    expect((await readRange(await openFolderLake(lakePath("pubnet")), 30822015, 30822015)).error).toBeNull();
  });

  test("bun run pipeline names the object and exits 1; --max-object-bytes sets the cap", async () => {
    const lake = await lakeWith(zstdBomb(8192));
    const run = await runBunScript("src/cli/pipeline.ts", ["--datalake", lake.dir, "--start", "30822015", "--end", "30822015", "--db", join(scratch.path, "db.duckdb"), "--health-ports", "off"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`object too large`);
    expect(run.stderr).toContain(join(lake.dir, KEY));
    const bad = await runBunScript("src/cli/pipeline.ts", ["--datalake", lake.dir, "--start", "30822015", "--max-object-bytes", "lots"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-object-bytes must be a size such as 64MiB, 100MB or 1048576, got "lots"');
    const small = await runBunScript("src/cli/pipeline.ts", ["--datalake", lakePath("pubnet"), "--start", "30822015", "--end", "30822015", "--db", join(scratch.path, "db.duckdb"), "--health-ports", "off", "--max-object-bytes", "1KiB"]);
    expect(small.code).toBe(1);
    expect(small.stderr).toContain("above the cap of 1024 bytes per object");
  });
});
