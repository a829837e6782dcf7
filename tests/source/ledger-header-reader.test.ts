import { describe, expect, test } from "bun:test";
import { sha256 } from "@noble/hashes/sha2.js";
import { xdr } from "@stellar/stellar-sdk";
import {
  readLedgerCloseMetaBatchPrefix,
  readLedgerHeader,
  splitLedgerCloseMetaBatch,
  XdrReadError,
} from "../../src/stellar/xdr/ledger-header-reader.ts";
import { sdkLedgerCloseMetaMeasure } from "../../src/stellar/xdr/sdk-ledger-close-meta-measure.ts";
import { lakePath, LEDGERS_DIR } from "../../scripts/fixtures/shared-ledgers.ts";
import { LAKES, lakeObjectKeys, sampleBatchXdr, sequenceOfKey } from "./lake-fixtures.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

type LcmWire = ReturnType<typeof xdr.LedgerCloseMeta.schema.decode>;
type HeaderEntryWire = Extract<LcmWire, { v: 0 }>["v0"]["ledgerHeader"];

function headerEntryOf(wire: LcmWire): HeaderEntryWire {
  switch (wire.v) {
    case 0:
      return wire.v0.ledgerHeader;
    case 1:
      return wire.v1.ledgerHeader;
    case 2:
      return wire.v2.ledgerHeader;
  }
}

/** Every field readLedgerHeader returns, checked against the SDK's full decode of the same bytes. */
function expectSameAsSdk(lcm: Uint8Array): void {
  const wire = xdr.LedgerCloseMeta.schema.decode(lcm); // throws unless lcm is exactly one LedgerCloseMeta
  const entry = headerEntryOf(wire);
  const header = readLedgerHeader(lcm);
  expect(header.metaVersion).toBe(wire.v);
  expect(header.hash).toBe(hex(entry.hash));
  expect(header.previousHash).toBe(hex(entry.header.previousLedgerHash));
  expect(header.sequence).toBe(entry.header.ledgerSeq);
  expect(header.closeTime).toBe(Number(entry.header.scpValue.closeTime));
  expect(header.protocolVersion).toBe(entry.header.ledgerVersion);
  expect(header.headerBytes).toEqual(xdr.LedgerHeader.schema.encode(entry.header));
  expect(hex(sha256(header.headerBytes))).toBe(header.hash);
}

describe("readLedgerHeader against the SDK", async () => {
  for (const lake of LAKES) {
    const keys = await lakeObjectKeys(lake);
    test(`every ledger of ${lake} (${keys.length} objects)`, async () => {
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const batch = await sampleBatchXdr(lake, key);
        const split = splitLedgerCloseMetaBatch(batch);
        expect(split.startSequence).toBe(sequenceOfKey(key));
        expect(split.ledgerCloseMetas).toHaveLength(1);
        expectSameAsSdk(split.ledgerCloseMetas[0]!);
        expect(readLedgerHeader(split.ledgerCloseMetas[0]!).sequence).toBe(sequenceOfKey(key));
      }
    });
  }

  test("every ledger of the 11-ledger object raw/FE29B180--30822015-30822025.xdr.zst", async () => {
    const batch = Bun.zstdDecompressSync(await Bun.file(lakePath("raw/FE29B180--30822015-30822025.xdr.zst")).bytes());
    expect(readLedgerCloseMetaBatchPrefix(batch)).toEqual({ startSequence: 30822015, endSequence: 30822025, count: 11 });
    const split = splitLedgerCloseMetaBatch(batch, sdkLedgerCloseMetaMeasure);
    expect(split.ledgerCloseMetas).toHaveLength(11);
    split.ledgerCloseMetas.forEach((lcm, i) => {
      expectSameAsSdk(lcm);
      expect(readLedgerHeader(lcm).sequence).toBe(30822015 + i);
    });
    // The pieces tile the batch exactly.
    expect(12 + split.ledgerCloseMetas.reduce((n, l) => n + l.length, 0)).toBe(batch.length);
  });
});

