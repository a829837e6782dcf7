import { expect, test } from "bun:test";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { scalar, tempDir } from "./fixtures.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

// Writes batches of 50 ledgers from ledger 100 on, reporting each commit, until it is killed.
const WRITER = `
import { DuckDbSink } from "./src/sink/duckdb/duckdb-sink.ts";
import { processedBatch } from "./tests/sink/fixtures.ts";
const sink = await DuckDbSink.open(process.env.SINK_DB!);
for (let first = 100; ; first += 50) {
  await sink.write(processedBatch(first, first + 49));
  console.log(first + 49);
}`;

test("a writer killed mid-run leaves whole batches only, and the cursor on the last of them", async () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, "stellar.duckdb");
    const env = { ...process.env, SINK_DB: path };
    const child = Bun.spawn([process.execPath, "-e", WRITER], { cwd: REPO, env, stdout: "pipe", stderr: "inherit" });
    try {
      const reader = child.stdout.getReader();
      let commits = "";
      while ((commits.match(/\n/g) ?? []).length < 3) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the writer exited before committing 3 batches: ${commits}`);
        commits += new TextDecoder().decode(value);
      }
    } finally {
      child.kill("SIGKILL"); // wherever it is in its next write
      await child.exited;
    }

    const sink = await DuckDbSink.open(path);
    const db = await sink.connect();
    const cursor = (await sink.cursor())?.sequence ?? null;
    expect(cursor).not.toBeNull();
    expect(cursor! >= 249 && (cursor! - 99) % 50 === 0).toBe(true);
    expect(await scalar(db, "SELECT count(*) FROM ledgers")).toBe(BigInt(cursor! - 99));
    expect(await scalar(db, "SELECT max(sequence) FROM ledgers")).toBe(cursor);
    expect(await scalar(db, "SELECT count(*) FROM ttp_events")).toBe(BigInt(4 * (cursor! - 99)));
    expect(await scalar(db, "SELECT max(ledger_sequence) FROM ttp_events")).toBe(cursor);
    await sink.close();
  } finally {
    dir.remove();
  }
});
