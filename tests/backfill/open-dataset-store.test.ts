// --out as a store: a folder is made absolute, since its location travels to workers (NATS tasks,
// child processes) whose working directory may differ.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatasetStore } from "../../src/backfill/open-dataset-store.ts";

test("a relative folder is resolved against this process's working directory", () => {
  expect(openDatasetStore("out/dataset").location).toBe(join(process.cwd(), "out", "dataset"));
  expect(openDatasetStore("/data/x").location).toBe("/data/x");
});
