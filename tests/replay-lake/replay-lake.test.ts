// `bun run replay-lake`: a hash-chained SEP-54 lake made by cycling a shared lake's ledgers. Its
// chain, transaction-set and result hashes are checked with the SDK's XDR (not the generator's
// byte offsets), and the pipeline command takes it with --verify and finds the source's events.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xdr } from "@stellar/stellar-sdk";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { ledgerDecoder } from "../../src/processor/ledger-decoders.ts";
import { DuckDbSink } from "../../src/sink/duckdb/duckdb-sink.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { generateReplayLake, sourceSequenceOf, type ReplayLake } from "../../scripts/replay-lake/generate.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { queryReadOnly, runBunScript } from "../support/cli.ts";

const work = await mkdtemp(join(tmpdir(), "replay-lake-test-"));
afterAll(() => rm(work, { recursive: true, force: true }));

const sha256 = (...parts: Uint8Array[]) => {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const part of parts) hasher.update(part);
  return new Uint8Array(hasher.digest());
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

interface ChainedLedger {
  readonly sequence: number;
  readonly hash: string;
  readonly previousHash: string;
  readonly closeTime: bigint;
}

/** Reads every object of a replay lake with the SDK and checks what a node would have committed to. */
async function checkWithSdk(lake: ReplayLake): Promise<ChainedLedger[]> {
  const ledgers: ChainedLedger[] = [];
  for (let sequence = lake.start; sequence <= lake.end; sequence++) {
    const partition = `${(0xffffffff - (sequence - (sequence % 64000))).toString(16).toUpperCase()}--${sequence - (sequence % 64000)}-${sequence - (sequence % 64000) + 63999}`;
    const file = `${(0xffffffff - sequence).toString(16).toUpperCase()}--${sequence}.xdr.zst`;
    const batch = xdr.LedgerCloseMetaBatch.schema.decode(Bun.zstdDecompressSync(await Bun.file(join(lake.dir, partition, file)).bytes()));
    expect([batch.startSequence, batch.endSequence, batch.ledgerCloseMetas.length]).toEqual([sequence, sequence, 1]);
    const meta = batch.ledgerCloseMetas[0]!;
    const body = meta.v === 0 ? meta.v0 : meta.v === 1 ? meta.v1 : meta.v2;
    const entry = body.ledgerHeader;
    const header = entry.header;
    expect(header.ledgerSeq).toBe(sequence);
    expect(hex(entry.hash)).toBe(hex(sha256(xdr.LedgerHeader.schema.encode(header))));
    // the transaction set names the previous ledger and is what the SCP value's txSetHash hashes
    if (meta.v === 0) {
      const txSet = meta.v0.txSet;
      expect(hex(txSet.previousLedgerHash)).toBe(hex(header.previousLedgerHash));
      const envelopes = txSet.txs.map((tx) => xdr.TransactionEnvelope.schema.encode(tx));
      expect(hex(header.scpValue.txSetHash)).toBe(hex(sha256(txSet.previousLedgerHash, ...envelopes)));
    } else {
      const txSet = meta.v === 1 ? meta.v1.txSet : meta.v2.txSet;
      expect(hex(txSet.v1TxSet.previousLedgerHash)).toBe(hex(header.previousLedgerHash));
      expect(hex(header.scpValue.txSetHash)).toBe(hex(sha256(xdr.GeneralizedTransactionSet.schema.encode(txSet))));
    }
    const results = (body.txProcessing as { result: xdr.TransactionResultPairWire }[]).map((p) => p.result);
    expect(hex(header.txSetResultHash)).toBe(hex(sha256(xdr.TransactionResultSet.schema.encode({ results }))));
    ledgers.push({ sequence, hash: hex(entry.hash), previousHash: hex(header.previousLedgerHash), closeTime: BigInt(header.scpValue.closeTime) });
  }
  for (let i = 1; i < ledgers.length; i++) {
    expect(ledgers[i]!.previousHash).toBe(ledgers[i - 1]!.hash);
    expect(ledgers[i]!.closeTime - ledgers[i - 1]!.closeTime).toBe(5n);
  }
  expect(ledgers[ledgers.length - 1]!.hash).toBe(lake.lastHash);
  return ledgers;
}

