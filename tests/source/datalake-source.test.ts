import { afterEach, describe, expect, test } from "bun:test";
import { sha256 } from "@noble/hashes/sha2.js";
import { xdr } from "@stellar/stellar-sdk";
import type { RawLedger } from "../../src/arrow/ledger-batch.ts";
import { rawLedgerSchema, rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { DataLakeSource } from "../../src/source/datalake/datalake-source.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { bunZstdDecompress } from "../../src/source/datalake/zstd-bun.ts";
import { SourceError } from "../../src/source/source-error.ts";
import { splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { sdkLedgerCloseMetaMeasure } from "../../src/stellar/xdr/sdk-ledger-close-meta-measure.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import {
  batchXdr,
  expectSourceError,
  LAKES,
  lakeObjectKeys,
  PUBNET_MANIFEST,
  readRange,
  sampleBatchXdr,
  sequenceOfKey,
  TempLake,
} from "./lake-fixtures.ts";

const PARTITION = "FE2A45FF--30784000-30847999";
const key = (prefix: string, sequence: number) => `${PARTITION}/${prefix}--${sequence}.xdr.zst`;
const KEY_30822015 = key("FE29B180", 30822015);
const KEY_30822016 = key("FE29B17F", 30822016);
const KEY_30820015 = key("FE29B950", 30820015);

const lakes: TempLake[] = [];
afterEach(async () => {
  await Promise.all(lakes.splice(0).map((l) => l.remove()));
});
async function tempLake(manifest?: Record<string, unknown>): Promise<TempLake> {
  const lake = await TempLake.create(manifest);
  lakes.push(lake);
  return lake;
}

function expectChained(ledgers: readonly RawLedger[], start: number, end: number): void {
  expect(ledgers.map((l) => l.sequence)).toEqual(Array.from({ length: end - start + 1 }, (_, i) => start + i));
  for (let i = 1; i < ledgers.length; i++) expect(ledgers[i]!.previousHash).toBe(ledgers[i - 1]!.hash);
}

describe("DataLakeSource over the sample lakes", () => {
  test("pubnet 30822015-30822025: 11 chained ledgers in one record batch", async () => {
    const source = await openFolderLake(lakePath("pubnet"));
    expect(source.networkPassphrase).toBe("Public Global Stellar Network ; September 2015");
    expect(source.description).toBe(`data lake ${lakePath("pubnet")}`);
    const batches = [];
    for await (const batch of source.batches({ start: 30822015, end: 30822025 })) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(rawLedgerSchema.fields.map((f) => f.name));
    const { ledgers, error } = await readRange(source, 30822015, 30822025);
    expect(error).toBeNull();
    expectChained(ledgers, 30822015, 30822025);
    for (const l of ledgers) {
      expect(l.protocolVersion).toBe(13);
      expect(l.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test("ledger fields match the SDK's decode, and the xdr column is the object's LedgerCloseMeta", async () => {
    const source = await openFolderLake(lakePath("pubnet"));
    const { ledgers } = await readRange(source, 30822015, 30822016);
    const lcm = (await sampleBatchXdr("pubnet", KEY_30822016)).subarray(12);
    expect(ledgers[1]!.xdr).toEqual(lcm);
    const wire = xdr.LedgerCloseMeta.schema.decode(lcm);
    if (wire.v !== 0) throw new Error("expected v0");
    const entry = wire.v0.ledgerHeader;
    expect(ledgers[1]!.hash).toBe(Buffer.from(entry.hash).toString("hex"));
    expect(ledgers[1]!.previousHash).toBe(Buffer.from(entry.header.previousLedgerHash).toString("hex"));
    expect(ledgers[1]!.closedAt).toBe(Number(entry.header.scpValue.closeTime));
  });

  test("record batch size: ledgersPerArrowBatch, and a byte budget that closes batches sooner", async () => {
    const byCount = await openFolderLake(lakePath("pubnet"), { ledgersPerArrowBatch: 4 });
    expect((await readRange(byCount, 30822015, 30822025)).batchSizes).toEqual([4, 4, 3]);
    // These ledgers hold 90-310 kB of XDR each: a 600 kB budget fits two or three of them.
    const byBytes = await openFolderLake(lakePath("pubnet"), { maxArrowBatchBytes: 600_000 });
    const batchBytes: number[] = [];
    for await (const batch of byBytes.batches({ start: 30822015, end: 30822025 })) {
      batchBytes.push([...rawLedgersOf(batch)].reduce((n, l) => n + l.xdr.length, 0));
    }
    expect(batchBytes.length).toBeGreaterThan(3);
    for (const bytes of batchBytes) expect(bytes).toBeLessThanOrEqual(600_000);
    // A single ledger larger than the budget still goes through, alone.
    const tiny = await openFolderLake(lakePath("pubnet"), { maxArrowBatchBytes: 1 });
    const { ledgers, batchSizes, error } = await readRange(tiny, 30822015, 30822025);
    expect(error).toBeNull();
    expect(batchSizes).toEqual(Array(11).fill(1));
    expectChained(ledgers, 30822015, 30822025);
  });

  for (const lake of LAKES) {
    test(`every ledger of ${lake} reads on its own`, async () => {
      const source = await openFolderLake(lakePath(lake));
      for (const key of await lakeObjectKeys(lake)) {
        const sequence = sequenceOfKey(key);
        const { ledgers, error } = await readRange(source, sequence, sequence);
        expect(error).toBeNull();
        expect(ledgers.map((l) => l.sequence)).toEqual([sequence]);
      }
    });
  }

  test("networkPassphrase option accepts a network name", async () => {
    const source = await openFolderLake(lakePath("testnet"), { networkPassphrase: "testnet" });
    expect((await readRange(source, 997, 999)).ledgers).toHaveLength(3);
  });
});

describe("lakes with other layouts", () => {
  test("the 11-ledger object, repacked into a ledgersPerBatch=11 lake, gives the same ledgers byte for byte", async () => {
    // raw/FE29B180--30822015-30822025 starts at 30822015, which is not a multiple of 11, so no SEP-54
    // lake holds it as is. Galexie with ledgersPerBatch 11 puts these ledgers in the objects for
    // 30822011-30822021 and 30822022-30822032; fill them with the raw object's LedgerCloseMetas.
    const raw = Bun.zstdDecompressSync(await Bun.file(lakePath("raw/FE29B180--30822015-30822025.xdr.zst")).bytes());
    const lcms = splitLedgerCloseMetaBatch(raw, sdkLedgerCloseMetaMeasure).ledgerCloseMetas;
    const lake = await tempLake({ ...PUBNET_MANIFEST, ledgersPerBatch: 11 });
    const dir = "FE3215FF--30272000-30975999";
    await lake.put(`${dir}/FE29B184--30822011-30822021.xdr.zst`, Bun.zstdCompressSync(batchXdr(30822015, 30822021, lcms.slice(0, 7))));
    await lake.put(`${dir}/FE29B179--30822022-30822032.xdr.zst`, Bun.zstdCompressSync(batchXdr(30822022, 30822025, lcms.slice(7))));

    const fromBatches = await readRange(await openFolderLake(lake.dir), 30822015, 30822025);
    const fromSingles = await readRange(await openFolderLake(lakePath("pubnet")), 30822015, 30822025);
    expect(fromBatches.error).toBeNull();
    expect(fromBatches.ledgers).toHaveLength(11);
    // Everything but where each ledger was read from.
    const content = (ls: readonly RawLedger[]) =>
      ls.map((l) => ({ sequence: l.sequence, hash: l.hash, previousHash: l.previousHash, closedAt: l.closedAt, protocolVersion: l.protocolVersion, xdr: l.xdr }));
    expect(content(fromBatches.ledgers)).toEqual(content(fromSingles.ledgers));
  });

  test("an object holding ledgers outside its key's range is refused", async () => {
    const lake = await tempLake({ ...PUBNET_MANIFEST, ledgersPerBatch: 11, batchesPerPartition: 1 });
    await lake.copy("raw", "FE29B180--30822015-30822025.xdr.zst", "FE29B184--30822011-30822021.xdr.zst");
    const { ledgers, error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822025);
    expect(ledgers).toHaveLength(0);
    expectSourceError(error, 30822015, "FE29B184--30822011-30822021.xdr.zst", /it holds 30822015-30822025, outside the ledgers 30822011-30822021/);
  });

  test("a partial batch does not hold a ledger its key covers", async () => {
    const lake = await tempLake({ ...PUBNET_MANIFEST, ledgersPerBatch: 11, batchesPerPartition: 1 });
    const lcm = (await sampleBatchXdr("pubnet", KEY_30822015)).subarray(12);
    await lake.put("FE29B184--30822011-30822021.xdr.zst", Bun.zstdCompressSync(batchXdr(30822015, 30822015, [lcm])));
    const { ledgers, error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822016);
    expect(ledgers.map((l) => l.sequence)).toEqual([30822015]);
    expectSourceError(error, 30822016, "FE29B184--30822011-30822021.xdr.zst", /it holds 30822015-30822015, not ledger 30822016/);
  });

  test("legacy .xdr.zstd objects", async () => {
    const lake = await tempLake();
    await lake.copy("pubnet", KEY_30822015, KEY_30822015.replace(/\.xdr\.zst$/, ".xdr.zstd"));
    await lake.copy("pubnet", KEY_30822016, KEY_30822016.replace(/\.xdr\.zst$/, ".xdr.zstd"));
    const { ledgers, error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822016);
    expect(error).toBeNull();
    expectChained(ledgers, 30822015, 30822016);
  });

  test("a custom ObjectStore and decompressor", async () => {
    const folder = new FolderStore(lakePath("testnet"));
    const fetched: string[] = [];
    const config = { networkPassphrase: "Test SDF Network ; September 2015", version: "1.0", compression: "zstd" as const, ledgersPerBatch: 1, batchesPerPartition: 64000 };
    const source = new DataLakeSource({
      store: { get: (k) => (fetched.push(k), folder.get(k)), describe: (k) => `mem://${k}` },
      config,
      decompress: bunZstdDecompress,
    });
    expect(source.description).toBe("data lake mem://");
    expect((await readRange(source, 997, 999)).ledgers).toHaveLength(3);
    expect(fetched).toEqual(["FFFFFFFF--0-63999/FFFFFC1A--997.xdr.zst", "FFFFFFFF--0-63999/FFFFFC19--998.xdr.zst", "FFFFFFFF--0-63999/FFFFFC18--999.xdr.zst"]);
  });
});

describe("DataLakeSource errors", () => {
  test("missing ledger at the start of the range", async () => {
    const { ledgers, error } = await readRange(await openFolderLake(lakePath("pubnet")), 30822014, 30822015);
    expect(ledgers).toHaveLength(0);
    expectSourceError(error, 30822014, `${PARTITION}/FE29B181--30822014.xdr.zst`, /^ledger 30822014 not found in the lake: expected FE2A45FF--30784000-30847999\/FE29B181--30822014\.xdr\.zst/);
  });

  test("missing ledger after a good one: the good one is yielded first, nothing is skipped", async () => {
    const { ledgers, error } = await readRange(await openFolderLake(lakePath("pubnet")), 6154623, 6154624);
    expect(ledgers.map((l) => l.sequence)).toEqual([6154623]);
    expectSourceError(error, 6154624, "FFA23FFF--6144000-6207999/FFA2167F--6154624.xdr.zst", /not found in the lake/);
  });

  test("wrong network: refused before reading any ledger, naming both passphrases", async () => {
    const store = new FolderStore(lakePath("pubnet"));
    const fetched: string[] = [];
    const source = new DataLakeSource({
      store: { get: (k) => (fetched.push(k), store.get(k)), describe: (k) => store.describe(k) },
      config: await readDataLakeConfig(store),
      decompress: bunZstdDecompress,
      networkPassphrase: "testnet",
    });
    const { ledgers, error } = await readRange(source, 30822015, 30822025);
    expect(ledgers).toHaveLength(0);
    expect(fetched).toEqual([]);
    const e = expectSourceError(error, 30822015, lakePath("pubnet/.config.json"), /^wrong network/);
    expect(e.message).toContain('"Test SDF Network ; September 2015"');
    expect(e.message).toContain('"Public Global Stellar Network ; September 2015"');
  });

  test("truncated zstd object", async () => {
    const lake = await tempLake();
    const compressed = await Bun.file(lakePath(`pubnet/${KEY_30822015}`)).bytes();
    await lake.put(KEY_30822015, compressed.subarray(0, compressed.length >> 1));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY_30822015, /^cannot decompress the object \(zstd\)/);
  });

  test("garbage bytes instead of zstd", async () => {
    const lake = await tempLake();
    await lake.put(KEY_30822015, new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY_30822015, /^cannot decompress the object \(zstd\)/);
  });

  test("valid zstd of garbage XDR", async () => {
    const lake = await tempLake();
    await lake.put(KEY_30822015, Bun.zstdCompressSync(new TextEncoder().encode("this is not XDR, just a sentence compressed with zstd")));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY_30822015, /^undecodable LedgerCloseMetaBatch XDR/);
  });

  test("valid batch prefix followed by garbage LedgerCloseMeta", async () => {
    const lake = await tempLake();
    await lake.put(KEY_30822015, Bun.zstdCompressSync(batchXdr(30822015, 30822015, [new Uint8Array(400).fill(0xab)])));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY_30822015, /^undecodable LedgerCloseMeta XDR: LedgerCloseMeta.v has unknown value 2880154539 at offset 0/);
  });

  test("truncated LedgerCloseMeta (zstd of a cut batch)", async () => {
    const lake = await tempLake();
    await lake.put(KEY_30822015, Bun.zstdCompressSync((await sampleBatchXdr("pubnet", KEY_30822015)).subarray(0, 100)));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822015);
    expectSourceError(error, 30822015, KEY_30822015, /^undecodable LedgerCloseMeta XDR: .* cut short at offset \d+/);
  });

  test("another ledger's object under the key: wrong ledgers", async () => {
    const lake = await tempLake();
    await lake.copy("pubnet", KEY_30822015);
    await lake.copy("pubnet", KEY_30820015, KEY_30822016);
    const { ledgers, error } = await readRange(await openFolderLake(lake.dir), 30822015, 30822016);
    expect(ledgers.map((l) => l.sequence)).toEqual([30822015]);
    expectSourceError(error, 30822016, KEY_30822016, /^wrong ledgers in the object: it holds 30820015-30820015, outside the ledgers 30822016-30822016/);
  });

  test("batch prefix claims the right ledger but the LedgerCloseMeta is another one: wrong sequence", async () => {
    const lake = await tempLake();
    const other = (await sampleBatchXdr("pubnet", KEY_30820015)).subarray(12);
    await lake.put(KEY_30822016, Bun.zstdCompressSync(batchXdr(30822016, 30822016, [other])));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822016, 30822016);
    expectSourceError(error, 30822016, KEY_30822016, /^wrong sequence: expected ledger 30822016, the LedgerCloseMeta holds ledger 30820015/);
  });

  /** Ledger 30822016 with its header changed by `change`, its hash recomputed unless `keepHash`. */
  async function forged30822016(change: (header: { previousLedgerHash: Uint8Array; scpValue: { closeTime: bigint } }) => void, keepHash: boolean) {
    const wire = xdr.LedgerCloseMeta.schema.decode((await sampleBatchXdr("pubnet", KEY_30822016)).subarray(12));
    if (wire.v !== 0) throw new Error("expected v0");
    change(wire.v0.ledgerHeader.header);
    if (!keepHash) wire.v0.ledgerHeader.hash = sha256(xdr.LedgerHeader.schema.encode(wire.v0.ledgerHeader.header));
    return Bun.zstdCompressSync(batchXdr(30822016, 30822016, [xdr.LedgerCloseMeta.schema.encode(wire)]));
  }

  test("broken hash chain: a self-consistent ledger 30822016 that does not follow 30822015", async () => {
    const lake = await tempLake();
    await lake.copy("pubnet", KEY_30822015);
    await lake.put(KEY_30822016, await forged30822016((h) => (h.previousLedgerHash = new Uint8Array(32).fill(7)), false));
    const source = await openFolderLake(lake.dir);
    // On its own the forged ledger is fine: nothing to chain it to.
    expect((await readRange(source, 30822016, 30822016)).error).toBeNull();
    const { ledgers, error } = await readRange(source, 30822015, 30822016);
    expect(ledgers.map((l) => l.sequence)).toEqual([30822015]);
    const e = expectSourceError(error, 30822016, KEY_30822016, /^broken hash chain: previous ledger hash 0707070707/);
    expect(e.message).toContain(ledgers[0]!.hash);
  });

  test("corrupt header: contents changed, hash left as it was", async () => {
    const lake = await tempLake();
    await lake.put(KEY_30822016, await forged30822016((h) => (h.scpValue.closeTime += 1n), true));
    const { error } = await readRange(await openFolderLake(lake.dir), 30822016, 30822016);
    expectSourceError(error, 30822016, KEY_30822016, /^corrupt ledger header: its hash says [0-9a-f]{64} but sha256 of the header is [0-9a-f]{64}/);
  });

  test("invalid range", async () => {
    const source = await openFolderLake(lakePath("pubnet"));
    const { error } = await readRange(source, 30822025, 30822015);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(/^invalid ledger range 30822025-30822015/);
  });

  test("abort signal stops the read", async () => {
    const source = await openFolderLake(lakePath("pubnet"), { ledgersPerArrowBatch: 1 });
    const controller = new AbortController();
    let seen = 0;
    let error: unknown = null;
    try {
      for await (const _ of source.batches({ start: 30822015, end: 30822025 }, { signal: controller.signal })) {
        if (++seen === 2) controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toBe(2);
    expect((error as Error).name).toBe("AbortError");
  });
});
