// openSink picks the sink for a target, as openSource does for sources; callers get the LedgerSink
// seam and what the sink offers besides (client services, exports), never the implementation.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openSink, sinkExists } from "../../src/sink/open-sink.ts";
import { processedBatch, tempDir } from "./fixtures.ts";

describe("openSink", () => {
  test("a path or duckdb:PATH is a DuckDB database file; it exists once opened, and keeps what was committed", async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, "sink.duckdb");
      expect(sinkExists(`duckdb:${path}`)).toBe(false);
      const opened = await openSink(`duckdb:${path}`);
      expect(opened.sink.location).toBe(path);
      expect(opened.sink.description).toBe(`database ${path}`);
      expect(opened.metadata).toEqual({ sink_type: "duckdb", output_formats: "duckdb", endpoints: path });
      await opened.sink.writeMany([processedBatch(100, 101), processedBatch(102, 103)]);
      expect(await opened.clientServices({ token: null, corsOrigins: [] })).toBeNull(); // opened without queryConcurrency
      await opened.close();
      expect(sinkExists(path)).toBe(true);
      const again = await openSink(path);
      expect((await again.sink.cursor())?.sequence).toBe(103);
      expect(await again.close({ removeIfUnused: true })).toBe(false);
    } finally {
      dir.remove();
    }
  });

  test("a new sink that nothing was committed to is removed by close({ removeIfUnused }), with its start recorded until then", async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, "new.duckdb");
      const opened = await openSink(path, { startOver: { at: 500 } });
      expect(await opened.sink.resumePoint()).toEqual({ cursor: null, next: 500, previousHash: null, startPending: true });
      expect(await opened.close({ removeIfUnused: true })).toBe(true);
      expect(sinkExists(path)).toBe(false);
    } finally {
      dir.remove();
    }
  });

  test("a target of a kind no sink takes is refused, naming it", async () => {
    await expect(openSink("https://example.org/db")).rejects.toThrow("no sink writes to https://example.org/db");
    expect(() => sinkExists("ftp://host/x")).toThrow("no sink writes to ftp://host/x");
  });

  test("dataset:DIR, s3://... and a folder holding a dataset.json are datasets", async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, "dataset");
      expect(sinkExists(`dataset:${path}`)).toBe(false);
      const opened = await openSink(`dataset:${path}`, { network: "Public Global Stellar Network ; September 2015" });
      expect(opened.sink.description).toBe(`dataset ${path}`);
      expect(opened.metadata).toEqual({ sink_type: "dataset", output_formats: "parquet", endpoints: path });
      await opened.close();
      expect(sinkExists(path)).toBe(true); // its dataset.json says what it is
      const again = await openSink(path);
      expect(again.sink.description).toBe(`dataset ${path}`);
      await again.close();
      expect(sinkExists("s3://bucket/prefix")).toBe(true); // asked when opened
      await expect(openSink(`dataset:${path}`, { exports: { json: join(dir.path, "x.ndjson") } })).rejects.toThrow("is Parquet already");
    } finally {
      dir.remove();
    }
  });
});
