// TransactionMeta v0 and v1 and LedgerCloseMeta v1/v2 shapes the shared lakes lack: real ledgers are
// re-encoded into the older shapes (same content, other union arm) and must give the same events.
import { describe, expect, test } from "bun:test";
import { xdr } from "@stellar/stellar-sdk";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";
import { SacAddressBook } from "../../src/stellar/asset.ts";
import { ledgerEvents } from "../../src/ttp/ledger-events.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

const PUBNET = "Public Global Stellar Network ; September 2015";

async function rawLedger(lake: string, sequence: number): Promise<Uint8Array> {
  const source = await openFolderLake(lakePath(lake));
  for await (const batch of source.batches({ start: sequence, end: sequence })) for (const raw of rawLedgersOf(batch)) return raw.xdr;
  throw new Error(`ledger ${sequence} not read`);
}

type Meta = xdr.TransactionMetaWire;

function rewriteMetas(lcm: Uint8Array, rewrite: (meta: Extract<Meta, { v: 2 }>) => Meta): Uint8Array {
  const wire = xdr.LedgerCloseMeta.schema.decode(lcm);
  if (wire.v !== 0) throw new Error("expected LedgerCloseMeta v0");
  for (const processing of wire.v0.txProcessing) {
    const meta = processing.txApplyProcessing;
    if (meta.v !== 2) throw new Error("expected TransactionMeta v2");
    processing.txApplyProcessing = rewrite(meta);
  }
  return xdr.LedgerCloseMeta.schema.encode(wire);
}

describe("decoder: older meta shapes", () => {
  // 46154623 (protocol 19): payments, path payments, offers, claimable balances, clawback, allow_trust.
  const decoder = new SdkLedgerDecoder(PUBNET);
  const sac = SacAddressBook.forPassphrase(PUBNET);

  test("TransactionMeta v1 (txChanges + operations) gives the same events as v2", async () => {
    const original = await rawLedger("pubnet", 46154623);
    const v1 = rewriteMetas(original, (m) => ({ v: 1, v1: { txChanges: m.v2.txChangesBefore, operations: m.v2.operations } }));
    const before = ledgerEvents(decoder.decode(original), sac, "classic");
    const after = decoder.decode(v1);
    expect(after.transactions.every((tx) => tx.metaVersion === 1)).toBe(true);
    expect(before.length).toBeGreaterThan(200);
    expect(ledgerEvents(after, sac, "classic")).toEqual(before);
  });

  test("TransactionMeta v0 (operations only) gives the same events as v2", async () => {
    const original = await rawLedger("pubnet", 46154623);
    const v0 = rewriteMetas(original, (m) => ({ v: 0, operations: m.v2.operations }));
    const after = decoder.decode(v0);
    expect(after.transactions.every((tx) => tx.metaVersion === 0)).toBe(true);
    expect(ledgerEvents(after, sac, "classic")).toEqual(ledgerEvents(decoder.decode(original), sac, "classic"));
  });

  test("LedgerCloseMeta v0, v1 and v2 decode with their transactions in apply order", async () => {
    for (const [lake, sequence, version] of [["pubnet", 46154623, 0], ["pubnet", 53312000, 1], ["standalone-p23", 85, 2]] as const) {
      const ledger = (lake === "standalone-p23" ? new SdkLedgerDecoder("Standalone Network ; February 2017") : decoder).decode(await rawLedger(lake, sequence));
      expect(ledger.metaVersion).toBe(version);
      expect(ledger.sequence).toBe(sequence);
      expect(ledger.transactions.map((t) => t.index)).toEqual(ledger.transactions.map((_, i) => i + 1));
      expect(new Set(ledger.transactions.map((t) => t.hash)).size).toBe(ledger.transactions.length);
    }
  });

  test("a transaction with no envelope in the set is an error naming it", async () => {
    const wire = xdr.LedgerCloseMeta.schema.decode(await rawLedger("pubnet", 16154623));
    if (wire.v !== 0) throw new Error("expected v0");
    wire.v0.txSet.txs = wire.v0.txSet.txs.slice(1);
    expect(() => decoder.decode(xdr.LedgerCloseMeta.schema.encode(wire))).toThrow(/transaction [0-9a-f]{64} \(index \d\) has no envelope/);
  });
});
