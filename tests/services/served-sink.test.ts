// openServedSink's download directory: beside the database, cleared of a killed run's downloads at
// open, removed at close, and nothing in it but downloads is ever touched.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openServedSink } from "../../src/sink/services/served-sink.ts";
import { tempDir } from "../sink/fixtures.ts";

const work = tempDir("stellar-flow-served-");
afterAll(() => work.remove());

test("<db>.downloads: stale downloads removed at open, the directory removed at close", async () => {
  const db = join(work.path, "a.duckdb");
  mkdirSync(join(`${db}.downloads`, "download-stale"), { recursive: true });
  writeFileSync(join(`${db}.downloads`, "download-stale", "result.parquet"), "left by a killed run");
  const served = await openServedSink(db, { queryConcurrency: 1 });
  expect(served.services.downloadDir).toBe(`${db}.downloads`);
  expect(readdirSync(`${db}.downloads`)).toEqual([]);
  await served.close();
  expect(existsSync(`${db}.downloads`)).toBe(false);
});

test("what is not a download is left alone", async () => {
  const db = join(work.path, "b.duckdb");
  mkdirSync(`${db}.downloads`);
  writeFileSync(join(`${db}.downloads`, "notes.txt"), "mine");
  const served = await openServedSink(db, { queryConcurrency: 1 });
  await served.close();
  expect(readdirSync(`${db}.downloads`)).toEqual(["notes.txt"]);
});

test("a database another process holds: its download directory is not touched", async () => {
  const db = join(work.path, "c.duckdb");
  const holder = Bun.spawn(["bun", "-e", `const { DuckDBInstance } = await import("@duckdb/node-api"); await DuckDBInstance.create(${JSON.stringify(db)}); console.log("open"); await Bun.sleep(60_000);`], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe" });
  try {
    const reader = holder.stdout.getReader();
    await reader.read(); // "open"
    mkdirSync(join(`${db}.downloads`, "download-in-use"), { recursive: true });
    await expect(openServedSink(db, { queryConcurrency: 1 })).rejects.toThrow(/another process has it open/);
    expect(readdirSync(`${db}.downloads`)).toEqual(["download-in-use"]);
  } finally {
    holder.kill("SIGKILL");
    await holder.exited;
  }
});
