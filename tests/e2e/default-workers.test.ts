// How many worker threads the pipeline starts when not told: none until cores are left over
// after the main thread and DuckDB, and no more than the serial rest lets pay off.
import { expect, test } from "bun:test";
import { defaultWorkerCount } from "../../src/cli/pipeline-args.ts";

test("cores - 2 workers, none on 1 or 2 cores, at most 4", () => {
  expect([1, 2, 3, 4, 6, 8, 64].map(defaultWorkerCount)).toEqual([0, 0, 1, 2, 4, 4, 4]);
});
