// The library entry in Bun: one object read from bytes (a zstd bomb refused before decompressing,
// a batch of several ledgers split only with a measure), the portable zstd byte for byte as Bun's
// on every shared object, and the same events whichever adapters run it.
import { describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { bunAdapters, FolderStore } from "../../src/lib/bun.ts";
import { eventRows, LakeError, openLake, portableAdapters, readLedgerObject, type Decompress } from "../../src/lib/index.ts";
import { sdkLedgerCloseMetaMeasure } from "../../src/stellar/xdr/sdk-ledger-close-meta-measure.ts";
import { lakePath, LEDGERS_DIR } from "../../scripts/fixtures/shared-ledgers.ts";

async function sharedObjects(): Promise<string[]> {
  const files = await readdir(LEDGERS_DIR, { recursive: true });
  return files.filter((f) => /\.xdr\.zstd?$/.test(f)).map((f) => join(LEDGERS_DIR, f));
}

describe("readLedgerObject", () => {
  test("a zstd bomb (a few bytes declaring 1 GiB) is refused before anything is decompressed", async () => {
    const fcs = new Uint8Array(8);
    new DataView(fcs.buffer).setUint32(0, 2 ** 30, true);
    const bomb = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0, ...fcs, 0x0b, 0x00, 0x00, 0x41]);
    let decompressed = 0;
    const spy: Decompress = (bytes) => {
      decompressed++;
      return portableAdapters.decompress(bytes);
    };
    const error = await readLedgerObject(bomb, "bomb.xdr.zst", { decompress: spy, ledger: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LakeError);
    expect((error as LakeError).kind).toBe("corrupt");
    expect((error as LakeError).message).toBe(
      `object too large: its zstd headers allow ${2 ** 30} bytes, above the cap of ${64 * 1024 * 1024}; not decompressed (ledger 7, bomb.xdr.zst)`,
    );
    expect(decompressed).toBe(0);
  });

  test("an object of 11 ledgers: unsupported without a LedgerCloseMeta measure, the lake's 11 ledgers with one", async () => {
    const bytes = await Bun.file(join(LEDGERS_DIR, "raw", "FE29B180--30822015-30822025.xdr.zst")).bytes();
    const refused = await readLedgerObject(bytes, "raw batch", portableAdapters).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LakeError);
    expect((refused as LakeError).kind).toBe("unsupported");
    expect((refused as LakeError).message).toContain("the object holds several ledgers");

    const ledgers = await readLedgerObject(bytes, "raw batch", { ...portableAdapters, measure: sdkLedgerCloseMetaMeasure, maxBytes: 11 * 64 * 1024 * 1024 });
    expect(ledgers.map((l) => l.sequence)).toEqual([...Array(11).keys()].map((i) => 30822015 + i));
    const lake = await openLake(new FolderStore(lakePath("pubnet")));
    for (const ledger of ledgers) expect(ledger.hash).toBe((await lake.rawLedger(ledger.sequence)).hash);
  });

  test("bytes that are not zstd, or cut short, name the object", async () => {
    const bytes = await Bun.file(join(lakePath("pubnet"), "FCA887FF--56064000-56127999", "FCA88234--56065483.xdr.zst")).bytes();
    for (const broken of [new TextEncoder().encode("hello"), bytes.subarray(0, bytes.length >> 1)]) {
      const error = (await readLedgerObject(broken, "dropped.xdr.zst", portableAdapters).catch((e: unknown) => e)) as LakeError;
      expect(error).toBeInstanceOf(LakeError);
      expect(error.kind).toBe("corrupt");
      expect(error.message).toMatch(/^not a zstd object: .* \(dropped\.xdr\.zst\)$/);
    }
  });
});

describe("adapters", () => {
  test("the portable zstd (fzstd) gives Bun's bytes for every shared object, several frames in a row too", async () => {
    const files = await sharedObjects();
    expect(files.length).toBeGreaterThanOrEqual(35);
    for (const file of files) {
      const compressed = await Bun.file(file).bytes();
      expect(Buffer.compare(await portableAdapters.decompress(compressed), Bun.zstdDecompressSync(compressed))).toBe(0);
    }
    const [a, b] = await Promise.all(files.slice(0, 2).map((f) => Bun.file(f).bytes()));
    const both = Buffer.concat([a!, b!]);
    expect(Buffer.compare(await portableAdapters.decompress(both), Buffer.concat([Bun.zstdDecompressSync(a!), Bun.zstdDecompressSync(b!)]))).toBe(0);
  });

  test("Bun's adapters and the portable ones give the same events", async () => {
    for (const [lake, start, end] of [["pubnet", 30822015, 30822025], ["standalone-p24", 62, 63]] as const) {
      const rows = async (adapters: typeof portableAdapters) => {
        const opened = await openLake(new FolderStore(lakePath(lake)), { ...adapters, checkTxSet: false });
        const out = [];
        for await (const ledger of opened.ledgers(start, end)) out.push(...eventRows(ledger.events));
        return out;
      };
      const portable = await rows(portableAdapters);
      expect(portable.length).toBeGreaterThan(0);
      expect(await rows(bunAdapters)).toEqual(portable);
    }
  });
});
