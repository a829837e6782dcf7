import { describe, expect, test } from "bun:test";
import { manifestKey, parseShardName, parseTableKey, rangeOfManifestKey, shardName, tableKey } from "../../src/backfill/dataset-layout.ts";
import { BackfillInputError, DEFAULT_SHARD_SIZE, planShards } from "../../src/backfill/shard-plan.ts";
import { rangeToWrite } from "../../src/backfill/shard-runner.ts";

describe("planShards", () => {
  test("aligns shards to multiples of the size, cutting the first and last to the range", () => {
    expect(planShards({ start: 30_815_000, end: 30_842_345 })).toEqual([
      { start: 30_815_000, end: 30_819_999 },
      { start: 30_820_000, end: 30_829_999 },
      { start: 30_830_000, end: 30_839_999 },
      { start: 30_840_000, end: 30_842_345 },
    ]);
    expect(DEFAULT_SHARD_SIZE).toBe(10_000);
  });

  test("a range inside one block is one partial shard; aligned ranges are whole shards", () => {
    expect(planShards({ start: 30_822_015, end: 30_822_025 })).toEqual([{ start: 30_822_015, end: 30_822_025 }]);
    expect(planShards({ start: 20_000, end: 39_999 })).toEqual([
      { start: 20_000, end: 29_999 },
      { start: 30_000, end: 39_999 },
    ]);
  });

  test("sizes 1 and 7 over the contiguous pubnet ledgers", () => {
    const ledgers = { start: 30_822_015, end: 30_822_025 };
    expect(planShards(ledgers, 1)).toEqual(Array.from({ length: 11 }, (_, i) => ({ start: 30_822_015 + i, end: 30_822_015 + i })));
    // 30822015 = 7 * 4403145: a block starts there
    expect(planShards(ledgers, 7)).toEqual([
      { start: 30_822_015, end: 30_822_021 },
      { start: 30_822_022, end: 30_822_025 },
    ]);
  });

  test("shards cover the range exactly once, whatever the size", () => {
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const shards = planShards({ start: 999, end: 3_456 }, size);
      expect(shards[0]!.start).toBe(999);
      expect(shards.at(-1)!.end).toBe(3_456);
      for (let i = 1; i < shards.length; i++) expect(shards[i]!.start).toBe(shards[i - 1]!.end + 1);
      for (const shard of shards.slice(1)) expect(shard.start % size).toBe(0);
    }
  });

  test("bad input is refused naming the flag and the value", () => {
    expect(() => planShards({ start: 1, end: 10 }, 0)).toThrow(new BackfillInputError("--shard-size must be a whole number of ledgers, at least 1 (got 0)"));
    expect(() => planShards({ start: 1, end: 10 }, 2.5)).toThrow("--shard-size must be a whole number of ledgers, at least 1 (got 2.5)");
    expect(() => planShards({ start: 20, end: 10 })).toThrow("--start 20 is after --end 10: nothing to backfill");
    expect(() => planShards({ start: 0, end: 10 })).toThrow("--start must be a ledger sequence from 1 to 4294967295 (got 0)");
    expect(() => planShards({ start: 1, end: 2 ** 32 })).toThrow("--end must be a ledger sequence");
    expect(() => planShards({ start: 1, end: 60_000_000 }, 1)).toThrow("make 60000000 shards, more than 1000000: use a larger --shard-size");
  });
});

describe("dataset layout", () => {
  test("names are the zero-padded range, the same every time, sorting as ledgers do", () => {
    const range = { start: 30_822_015, end: 30_822_025 };
    expect(shardName(range)).toBe("0030822015-0030822025");
    expect(tableKey("ttp_events", range)).toBe("ttp_events/0030822015-0030822025.parquet");
    expect(tableKey("ledgers", range)).toBe("ledgers/0030822015-0030822025.parquet");
    expect(manifestKey(range)).toBe("manifests/0030822015-0030822025.json");
    expect(rangeOfManifestKey(manifestKey(range))).toEqual(range);
    expect(parseTableKey(tableKey("ledgers", range))).toEqual({ table: "ledgers", range });
    expect(parseShardName("0000000009-0000000100")).toEqual({ start: 9, end: 100 });
    expect(parseShardName("0000000100-0000000009")).toBeNull();
    expect(parseShardName("9-100")).toBeNull();
    expect(shardName({ start: 9, end: 10 }) < shardName({ start: 10, end: 100 })).toBe(true);
  });
});

describe("rangeToWrite", () => {
  const shard = { start: 100, end: 199 };
  test("finished shards inside it are replaced: the whole range is written", () => {
    expect(rangeToWrite(shard, [{ start: 120, end: 130 }, shard])).toEqual(shard);
  });
  test("finished shards sticking out of it cut it", () => {
    expect(rangeToWrite(shard, [{ start: 50, end: 120 }])).toEqual({ start: 121, end: 199 });
    expect(rangeToWrite(shard, [{ start: 180, end: 250 }])).toEqual({ start: 100, end: 179 });
    expect(rangeToWrite(shard, [{ start: 50, end: 120 }, { start: 180, end: 250 }, { start: 130, end: 140 }])).toEqual({ start: 121, end: 179 });
  });
  test("a finished shard holding all of it leaves nothing to write", () => {
    expect(rangeToWrite(shard, [{ start: 0, end: 9_999 }])).toBeNull();
    expect(rangeToWrite(shard, [{ start: 50, end: 150 }, { start: 151, end: 300 }])).toBeNull();
  });
});
