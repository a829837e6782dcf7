// Following the tip of a data lake, and the hybrid source: lake backfill handing over to RPC
// without a gap or a duplicate, the hash chain checked across the hand-over.
import { afterEach, describe, expect, test } from "bun:test";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { rawLedgersOf, type RawLedger } from "../../src/arrow/ledger-batch.ts";
import { openDataLake } from "../../src/source/datalake/open-datalake.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { HybridSource } from "../../src/source/hybrid-source.ts";
import type { LedgerSource } from "../../src/source/ledger-source.ts";
import { ResumedSource } from "../../src/source/resumed-source.ts";
import { openRpcSource } from "../../src/source/rpc/open-rpc-source.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { FAST_RETRY } from "../support/fast-retry.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { RpcTestServer } from "../support/rpc-test-server.ts";
import { S3TestServer } from "../../scripts/fixtures/s3-test-server.ts";
import { readRange, TempLake } from "./lake-fixtures.ts";

const FIRST = 30822015;
const LAST = 30822025;
const SEQUENCES = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);
const KEY = (seq: number) => `FE2A45FF--30784000-30847999/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0)) await done();
});

async function lakeWith(last: number): Promise<TempLake> {
  const lake = await TempLake.create();
  cleanup.push(() => lake.remove());
  for (let seq = FIRST; seq <= last; seq++) await lake.copy("pubnet", KEY(seq));
  return lake;
}

let allLedgers: RawLedger[] | null = null;
async function ledgers(): Promise<RawLedger[]> {
  allLedgers ??= (await readRange(await openFolderLake(lakePath("pubnet")), FIRST, LAST)).ledgers;
  return allLedgers;
}

/** Reads an unbounded range until `last`, then stops it. */
async function follow(source: LedgerSource, start: number, last: number): Promise<number[]> {
  const abort = new AbortController();
  const read: number[] = [];
  try {
    for await (const batch of source.batches({ start, end: Number.POSITIVE_INFINITY }, { signal: abort.signal })) {
      read.push(...[...rawLedgersOf(batch)].map((l) => l.sequence));
      if (read.at(-1)! >= last) abort.abort(new Error("done"));
    }
  } catch (error) {
    if ((error as Error).message !== "done") throw error;
  }
  return read;
}

describe("following and hybrid sources", () => {
  test("data lake --follow: an object not written yet is waited for, then read; each ledger once", async () => {
    const lake = await lakeWith(FIRST + 2);
    const server = await S3TestServer.start({ root: lake.dir });
    cleanup.push(() => server.stop());
    const source = await openDataLake(server.url(""), { retry: FAST_RETRY, followPollMs: 20, concurrency: 4 });
    let written = FIRST + 2;
    const writer = setInterval(() => {
      if (written >= LAST) return;
      const key = KEY(++written);
      // written under another name, then renamed: an object appears whole, as in S3
      void lake.copy("pubnet", key, `${key}.part`).then(() => rename(join(lake.dir, `${key}.part`), join(lake.dir, key)));
    }, 25);
    cleanup.push(() => clearInterval(writer));
    expect(await follow(source, FIRST, LAST)).toEqual(SEQUENCES);
    expect(server.hits(KEY(FIRST + 3))).toBeGreaterThan(1); // asked for before it was written, then again
  });

  test("data lake --follow: an outage longer than the retries is waited out with a warning, no ledger lost", async () => {
    const server = await S3TestServer.start({
      root: lakePath("pubnet"),
      fault: (key, hit) => (key === KEY(FIRST + 3) && hit <= 7 ? { status: 503 } : undefined),
    });
    cleanup.push(() => server.stop());
    const warnings: string[] = [];
    const source = await openDataLake(server.url(""), { retry: FAST_RETRY, followPollMs: 20, onWarning: (m) => warnings.push(m) });
    expect(await follow(source, FIRST, LAST)).toEqual(SEQUENCES);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/HTTP 503.*gave up after 5 tries.*trying again in 20 ms/);
    expect(warnings[0]).toContain(KEY(FIRST + 3));
  });

  test("hybrid: the lake up to its newest ledger, then RPC, no gap, no duplicate", async () => {
    const lake = await lakeWith(FIRST + 4);
    const rpc = RpcTestServer.start({ ledgers: await ledgers(), passphrase: NETWORK_PASSPHRASES.pubnet });
    cleanup.push(() => rpc.stop());
    const hybrid = new HybridSource(await openFolderLake(lake.dir), await openRpcSource(rpc.url, { retry: FAST_RETRY }));
    expect(hybrid.description).toContain("then Stellar RPC");
    const { ledgers: read, error } = await readRange(hybrid, FIRST, LAST);
    expect(error).toBeNull();
    expect(read.map((l) => l.sequence)).toEqual(SEQUENCES);
    expect(read.map((l) => l.hash)).toEqual((await ledgers()).map((l) => l.hash));
    expect(rpc.servedSequences()).toEqual(SEQUENCES.slice(5));
    expect(rpc.calls.find((c) => c.method === "getLedgers")?.params.startLedger).toBe(FIRST + 5);
  });

  test("hybrid --follow: backfill from the lake, then the RPC tip as it closes", async () => {
    const lake = await lakeWith(FIRST + 3);
    const rpc = RpcTestServer.start({ ledgers: await ledgers(), passphrase: NETWORK_PASSPHRASES.pubnet, latestLedger: FIRST + 6 });
    cleanup.push(() => rpc.stop());
    const timer = setInterval(() => rpc.latestLedger < LAST && rpc.latestLedger++, 20);
    cleanup.push(() => clearInterval(timer));
    const hybrid = new HybridSource(await openFolderLake(lake.dir), await openRpcSource(rpc.url, { retry: FAST_RETRY, followPollMs: 15 }));
    expect(await follow(hybrid, FIRST, LAST)).toEqual(SEQUENCES);
    expect(rpc.servedSequences()).toEqual(SEQUENCES.slice(4));
  });

  test("the hash chain is checked across a restart (ResumedSource) and across the hand-over", async () => {
    const all = await ledgers();
    const lake = await openFolderLake(lakePath("pubnet"));
    const resumed = await readRange(new ResumedSource(lake, all[2]!.hash), FIRST + 3, FIRST + 4);
    expect(resumed.error).toBeNull();
    const wrong = await readRange(new ResumedSource(lake, all[1]!.hash), FIRST + 3, FIRST + 4);
    expect((wrong.error as Error).message).toMatch(/^broken hash chain: previous ledger hash [0-9a-f]{64} is not the hash of ledger 30822017/);

    const rpc = RpcTestServer.start({ ledgers: all, passphrase: NETWORK_PASSPHRASES.pubnet });
    cleanup.push(() => rpc.stop());
    const hybrid = new HybridSource(await openFolderLake((await lakeWith(FIRST + 4)).dir), await openRpcSource(rpc.url, { retry: FAST_RETRY }));
    const broken = await readRange(new ResumedSource(hybrid, all[0]!.hash), FIRST + 2, LAST);
    expect(broken.ledgers).toEqual([]);
    expect((broken.error as Error).message).toMatch(/broken hash chain.*ledger 30822017/);
  });
});
