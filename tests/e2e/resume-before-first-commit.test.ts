// Issue 13 item 1: a run killed before its first commit left a database with a NULL cursor, and a
// resume without --start (as the README suggests) took it for a new database, read only the latest
// ledgers and skipped the range asked for. The asked-for start is now in the database from the
// moment its file exists, so the resume reads exactly what the killed run was asked to.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { queryReadOnly, REPO, runBunScript } from "../support/cli.ts";
import { LEDGERS_DIR, lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { allRows } from "../processes/stage-processes.ts";

const FIRST = 30822015;
const LAST = 30822025;
let work: string;
let reference: Awaited<ReturnType<typeof allRows>>;

const pipeline = (args: string[]) => runBunScript("src/cli/pipeline.ts", ["--health-ports", "off", "--flowctl", "off", ...args]);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-first-commit-"));
  const db = join(work, "reference.duckdb");
  expect((await pipeline(["--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--db", db])).code).toBe(0);
  reference = await allRows(db);
  expect(reference.ledgers).toHaveLength(11);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("a run killed before its first commit", () => {
  test("SIGKILL at a random point between the database's creation and the first commit; a resume without --start gives the uninterrupted run's rows", async () => {
    // ledger objects answer after 4 s, so nothing can be committed before the kill
    const slow = await S3TestServer.start({ root: LEDGERS_DIR, fault: (key) => (key.endsWith(".xdr.zst") ? { delayMs: 4000 } : undefined) });
    try {
      for (let round = 0; round < 2; round++) {
        const db = join(work, `killed-${round}.duckdb`);
        const proc = Bun.spawn(["bun", "src/cli/pipeline.ts", "--health-ports", "off", "--flowctl", "off", "--datalake", slow.url("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--db", db], {
          cwd: REPO,
          stdout: "ignore",
          stderr: "ignore",
        });
        try {
          for (let waited = 0; !existsSync(db); waited += 5) {
            if (waited > 20_000 || proc.exitCode !== null) throw new Error(`the run made no database (exit code ${proc.exitCode})`);
            await Bun.sleep(5);
          }
          await Bun.sleep(Math.floor(Math.random() * 600));
        } finally {
          proc.kill("SIGKILL");
          await proc.exited;
        }
        expect(await queryReadOnly(db, "SELECT last_ledger FROM sink_cursor")).toEqual([[null]]); // before the first commit

        const resumed = await pipeline(["--datalake", lakePath("pubnet"), "--end", String(LAST), "--db", db]);
        expect(resumed.stderr).toContain(`continuing the run that asked for ledger ${FIRST} on (nothing of it was committed yet)`);
        expect(resumed.code).toBe(0);
        expect(await allRows(db)).toEqual(reference);
      }
    } finally {
      slow.stop();
    }
  }, 60_000);

  test("a database that holds nothing and no recorded start (an older version's) is not guessed at: --start is asked for", async () => {
    const db = join(work, "unknown-start.duckdb");
    await (await DuckDbSink.open(db)).close(); // tables, no cursor, no start
    const resumed = await pipeline(["--datalake", lakePath("pubnet"), "--end", String(LAST), "--db", db]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(`error: ${db} holds no ledger and no recorded start, so a resume cannot tell where to begin: give --start N or latest-N`);
    expect(await queryReadOnly(db, "SELECT count(*) FROM ledgers")).toEqual([[0n]]);
  }, 30_000);
});
