import { describe, expect, test } from "bun:test";
import { readDataLakeConfig } from "../../src/source/datalake/config.ts";
import { FolderStore } from "../../src/source/datalake/folder-store.ts";
import {
  batchSpan,
  LEGACY_LEDGER_OBJECT_EXTENSION,
  ledgerObjectKey,
  partitionSpan,
} from "../../src/source/datalake/object-keys.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { LAKES, lakeObjectKeys, sequenceOfKey } from "./lake-fixtures.ts";

const galexieDefault = { ledgersPerBatch: 1, batchesPerPartition: 64000 };

describe("ledgerObjectKey", () => {
  test("names the sample objects", () => {
    expect(ledgerObjectKey(30822015, galexieDefault)).toBe("FE2A45FF--30784000-30847999/FE29B180--30822015.xdr.zst");
    expect(ledgerObjectKey(6154623, galexieDefault)).toBe("FFA23FFF--6144000-6207999/FFA21680--6154623.xdr.zst");
    expect(ledgerObjectKey(84, galexieDefault)).toBe("FFFFFFFF--0-63999/FFFFFFAB--84.xdr.zst");
  });

  for (const lake of LAKES) {
    test(`gives the key of every object in ${lake}`, async () => {
      const config = await readDataLakeConfig(new FolderStore(lakePath(lake)));
      for (const key of await lakeObjectKeys(lake)) expect(ledgerObjectKey(sequenceOfKey(key), config)).toBe(key);
    });
  }

  test("legacy extension", () => {
    expect(ledgerObjectKey(30822015, galexieDefault, LEGACY_LEDGER_OBJECT_EXTENSION)).toBe(
      "FE2A45FF--30784000-30847999/FE29B180--30822015.xdr.zstd",
    );
  });

  test("no partition folder when batchesPerPartition is 1", () => {
    expect(ledgerObjectKey(30822015, { ledgersPerBatch: 1, batchesPerPartition: 1 })).toBe("FE29B180--30822015.xdr.zst");
    expect(ledgerObjectKey(30822015, { ledgersPerBatch: 11, batchesPerPartition: 1 })).toBe("FE29B184--30822011-30822021.xdr.zst");
  });

  test("SEP-54's example (ledgersPerBatch 2, batchesPerPartition 8)", () => {
    const config = { ledgersPerBatch: 2, batchesPerPartition: 8 };
    expect(ledgerObjectKey(2, config)).toBe("FFFFFFFF--0-15/FFFFFFFD--2-3.xdr.zst");
    expect(ledgerObjectKey(3, config)).toBe("FFFFFFFF--0-15/FFFFFFFD--2-3.xdr.zst");
    expect(ledgerObjectKey(15, config)).toBe("FFFFFFFF--0-15/FFFFFFF1--14-15.xdr.zst");
    expect(ledgerObjectKey(18, config)).toBe("FFFFFFEF--16-31/FFFFFFED--18-19.xdr.zst");
  });

  test("ledgersPerBatch 11: batches and partitions are aligned on multiples of their size", () => {
    const config = { ledgersPerBatch: 11, batchesPerPartition: 64000 };
    expect(batchSpan(30822015, config)).toEqual({ start: 30822011, end: 30822021 });
    expect(partitionSpan(30822015, config)).toEqual({ start: 30272000, end: 30975999 });
    expect(ledgerObjectKey(30822015, config)).toBe("FE3215FF--30272000-30975999/FE29B184--30822011-30822021.xdr.zst");
    expect(ledgerObjectKey(30822021, config)).toBe(ledgerObjectKey(30822011, config));
    expect(ledgerObjectKey(30822022, config)).toBe("FE3215FF--30272000-30975999/FE29B179--30822022-30822032.xdr.zst");
  });

  test("no SEP-54 configuration names an object FE29B180--30822015-30822025 (raw/ is hand-made)", () => {
    // A batch named start-end holds end - start + 1 = 11 ledgers, but 30822015 is not a multiple of 11.
    expect(30822015 % 11).not.toBe(0);
    for (const batchesPerPartition of [1, 64000]) {
      expect(ledgerObjectKey(30822015, { ledgersPerBatch: 11, batchesPerPartition })).not.toEndWith("FE29B180--30822015-30822025.xdr.zst");
    }
  });

  test("rejects sequences outside uint32", () => {
    expect(() => ledgerObjectKey(-1, galexieDefault)).toThrow(RangeError);
    expect(() => ledgerObjectKey(1.5, galexieDefault)).toThrow(RangeError);
    expect(() => ledgerObjectKey(2 ** 32, galexieDefault)).toThrow(RangeError);
  });
});
