// The bench's bound on what worker threads can gain, from a main-thread run's CPU split.
import { expect, test } from "bun:test";
import type { EndToEndResult } from "../../scripts/bench/end-to-end.ts";
import { workerBoundLine, workerScalingBound } from "../../scripts/bench/report.ts";

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

/** The bound of `runs`, which must give one. */
function boundOf(runs: EndToEndResult[], cores: number) {
  const found = workerScalingBound(runs, cores);
  if (found === null || "unreliable" in found) throw new Error(`no bound: ${JSON.stringify(found)}`);
  return found;
}

test("when decode+extract is most of the CPU time, two workers on two cores can nearly double one", () => {
  const found = boundOf([run(600, 300, 1000)], 2);
  expect(found.parallelShare).toBeCloseTo(0.9);
  expect(found.twoOverOne).toBeCloseTo(0.9 / 0.5); // one worker: 900 ms; two: the 2 cores' 500 ms
});

test("when the serial rest is half the CPU time or more, a second worker cannot help", () => {
  expect(boundOf([run(200, 100, 1000)], 2).twoOverOne).toBeCloseTo(1);
  expect(boundOf([run(300, 200, 1000)], 2).twoOverOne).toBeCloseTo(1);
});

test("more cores lift the cap set by the CPU time, not the serial part", () => {
  // P = 800, serial 200: on 2 cores two workers need 500 ms, on 8 cores 400 (P / 2)
  expect(boundOf([run(500, 300, 1000)], 2).twoOverOne).toBeCloseTo(800 / 500);
  expect(boundOf([run(500, 300, 1000)], 8).twoOverOne).toBeCloseTo(800 / 400);
});

test("runs are summed over lakes; no CPU or no parallel part gives no bound", () => {
  expect(boundOf([run(300, 0, 500), run(300, 300, 500)], 2).parallelShare).toBeCloseTo(0.9);
  expect(workerScalingBound([], 2)).toBeNull();
  expect(workerScalingBound([run(0, 0, 1000)], 2)).toBeNull();
});

test("the serial rest caps the speed-up over one thread, whatever the number of workers or cores", () => {
  expect(boundOf([run(250, 125, 1000)], 64).maxSpeedup).toBeCloseTo(1000 / 625);
});

test("on a loaded machine, where decode+extract's wall time passes the CPU time, the closing line says there is no bound and why", () => {
  // the stages are timed on the wall clock: 1.2 s of decode+extract in a process that got 1 s of CPU
  expect(workerScalingBound([run(800, 400, 1000)], 2)).toEqual({
    unreliable: "decode+extract took 1.2 s on the wall clock, at least the process's 1.0 s of CPU time: the machine was busy (the stages are timed on the wall clock, waits for a core included); measure on an idle machine",
  });
  const line = workerBoundLine([run(800, 400, 1000)], 2)!;
  expect(line).toStartWith("main-thread run: no bound on what workers can gain: decode+extract took 1.2 s on the wall clock");
  expect(line).not.toMatch(/1\d\d%|-\d/);
});

test("the closing line of an idle machine's run", () => {
  expect(workerBoundLine([run(250, 150, 1000)], 2)).toBe(
    "main-thread run: decode+extract (what workers take over) is 40% of the process's CPU time; the rest (zstd, split, hand-over, DuckDB) stays serial, " +
      "so workers can make a run at most 1.7x faster, and on 2 cores 2 workers / 1 worker is at most 1.0x at equal per-thread costs",
  );
  expect(workerBoundLine([], 2)).toBeNull();
});