describe("readLedgerHeader on union arms the samples lack", async () => {
  // testnet 997 is LedgerCloseMeta v1 with a signed StellarValue; vary the parts before and inside the header.
  const lcm = (await sampleBatchXdr("testnet", "FFFFFFFF--0-63999/FFFFFC1A--997.xdr.zst")).subarray(12);
  type V1Wire = Extract<LcmWire, { v: 1 }>;
  const decodeV1 = (): V1Wire => {
    const wire = xdr.LedgerCloseMeta.schema.decode(lcm);
    if (wire.v !== 1) throw new Error("expected LedgerCloseMeta v1");
    return wire;
  };
  const base = decodeV1();
  const signature = base.v1.ledgerHeader.header.scpValue.ext;
  if (signature.v !== 1) throw new Error("expected a signed StellarValue");

  const variants: Record<string, (w: V1Wire) => void> = {
    "LedgerCloseMetaExt v1": (w) => {
      w.v1.ext = { v: 1, v1: { ext: { v: 0 }, sorobanFeeWrite1Kb: 12345n } };
    },
    "upgrades of 1, 5, 8 and 128 bytes": (w) => {
      w.v1.ledgerHeader.header.scpValue.upgrades = [1, 5, 8, 128].map((n) => new Uint8Array(n).fill(n));
    },
    "StellarValue basic": (w) => {
      w.v1.ledgerHeader.header.scpValue.ext = { v: 0 };
    },
    "StellarValue empty tx set (proposedValue)": (w) => {
      w.v1.ledgerHeader.header.scpValue.ext = {
        v: 2,
        proposedValue: {
          txSetHash: new Uint8Array(32).fill(1),
          previousLedgerHash: new Uint8Array(32).fill(2),
          previousLedgerVersion: 20,
          lcValueSignature: signature.lcValueSignature,
        },
      };
    },
    "LedgerHeader ext v1 (flags)": (w) => {
      w.v1.ledgerHeader.header.ext = { v: 1, v1: { flags: 7, ext: { v: 0 } } };
    },
  };
  for (const [name, change] of Object.entries(variants)) {
    test(name, () => {
      const wire = decodeV1(); // a fresh copy to change
      change(wire);
      const bytes = xdr.LedgerCloseMeta.schema.encode(wire);
      const header = readLedgerHeader(bytes);
      const entry = headerEntryOf(wire);
      expect(header.headerBytes).toEqual(xdr.LedgerHeader.schema.encode(entry.header));
      expect(header.sequence).toBe(997);
      expect(header.hash).toBe(hex(entry.hash));
    });
  }

  test("LedgerCloseMeta v0 and v2 headers start where the SDK says", async () => {
    for (const [lake, key] of [
      ["pubnet", "FFA23FFF--6144000-6207999/FFA21680--6154623.xdr.zst"],
      ["standalone-p23", "FFFFFFFF--0-63999/FFFFFFAB--84.xdr.zst"],
    ] as const) {
      const bytes = (await sampleBatchXdr(lake, key)).subarray(12);
      expectSameAsSdk(bytes);
    }
  });
});

describe("readLedgerHeader on bad input", async () => {
  const lcm = (await sampleBatchXdr("testnet", "FFFFFFFF--0-63999/FFFFFC1A--997.xdr.zst")).subarray(12);
  const headerEnd = 8 + 32 + readLedgerHeader(lcm).headerBytes.length + 4;

  test("every truncation inside the header says which field was cut short and where", () => {
    for (let cut = 0; cut < headerEnd; cut++) {
      let error: unknown;
      try {
        readLedgerHeader(lcm.subarray(0, cut));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(XdrReadError);
      const e = error as XdrReadError;
      expect(e.message).toMatch(/cut short at offset \d+/);
      expect(e.offset).toBeLessThanOrEqual(cut);
      expect(e.message).toContain(e.field);
    }
    expect(() => readLedgerHeader(lcm.subarray(0, headerEnd))).not.toThrow();
  });

  test("named fields and offsets", () => {
    expect(() => readLedgerHeader(lcm.subarray(0, 2))).toThrow("LedgerCloseMeta.v cut short at offset 0: needs 4 byte(s), 2 left");
    expect(() => readLedgerHeader(lcm.subarray(0, 20))).toThrow("LedgerHeaderHistoryEntry.hash cut short at offset 8");
    // v1: arm (4) + ext (4) + hash (32) + ledgerVersion (4) + previousLedgerHash (32) + txSetHash (32)
    expect(() => readLedgerHeader(lcm.subarray(0, 110))).toThrow("StellarValue.closeTime cut short at offset 108");
  });

  test("unknown union arms", () => {
    const bad = new Uint8Array(lcm);
    new DataView(bad.buffer).setUint32(0, 3);
    expect(() => readLedgerHeader(bad)).toThrow("LedgerCloseMeta.v has unknown value 3 at offset 0");
    const badExt = new Uint8Array(lcm);
    new DataView(badExt.buffer).setUint32(4, 9);
    expect(() => readLedgerHeader(badExt)).toThrow("LedgerCloseMetaExt.v has unknown value 9 at offset 4");
  });

  test("splitting", () => {
    expect(() => splitLedgerCloseMetaBatch(new Uint8Array(8))).toThrow("LedgerCloseMetaBatch.ledgerCloseMetas length cut short at offset 8");
    const one = new Uint8Array(12);
    new DataView(one.buffer).setUint32(8, 1);
    expect(() => splitLedgerCloseMetaBatch(one)).toThrow("LedgerCloseMetaBatch.ledgerCloseMetas[0] cut short at offset 12");
    const two = new Uint8Array(12 + lcm.length * 2);
    new DataView(two.buffer).setUint32(8, 2);
    two.set(lcm, 12);
    two.set(lcm, 12 + lcm.length);
    expect(() => splitLedgerCloseMetaBatch(two)).toThrow("needs a LedgerCloseMeta measure");
    const split = splitLedgerCloseMetaBatch(two, sdkLedgerCloseMetaMeasure);
    expect(split.ledgerCloseMetas.map((l) => l.length)).toEqual([lcm.length, lcm.length]);
    expect(() => splitLedgerCloseMetaBatch(two.subarray(0, 12 + lcm.length - 1), sdkLedgerCloseMetaMeasure)).toThrow(
      /ledgerCloseMetas\[0\] at offset 12: .*incomplete XDR data/,
    );
  });
});

test("samples are where the tests expect them", () => {
  expect(LEDGERS_DIR.length).toBeGreaterThan(0);
});
