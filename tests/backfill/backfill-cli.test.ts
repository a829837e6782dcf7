// `bun run backfill` as a user runs it: a local backfill with plain progress lines, a second run
// that finds everything there, verify, bad input with clear errors (exit 2) and an unreachable NATS
// URL (exit 1 within seconds, naming it).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureDataset } from "../../src/backfill/dataset-descriptor.ts";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { runBunScript } from "../support/cli.ts";
import { duck, tempDir } from "./support.ts";

setDefaultTimeout(60_000);

const LAKE = lakePath("pubnet");
const RANGE = ["--start", "30822015", "--end", "30822025"];
const dir = tempDir();
const reference = join(dir.path, "reference");
const backfill = (...args: string[]) => runBunScript("src/cli/backfill.ts", args);
const rows = (out: string) => duck(`SELECT * FROM read_parquet('${out}/ttp_events/*.parquet') ORDER BY ledger_sequence, event_index`);

beforeAll(async () => {
  const source = await openDataLake(LAKE);
  await runShard({ source, processor: shardProcessor(source.networkPassphrase), store: new FolderDatasetStore(reference), shard: { start: 30_822_015, end: 30_822_025 } });
});
afterAll(() => dir.remove());

describe("bun run backfill (local)", () => {
  test("writes the shards in --parallel processes with plain progress lines; run again, it finds them there; verify says ok", async () => {
    const out = join(dir.path, "local");
    const run = await backfill("--datalake", LAKE, ...RANGE, "--out", out, "--shard-size", "3", "--parallel", "2");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`4 shards of up to 3 ledgers; writing 4 in 2 processes`);
    const lines = run.stderr.split("\n");
    expect(lines.filter((l) => /^shard \d{10}-\d{10} \(ledgers \d+-\d+\): started in process \d+$/.test(l)).length).toBe(4);
    const done = lines.filter((l) => l.includes(": done, "));
    expect(done.length).toBe(4);
    expect(done.at(-1)).toMatch(/\| shards 4\/4 done, 0 running, 0 failed \| 11\/11 ledgers \| [\d.,]+ ledgers\/s \| ETA 0 s$/);
    expect(run.stdout).toContain("shards       4 written, 0 already there, 0 failed");
    expect(run.stdout).toContain("ledgers      11 of 11 written, 668 events");
    expect(await rows(out)).toEqual(await rows(reference));

    const again = await backfill("--datalake", LAKE, ...RANGE, "--out", out, "--shard-size", "7");
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("2 shards of up to 7 ledgers, 2 already there; nothing to write");

    const verify = await backfill("verify", "--out", out);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`${out}: 4 shards, 11 ledgers, 668 events, ledgers 30822015-30822025`);
    expect(verify.stdout).toContain("ok: every file matches its manifest");
  });

  test("verify names a damaged file and exits 1", async () => {
    const out = join(dir.path, "damaged");
    expect((await backfill("--datalake", LAKE, ...RANGE, "--out", out, "--shard-size", "7", "--parallel", "1")).code).toBe(0);
    const file = join(out, "ttp_events", "0030822015-0030822021.parquet");
    const bytes = readFileSync(file);
    bytes[200] = bytes[200]! ^ 0xff;
    writeFileSync(file, bytes);
    const verify = await backfill("verify", "--out", out);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`problem: ${file} (shard 0030822015-0030822021) has SHA-256`);
    expect(verify.stdout).toContain("NOT OK");
  });
});

describe("bad input: a clear error naming it, exit code 2, nothing written", () => {
  test("shard size 0, A > B, a missing flag, a flag of another command", async () => {
    const out = join(dir.path, "never");
    const zero = await backfill("--datalake", LAKE, ...RANGE, "--out", out, "--shard-size", "0");
    expect([zero.code, zero.stderr.split("\n")[0]]).toEqual([2, 'error: --shard-size must be a whole number of ledgers, at least 1 (got 0)']);
    const backwards = await backfill("--datalake", LAKE, "--start", "30822025", "--end", "30822015", "--out", out);
    expect([backwards.code, backwards.stderr.split("\n")[0]]).toEqual([2, "error: --start 30822025 is after --end 30822015: nothing to backfill"]);
    const missing = await backfill("--datalake", LAKE, ...RANGE);
    expect([missing.code, missing.stderr.split("\n")[0]]).toEqual([2, "error: backfill needs --out"]);
    const foreign = await backfill("status", "--nats", "nats://127.0.0.1:4222", "--out", out);
    expect([foreign.code, foreign.stderr.split("\n")[0]]).toEqual([2, "error: backfill status takes no --out"]);
    const queueAlone = await backfill("--datalake", LAKE, ...RANGE, "--out", out, "--queue", "q");
    expect([queueAlone.code, queueAlone.stderr.split("\n")[0]]).toEqual([2, "error: --queue goes with --nats (a local backfill has no JetStream queue)"]);
    expect(await Bun.file(join(out, "dataset.json")).exists()).toBe(false);
  });

  test("--out holding a dataset of another network or schema version, or other files", async () => {
    const testnet = join(dir.path, "testnet");
    await ensureDataset(new FolderDatasetStore(testnet), NETWORK_PASSPHRASES.testnet);
    const network = await backfill("--datalake", LAKE, ...RANGE, "--out", testnet);
    expect(network.code).toBe(2);
    expect(network.stderr).toContain(`error: --out ${testnet} holds a dataset of ledgers of testnet (${testnet}/dataset.json); this backfill writes pubnet: choose another --out`);
    const v2 = join(dir.path, "v2");
    await ensureDataset(new FolderDatasetStore(v2), NETWORK_PASSPHRASES.pubnet, 2);
    const version = await backfill("--datalake", LAKE, ...RANGE, "--out", v2);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain(`error: --out ${v2} holds a dataset of schema version 2`);
    const notes = join(dir.path, "notes");
    await Bun.write(join(notes, "todo.txt"), "mine");
    const other = await backfill("--datalake", LAKE, ...RANGE, "--out", notes);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`holds ${join(notes, "todo.txt")}, which is not part of a stellar-flow dataset`);
    const wrongNetwork = await backfill("--datalake", LAKE, ...RANGE, "--out", join(dir.path, "x"), "--network", "testnet");
    expect([wrongNetwork.code, wrongNetwork.stderr.trim()]).toEqual([2, `error: --network testnet: the lake ${LAKE} holds ledgers of pubnet`]);
  });

  test("an unreachable NATS URL: planning, a worker and status fail within seconds, naming it (exit 1)", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }); // accepts, never speaks
    try {
      const url = `nats://127.0.0.1:${silent.port}`;
      const commands = [
        ["--nats", url, "--datalake", LAKE, ...RANGE, "--out", join(dir.path, "nats-never")],
        ["worker", "--nats", url, "--datalake", LAKE],
        ["status", "--nats", url],
      ];
      for (const args of commands) {
        const started = performance.now();
        const run = await backfill(...args);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`error: cannot reach NATS at ${url} within 5 s`);
        expect(performance.now() - started).toBeLessThan(20_000); // a bound on a hang, not a timing
      }
    } finally {
      silent.stop(true);
    }
  });
});
