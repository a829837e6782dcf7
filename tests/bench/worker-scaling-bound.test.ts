// The bench's bound on what worker threads can gain, from a main-thread run's CPU split.
import { expect, test } from "bun:test";
import type { EndToEndResult } from "../../scripts/bench/end-to-end.ts";
import { workerScalingBound } from "../../scripts/bench/report.ts";

function run(decodeMs: number, extractMs: number, cpuMs: number): EndToEndResult {
  return {
    xdrMb: 1,
    ledgers: 1,
    events: 1,
    seconds: cpuMs / 1000,
    stagesMs: { zstd: 1, decode: decodeMs, "extract+arrow": extractMs, sink: 1 },
    rss: { peakMb: 1, firstQuarterPeakMb: 1, lastQuarterPeakMb: 1 },
    cpuMs,
  };
}

test("when decode+extract is most of the CPU time, two workers on two cores can nearly double one", () => {
  const bound = workerScalingBound([run(600, 300, 1000)], 2)!;
  expect(bound.parallelShare).toBeCloseTo(0.9);
  expect(bound.twoOverOne).toBeCloseTo(0.9 / 0.5); // one worker: 900 ms; two: the 2 cores' 500 ms
});

test("when the serial rest is half the CPU time or more, a second worker cannot help", () => {
  expect(workerScalingBound([run(200, 100, 1000)], 2)!.twoOverOne).toBeCloseTo(1);
  expect(workerScalingBound([run(300, 200, 1000)], 2)!.twoOverOne).toBeCloseTo(1);
});

test("more cores lift the cap set by the CPU time, not the serial part", () => {
  // P = 800, serial 200: on 2 cores two workers need 500 ms, on 8 cores 400 (P / 2)
  expect(workerScalingBound([run(500, 300, 1000)], 2)!.twoOverOne).toBeCloseTo(800 / 500);
  expect(workerScalingBound([run(500, 300, 1000)], 8)!.twoOverOne).toBeCloseTo(800 / 400);
});

test("runs are summed over lakes; no CPU or no parallel part gives no bound", () => {
  expect(workerScalingBound([run(300, 0, 500), run(300, 300, 500)], 2)!.parallelShare).toBeCloseTo(0.9);
  expect(workerScalingBound([], 2)).toBeNull();
  expect(workerScalingBound([run(0, 0, 1000)], 2)).toBeNull();
});

test("the serial rest caps the speed-up over one thread, whatever the number of workers or cores", () => {
  expect(workerScalingBound([run(250, 125, 1000)], 64)!.maxSpeedup).toBeCloseTo(1000 / 625);
});
