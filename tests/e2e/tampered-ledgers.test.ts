// A ledger altered inside a valid object (one bit of an amount or of a fee flipped, re-compressed)
// stops `bun run pipeline` with an error naming the ledger, the object and the header hash that
// does not match; --no-tx-set-check reads it as it is.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queryReadOnly, runBunScript } from "../support/cli.ts";
import { withFeeChargedFlipped, withPaymentAmountFlipped } from "../support/tamper.ts";
import { batchXdr, sampleBatchXdr, TempLake } from "../source/lake-fixtures.ts";
import { splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";

const PUBNET = "Public Global Stellar Network ; September 2015";
const KEY = (seq: number) => `FE2A45FF--30784000-30847999/${(0xffffffff - seq).toString(16).toUpperCase()}--${seq}.xdr.zst`;
const TAMPERED = 30822017;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stellar-flow-tamper-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const pipeline = (...args: string[]) => runBunScript("src/cli/pipeline.ts", [...args, "--health-ports", "off"]);
const ledgersIn = async (db: string) => (await queryReadOnly(db, "SELECT sequence FROM ledgers ORDER BY sequence")).map((r) => Number(r[0]));

/** A pubnet lake of 30822015-30822018 whose ledger `tampered` was altered by `alter` and compressed again. */
async function lakeWith(alter: (lcm: Uint8Array) => Uint8Array, tampered = TAMPERED): Promise<TempLake> {
  const lake = await TempLake.create();
  for (let seq = 30822015; seq <= 30822018; seq++) await lake.copy("pubnet", KEY(seq));
  const lcm = splitLedgerCloseMetaBatch(await sampleBatchXdr("pubnet", KEY(tampered))).ledgerCloseMetas[0]!;
  await lake.put(KEY(tampered), Bun.zstdCompressSync(batchXdr(tampered, tampered, [alter(lcm)])));
  return lake;
}

describe("a ledger altered after it closed", () => {
  const cases = [
    { what: "an amount in an envelope", alter: (lcm: Uint8Array) => withPaymentAmountFlipped(lcm, PUBNET).lcm, hash: "scpValue.txSetHash", extra: [] },
    { what: "the fee charged in a result, with a worker thread", alter: (lcm: Uint8Array) => withFeeChargedFlipped(lcm, PUBNET), hash: "txSetResultHash", extra: ["--workers", "1"] },
    { what: "an amount in an envelope, with --processes", alter: (lcm: Uint8Array) => withPaymentAmountFlipped(lcm, PUBNET).lcm, hash: "scpValue.txSetHash", extra: ["--processes", "--flowctl", "off"] },
  ];
  for (const { what, alter, hash, extra } of cases) {
    test(`${what}: the run stops at that ledger naming it, its object and ${hash}; --no-tx-set-check lets it through`, async () => {
      const lake = await lakeWith(alter);
      try {
        const db = join(work, `${hash}-${extra.join("")}.duckdb`);
        const run = await pipeline("--datalake", lake.dir, "--start", "30822015", "--end", "30822018", "--db", db, ...extra);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`tampered or corrupt ledger`);
        expect(run.stderr).toContain(`the header's ${hash} is `);
        expect(run.stderr).toContain(`(ledger ${TAMPERED}, ${join(lake.dir, KEY(TAMPERED))})`);
        expect(await ledgersIn(db)).toEqual([30822015, 30822016]);

        const trusting = join(work, `${hash}-${extra.join("")}-trusting.duckdb`);
        const through = await pipeline("--datalake", lake.dir, "--start", "30822015", "--end", "30822018", "--db", trusting, "--no-tx-set-check", ...extra);
        expect(through.stderr).not.toContain("tampered");
        expect(through.code).toBe(0);
        expect(await ledgersIn(trusting)).toEqual([30822015, 30822016, 30822017, 30822018]);
      } finally {
        await lake.remove();
      }
    });
  }

  test("without the check, the altered amount lands in ttp_events (classic mode reads it from the envelope): what the check prevents", async () => {
    let amount = 0n;
    // 30822018's first payment succeeded: its transfer event carries the envelope's amount.
    const lake = await lakeWith((lcm) => {
      const flipped = withPaymentAmountFlipped(lcm, PUBNET);
      amount = flipped.amount;
      return flipped.lcm;
    }, 30822018);
    try {
      const db = join(work, "trusting-amount.duckdb");
      const run = await pipeline("--datalake", lake.dir, "--start", "30822018", "--end", "30822018", "--db", db, "--ttp-mode", "classic", "--no-tx-set-check");
      expect(run.code).toBe(0);
      const amounts = (await queryReadOnly(db, "SELECT amount FROM ttp_events WHERE event_type = 'transfer'")).map((r) => BigInt(String(r[0])));
      expect(amounts).toContain(amount ^ 1n);
      expect(amounts).not.toContain(amount);
    } finally {
      await lake.remove();
    }
  });
});
