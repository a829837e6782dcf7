import { expect, test } from "bun:test";
import { GarbagePacer } from "../../src/timing/garbage-pacer.ts";

test("a collection each time the bytes handed on since the last one reach the threshold", () => {
  const collections: number[] = [];
  let handed = 0;
  const pacer = new GarbagePacer(25, () => collections.push(handed));
  for (const bytes of [10, 10, 10, 3, 30, 1, 24]) {
    handed += bytes;
    pacer.handedOn(bytes);
  }
  expect(collections).toEqual([30, 63, 88]);
});
