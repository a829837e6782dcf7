// Every ledger of every shared lake decodes and yields TTP events; their balance effects
// reconcile with the ledger-entry changes.
import { describe, expect, test } from "bun:test";
import { ledgerEvents } from "../../src/ttp/ledger-events.ts";
import { describeMismatch, verifyLedgerEvents } from "../../src/ttp/verify.ts";
import { lakeSequences, loadLedgers } from "../support/ledger-models.ts";

const LAKES = ["pubnet", "testnet", "standalone-p23", "standalone-p24"];

describe("every shared ledger", () => {
  for (const lake of LAKES) {
    test(`${lake}: decodes and yields events in classic and auto modes`, async () => {
      const sequences = await lakeSequences(lake);
      expect(sequences.length).toBeGreaterThan(0);
      for (const sequence of sequences) {
        const { ledgers, sac } = await loadLedgers(lake, sequence);
        const ledger = ledgers[0]!;
        expect(ledger.sequence).toBe(sequence);
        for (const mode of ["classic", "auto"] as const) {
          const events = ledgerEvents(ledger, sac, mode);
          // One fee charge per transaction, failed ones included.
          expect(events.filter((e) => e.eventType === "fee" && e.amount > 0n)).toHaveLength(ledger.transactions.length);
          const indexes = events.map((e) => e.transactionIndex);
          expect(indexes.every((i) => i >= 1 && i <= ledger.transactions.length)).toBe(true);
        }
      }
    });
  }

  // standalone-p24 is left out: its synthetic transactions do not reconcile yet (see issue 3).
  for (const lake of ["pubnet", "testnet", "standalone-p23"]) {
    test(`${lake}: events account for every balance change`, async () => {
      for (const sequence of await lakeSequences(lake)) {
        const { ledgers, sac } = await loadLedgers(lake, sequence);
        const mismatch = verifyLedgerEvents(ledgers[0]!, ledgerEvents(ledgers[0]!, sac, "auto"));
        expect(mismatch ? describeMismatch(mismatch) : null).toBeNull();
      }
    });
  }

  test("the standalone-p23 load test yields 1000 SAC transfers per full ledger, each with its fee and refund", async () => {
    const { ledgers, sac } = await loadLedgers("standalone-p23", 85);
    const events = ledgerEvents(ledgers[0]!, sac, "auto");
    const transfers = events.filter((e) => e.eventType === "transfer");
    expect(transfers).toHaveLength(1000);
    expect(transfers.every((e) => e.asset === "native" && e.contractAddress === sac.addressOf({ type: "native" }))).toBe(true);
    const fees = events.filter((e) => e.eventType === "fee");
    expect(fees.filter((e) => e.amount > 0n)).toHaveLength(100);
    expect(fees.filter((e) => e.amount < 0n)).toHaveLength(100);
    // Protocol 23: every refund comes after every operation event.
    const lastTransfer = events.lastIndexOf(transfers[transfers.length - 1]!);
    expect(events.slice(lastTransfer + 1).every((e) => e.eventType === "fee" && e.amount < 0n)).toBe(true);
  });
});
