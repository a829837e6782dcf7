// `bun run pipeline` over every kind of source, against local test servers: a data lake over HTTP
// and S3, Stellar RPC, the lake then RPC; resuming after the sink's cursor with the hash chain
// checked; an unreachable default lake; and a run killed with SIGKILL, then started again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import { LEDGERS_DIR, lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly } from "../support/cli.ts";
import { RpcTestServer } from "../support/rpc-test-server.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { readRange, TempLake } from "../source/lake-fixtures.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const FIRST = 30822015;
const LAST = 30822025;
const KEY = (seq: number) => `FE2A45FF--30784000-30847999/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`;
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

let work: string;
let lakeServer: S3TestServer;
let rpc: RpcTestServer;
let expectedRows: string;

function spawnPipeline(args: string[], env: Record<string, string | undefined> = ENV) {
  return Bun.spawn(["bun", "src/cli/pipeline.ts", "--health-ports", "off", ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", env });
}
async function pipeline(args: string[], env?: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = spawnPipeline(args, env);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const query = queryReadOnly;

/** Every row of both tables, in a fixed order, as one string (bigints and all). */
async function allRows(db: string): Promise<string> {
  const ledgers = await query(db, "SELECT * FROM ledgers ORDER BY sequence");
  const events = await query(db, "SELECT * FROM ttp_events ORDER BY ledger_sequence, event_index");
  return JSON.stringify({ ledgers, events }, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-sources-"));
  lakeServer = await S3TestServer.start({ root: LEDGERS_DIR });
  const ledgers = (await readRange(await openFolderLake(lakePath("pubnet")), FIRST, LAST)).ledgers;
  rpc = RpcTestServer.start({ ledgers, passphrase: NETWORK_PASSPHRASES.pubnet });
  const baseline = join(work, "folder.duckdb");
  const run = await pipeline(["--datalake", lakePath("pubnet"), "--start", String(FIRST), "--end", String(LAST), "--db", baseline]);
  expect(run.code).toBe(0);
  expectedRows = await allRows(baseline);
  expect(expectedRows).toContain('"fee"');
});
afterAll(async () => {
  lakeServer.stop();
  rpc.stop();
  await rm(work, { recursive: true, force: true });
});

describe("bun run pipeline over remote sources", () => {
  test("--help documents every source flag", async () => {
    const { code, stdout } = await pipeline(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--datalake LAKE", "s3://bucket/prefix", "--s3-endpoint", "--rpc-url", "--concurrency", "latest-N", "--follow", "STELLAR_FLOW_DATALAKE"]) {
      expect(stdout).toContain(flag);
    }
  });

  test("bad source flags are usage errors", async () => {
    for (const [flags, message] of [
      [["--start", "newest"], "--start must be a ledger sequence (a positive integer), latest or latest-N"],
      [["--concurrency", "0"], "--concurrency must be an integer from 1 to 256"],
      [["--follow", "--end", "5"], "--follow reads without end"],
      [["--rpc-url", "localhost:8000"], "--rpc-url must be an http(s):// URL"],
      [["--s3-endpoint", "http://127.0.0.1:9000"], "--s3-endpoint goes with --datalake s3://"],
    ] as const) {
      const run = await pipeline([...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  const sources: [string, () => string[]][] = [
    ["--datalake http://...", () => ["--datalake", lakeServer.url("pubnet")]],
    ["--datalake s3://... --s3-endpoint", () => ["--datalake", `s3://${lakeServer.bucket}/pubnet`, "--s3-endpoint", lakeServer.endpoint, "--concurrency", "3"]],
    ["--rpc-url", () => ["--rpc-url", rpc.url]],
  ];
  for (const [name, flags] of sources) {
    test(`${name}: the same rows as the folder source`, async () => {
      const db = join(work, `${name.replace(/\W+/g, "-")}.duckdb`);
      const run = await pipeline([...flags(), "--start", String(FIRST), "--end", String(LAST), "--db", db]);
      expect(run.stderr).not.toContain("error");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("events       668");
      expect(await allRows(db)).toBe(expectedRows);
    }, 15_000);
  }

  test("--datalake with --rpc-url: the lake, then RPC after its newest ledger, the same rows", async () => {
    const lake = await TempLake.create();
    try {
      for (let seq = FIRST; seq <= FIRST + 4; seq++) await lake.copy("pubnet", KEY(seq));
      const db = join(work, "hybrid.duckdb");
      const before = rpc.servedSequences().length;
      const run = await pipeline(["--datalake", lake.dir, "--rpc-url", rpc.url, "--start", String(FIRST), "--end", String(LAST), "--db", db]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("then Stellar RPC");
      expect(rpc.servedSequences().slice(before)).toEqual([30822020, 30822021, 30822022, 30822023, 30822024, 30822025]);
      expect(await allRows(db)).toBe(expectedRows);
    } finally {
      await lake.remove();
    }
  }, 15_000);

  test("--start latest-3 reads the newest 4 ledgers the source has", async () => {
    const db = join(work, "latest.duckdb");
    const run = await pipeline(["--rpc-url", rpc.url, "--start", "latest-3", "--db", db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`ledgers      4 (${LAST - 3}-${LAST})`);
  });

  test("without --start a run resumes after the cursor; the hash chain is checked across the restart", async () => {
    const db = join(work, "resume.duckdb");
    expect((await pipeline(["--datalake", lakeServer.url("pubnet"), "--start", String(FIRST), "--end", "30822019", "--db", db])).code).toBe(0);
    const resumed = await pipeline(["--datalake", lakeServer.url("pubnet"), "--end", String(LAST), "--db", db]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain("resuming after ledger 30822019");
    expect(resumed.stdout).toContain("ledgers      6 (30822020-30822025)");
    expect(await allRows(db)).toBe(expectedRows);
    const again = await pipeline(["--rpc-url", rpc.url, "--db", db]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("nothing new");

    // A database whose last ledger is not the one the source's next ledger follows.
    const forked = join(work, "forked.duckdb");
    expect((await pipeline(["--rpc-url", rpc.url, "--start", String(FIRST), "--end", "30822019", "--db", forked])).code).toBe(0);
    const instance = await DuckDBInstance.create(forked);
    const connection = await instance.connect();
    await connection.run(`UPDATE ledgers SET hash = '${"ab".repeat(32)}' WHERE sequence = 30822019`);
    connection.closeSync();
    instance.closeSync();
    const broken = await pipeline(["--rpc-url", rpc.url, "--end", String(LAST), "--db", forked]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken hash chain: previous ledger hash [0-9a-f]{64} is not the hash of ledger 30822019 \(abab/);
    expect(broken.stderr).toContain("committed through ledger 30822019");
  }, 30_000);

  test("with no source flag and the default lake unreachable, it fails fast saying how to use a local lake", async () => {
    const started = performance.now();
    const run = await pipeline(["--db", join(work, "offline.duckdb")], { ...ENV, STELLAR_FLOW_DATALAKE: "http://127.0.0.1:9/pubnet" });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("http://127.0.0.1:9/pubnet/.config.json");
    expect(run.stderr).toContain("--datalake ../shared/ledgers/pubnet");
  }, 20_000);

  test("--follow reads ledgers as they close until Ctrl-C, then exits cleanly with every ledger committed", async () => {
    const ledgers = (await readRange(await openFolderLake(lakePath("pubnet")), FIRST, LAST)).ledgers;
    const live = RpcTestServer.start({ ledgers, passphrase: NETWORK_PASSPHRASES.pubnet, latestLedger: FIRST + 2 });
    const closing = setInterval(() => live.latestLedger < LAST && live.latestLedger++, 100);
    try {
      const db = join(work, "follow.duckdb");
      // --workers 0: no read-ahead, so the source asks for the ledger after LAST only once the
      // pipeline has committed LAST, and the test knows when to press Ctrl-C.
      const proc = spawnPipeline(["--rpc-url", live.url, "--start", String(FIRST), "--follow", "--workers", "0", "--db", db]);
      const askedPastLast = () =>
        live.calls.some((c) => c.params.startLedger === LAST + 1 || (c.params.pagination as { cursor?: string } | undefined)?.cursor === String(LAST));
      while (!askedPastLast()) await Bun.sleep(50);
      proc.kill("SIGINT");
      const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      expect(stderr).toContain(`stopped following: committed through ledger ${LAST}`);
      expect(code).toBe(0);
      expect(await allRows(db)).toBe(expectedRows);
    } finally {
      clearInterval(closing);
      live.stop();
    }
  }, 20_000);

  test("a run killed with SIGKILL at a random point, then started again, ends with the same rows", async () => {
    // A slow lake (a delay per request, one object at a time, two ledgers per commit) makes the
    // run last long enough to be killed mid-way.
    const slow = await S3TestServer.start({ root: LEDGERS_DIR, delayMs: 120 });
    try {
      for (let round = 0; round < 2; round++) {
        const db = join(work, `killed-${round}.duckdb`);
        const flags = ["--datalake", slow.url("pubnet"), "--concurrency", "1", "--batch-size", "2", "--db", db];
        const proc = spawnPipeline([...flags, "--start", String(FIRST), "--end", String(LAST)]);
        const reader = proc.stderr.getReader();
        let text = "";
        while (!text.includes("reading ")) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        const killAfter = 100 + Math.floor(Math.random() * 1100);
        await Bun.sleep(killAfter);
        proc.kill("SIGKILL");
        expect(await proc.exited).not.toBe(0);
        const cursor = (await query(db, "SELECT last_ledger FROM sink_cursor"))[0]?.[0] ?? null;
        expect(cursor === null || (cursor as number) < LAST).toBe(true); // killed mid-way, not after the end
        if (process.env.DEBUG_SIGKILL) console.log(`killed after ${killAfter} ms, cursor ${cursor}`);
        // before or after the first commit, a resume needs no --start (the database remembers it)
        const restart = await pipeline([...flags, "--end", String(LAST)]);
        expect(restart.code).toBe(0);
        expect(restart.stderr).toContain(cursor === null ? `continuing the run that asked for ledger ${FIRST} on` : `resuming after ledger ${cursor}`);
        expect(await allRows(db)).toBe(expectedRows);
      }
    } finally {
      slow.stop();
    }
  }, 30_000);
});
