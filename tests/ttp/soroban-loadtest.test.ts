// The Soroban load-test lakes (protocols 23 and 24): every SAC `transfer` event the metas hold is
// found, with one fee charge and one refund per transaction, in protocol 23+ order.
import { describe, expect, test } from "bun:test";
import { xdr } from "@stellar/stellar-sdk";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { ledgerEvents } from "../../src/ttp/ledger-events.ts";
import { describeMismatch, verifyLedgerEvents } from "../../src/ttp/verify.ts";
import { loadLedgers, lakeSequences } from "../support/ledger-models.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

/** Counted straight from the XDR, without our model or TTP code: contract events named "transfer". */
async function transferEventsInMetas(lake: string, sequence: number): Promise<{ transfers: number; transactions: number }> {
  const source = await openFolderLake(lakePath(lake));
  let transfers = 0;
  let transactions = 0;
  for await (const batch of source.batches({ start: sequence, end: sequence })) {
    for (const raw of rawLedgersOf(batch)) {
      const meta = xdr.LedgerCloseMeta.schema.decode(raw.xdr);
      if (meta.v !== 2) throw new Error("expected LedgerCloseMeta v2");
      for (const processing of meta.v2.txProcessing) {
        transactions++;
        const txMeta = processing.txApplyProcessing;
        if (txMeta.v !== 4) throw new Error("expected TransactionMeta v4");
        for (const op of txMeta.v4.operations) {
          for (const event of op.events) {
            const topic = event.body.v0.topics[0];
            if (event.type === 1 && topic?.type === 15 && topic.sym.toString() === "transfer") transfers++;
          }
        }
      }
    }
  }
  return { transfers, transactions };
}

describe("Soroban load tests", () => {
  for (const lake of ["standalone-p23", "standalone-p24"]) {
    test(`${lake}: every transfer event of the metas, a fee and a refund per transaction`, async () => {
      let total = 0;
      for (const sequence of await lakeSequences(lake)) {
        const expected = await transferEventsInMetas(lake, sequence);
        const { ledgers, sac } = await loadLedgers(lake, sequence);
        for (const mode of ["auto", "classic"] as const) {
          const events = ledgerEvents(ledgers[0]!, sac, mode);
          const transfers = events.filter((e) => e.eventType === "transfer");
          expect(transfers).toHaveLength(expected.transfers);
          expect(events.filter((e) => e.eventType === "fee" && e.amount > 0n)).toHaveLength(expected.transactions);
          expect(events.filter((e) => e.eventType === "fee" && e.amount < 0n)).toHaveLength(expected.transactions);
          // Protocol 23+: charges first, then operation events, then every refund.
          const kinds = events.map((e) => (e.eventType === "fee" ? (e.amount > 0n ? "c" : "r") : "o")).join("");
          expect(kinds).toMatch(/^c*o*r*$/);
        }
        total += expected.transfers;
      }
      expect(total).toBe(2000);
    });
  }

  test("standalone-p23: the transfers are native-asset SAC transfers and reconcile with the balance changes", async () => {
    for (const sequence of await lakeSequences("standalone-p23")) {
      const { ledgers, sac } = await loadLedgers("standalone-p23", sequence);
      const events = ledgerEvents(ledgers[0]!, sac, "auto");
      const transfers = events.filter((e) => e.eventType === "transfer");
      expect(transfers.every((e) => e.asset === "native" && e.contractAddress === sac.addressOf({ type: "native" }))).toBe(true);
      const mismatch = verifyLedgerEvents(ledgers[0]!, events);
      expect(mismatch ? describeMismatch(mismatch) : null).toBeNull();
    }
  });

  test("standalone-p24: its events come from a contract that is not the native SAC of the lake's network", async () => {
    // The p24 sample was made under another network passphrase than its manifest's (its result hashes
    // match no envelope either), so, as in stellar/go, the transfers are reported with a NULL asset and
    // the reconciliation names the first lumen movement they do not account for.
    const { ledgers, sac } = await loadLedgers("standalone-p24", 63);
    const events = ledgerEvents(ledgers[0]!, sac, "auto");
    const transfers = events.filter((e) => e.eventType === "transfer");
    expect(transfers.length).toBe(1000);
    expect(new Set(transfers.map((e) => e.contractAddress)).size).toBe(1);
    expect(transfers[0]!.contractAddress).not.toBe(sac.addressOf({ type: "native" }));
    expect(transfers.every((e) => e.asset === null)).toBe(true);
    const mismatch = verifyLedgerEvents(ledgers[0]!, events);
    expect(mismatch).not.toBeNull();
    expect(describeMismatch(mismatch!)).toMatch(/^balance mismatch in ledger 63, tx [0-9a-f]{64}: G[A-Z2-7]{55} native changed by \d+ in ledger entries but by 0 in events$/);
  });
});