/** Every event of one database, per ledger, without the ledger number and time. */
async function eventsByLedger(rows: unknown[][]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const [sequence, ...rest] of rows) {
    const key = Number(sequence);
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(JSON.stringify(rest, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
  }
  return out;
}
const EVENT_COLUMNS = "ledger_sequence, * EXCLUDE (ledger_sequence, closed_at)";
const EVENTS_SQL = `SELECT ${EVENT_COLUMNS} FROM ttp_events ORDER BY ledger_sequence, event_index`;

describe("replay lake", () => {
  test("P23: galexie's layout, a valid hash chain, and headers that commit to the tx set and the results", async () => {
    const lake = await generateReplayLake({ from: lakePath("standalone-p23"), out: join(work, "p23"), ledgers: 6, start: 500 });
    expect(lake.cycle).toEqual([84, 85, 88]);
    expect(await Bun.file(join(lake.dir, ".config.json")).json()).toEqual({
      networkPassphrase: "Standalone Network ; February 2017",
      version: "1.0",
      compression: "zstd",
      ledgersPerBatch: 1,
      batchesPerPartition: 64000,
    });
    expect((await readdir(lake.dir, { recursive: true })).sort()).toContain("FFFFFFFF--0-63999/FFFFFE0B--500.xdr.zst");
    await checkWithSdk(lake);
  });

  test("pubnet (legacy TransactionSet of LCM v0, and v1): the same checks", async () => {
    const lake = await generateReplayLake({ from: lakePath("pubnet"), out: join(work, "pubnet"), ledgers: 30, start: 63_990 }); // crosses a partition
    expect(lake.cycle.length).toBe(25);
    await checkWithSdk(lake);
  });

  test("--skip-empty leaves the ledgers without transactions out of the cycle", async () => {
    const lake = await generateReplayLake({ from: lakePath("standalone-p23"), out: join(work, "p23-busy"), ledgers: 3, start: 10, skipEmpty: true });
    expect(lake.cycle).toEqual([85, 88]);
    expect([10, 11, 12].map((s) => sourceSequenceOf(lake, s))).toEqual([85, 88, 85]);
  });

  test("the pipeline command takes a replay with --verify, and each ledger holds its source ledger's events", async () => {
    const lake = await generateReplayLake({ from: lakePath("standalone-p23"), out: join(work, "p23-run"), ledgers: 7, start: 2_000 });
    const db = join(work, "replay.duckdb");
    const run = await runBunScript("src/cli/pipeline.ts", ["--datalake", lake.dir, "--start", "2000", "--end", "2006", "--verify", "--db", db, "--health-ports", "off", "--flowctl", "off", "--workers", "0"]);
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("ledgers      7 (2000-2006)");
    const chained = await checkWithSdk(lake);
    const ledgerRows = await queryReadOnly(db, "SELECT sequence, hash, previous_hash, epoch(closed_at)::BIGINT FROM ledgers ORDER BY sequence");
    expect(ledgerRows).toEqual(chained.map((l) => [l.sequence, l.hash, l.previousHash, l.closeTime]));

    // the source lake's ledgers through the same processing, in process
    const source = await openFolderLake(lakePath("standalone-p23"));
    const sink = await DuckDbSink.open(":memory:");
    let sourceRows: unknown[][];
    try {
      // the load-test ledgers as stored commit to only part of their tx sets (README: --no-tx-set-check)
      const processor = new TtpProcessor({ networkPassphrase: source.networkPassphrase, decoder: ledgerDecoder("fast", source.networkPassphrase, { checkHashes: false }), mode: "auto", verify: true });
      for (const sequence of lake.cycle) await runPipeline({ source, processor, sink, range: { start: sequence, end: sequence }, startOver: true });
      sourceRows = (await (await sink.connect()).runAndReadAll(EVENTS_SQL)).getRows();
    } finally {
      await sink.close();
    }
    const expected = await eventsByLedger(sourceRows);
    const actual = await eventsByLedger(await queryReadOnly(db, EVENTS_SQL));
    expect(lake.cycle.map((sequence) => expected.get(sequence)?.length ?? 0)).toEqual([0, 1200, 1200]);
    for (let sequence = lake.start; sequence <= lake.end; sequence++) {
      expect(actual.get(sequence) ?? []).toEqual(expected.get(sourceSequenceOf(lake, sequence)) ?? []);
    }
  }, 60_000);

  test("refuses to write over a lake, and says what is wrong with its arguments", async () => {
    await expect(generateReplayLake({ from: lakePath("standalone-p23"), out: join(work, "p23"), ledgers: 2 })).rejects.toThrow(/already holds a lake/);
    await expect(generateReplayLake({ from: lakePath("standalone-p23"), out: join(work, "zero"), ledgers: 0 })).rejects.toThrow(/--ledgers must be an integer >= 1/);
    await expect(generateReplayLake({ from: join(work, "nowhere"), out: join(work, "x"), ledgers: 2 })).rejects.toThrow(/manifest/);
    const cli = await runBunScript("scripts/replay-lake.ts", ["--from", lakePath("standalone-p23"), "--out", join(work, "cli"), "--ledgers", "many"]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain("--ledgers needs an integer");
  });
});
