// Real 2026 mainnet TransactionMeta v4 blobs (no envelope): the unified parser must read the CAP-67
// events that a reading of the XDR by hand finds in them.
import { describe, expect, test } from "bun:test";
import { xdr } from "@stellar/stellar-sdk";
import { SacAddressBook } from "../../src/stellar/asset.ts";
import type { LedgerModel, TransactionModel } from "../../src/stellar/model.ts";
import { NETWORK_PASSPHRASES } from "../../src/stellar/network.ts";
import { transactionMetaParts } from "../../src/stellar/sdk/wire-meta.ts";
import { TransactionEventContext } from "../../src/ttp/event-context.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";
import { transactionEvents } from "../../src/ttp/ledger-events.ts";
import { hasUnifiedFeeEvents } from "../../src/ttp/unified.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

const sac = SacAddressBook.forPassphrase(NETWORK_PASSPHRASES.pubnet);
const XLM_SAC = "CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA";
const USDC = "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN";

async function contextOf(name: string, protocolVersion = 23): Promise<TransactionEventContext> {
  const base64 = (await Bun.file(lakePath(`txmeta-v4/${name}.b64`)).text()).trim();
  const parts = transactionMetaParts(xdr.TransactionMeta.schema.decode(Buffer.from(base64, "base64")));
  const tx: TransactionModel = {
    index: 1,
    hash: "00".repeat(32),
    successful: true,
    feeCharged: 0n,
    feeAccount: "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7",
    sourceAccount: "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7",
    sequenceNumber: 1n,
    memo: { type: "none" },
    isFeeBump: false,
    isSoroban: true,
    metaVersion: parts.metaVersion,
    operations: parts.operations.map((op, index) => ({
      index,
      source: null,
      body: { type: "other", name: "unknown" },
      result: { successful: true, offersClaimed: [], destAmount: null, sourceAccountBalance: null, balanceId: null, inflationPayouts: [] },
      changes: op.changes,
      events: op.events,
    })),
    feeChanges: [],
    txChangesBefore: parts.txChangesBefore,
    txChangesAfter: parts.txChangesAfter,
    postTxApplyFeeChanges: [],
    transactionEvents: parts.transactionEvents,
  };
  const ledger: LedgerModel = { sequence: 60_000_000, hash: "", previousHash: "", closedAt: 0, protocolVersion, metaVersion: 2, transactions: [tx] };
  return new TransactionEventContext(ledger, tx, sac);
}

const brief = (e: TtpEvent) => [e.eventType, e.from?.slice(0, 6) ?? null, e.to?.slice(0, 6) ?? null, e.asset?.split(":")[0] ?? null, e.amount];

describe("TransactionMeta v4 blobs of mainnet", () => {
  test("path_payment: fee, then transfers through three liquidity pools and an offer (L addresses)", async () => {
    const events = transactionEvents(await contextOf("path_payment"), "unified");
    expect(brief(events.fee)).toEqual(["fee", "GBOK6V", null, "native", 100n]);
    expect(events.refund).toBeNull();
    expect(events.operations.map(brief)).toEqual([
      ["transfer", "GBOMCO", "LA2JEL", "yXLM", 1181030n],
      ["transfer", "LA2JEL", "GBOMCO", "XTROOP", 428489993n],
      ["transfer", "GBOMCO", "LA6FIZ", "XTROOP", 428489993n],
      ["transfer", "LA6FIZ", "GBOMCO", "AFRX", 21667n],
      ["transfer", "GBOMCO", "LCSP2W", "AFRX", 21667n],
      ["transfer", "LCSP2W", "GBOMCO", "AFR", 343542318n],
      ["transfer", "GBOMCO", "GA62O6", "AFR", 343542318n],
      ["transfer", "GA62O6", "GBOMCO", "native", 1189541n],
      ["transfer", "GBOMCO", "GBOMCO", "native", 1189541n],
    ]);
    // Every one is a Stellar Asset Contract event: its address is the SAC of its asset.
    for (const e of events.operations) expect(e.contractAddress).toBe(sac.addressOf(e.asset === "native" ? { type: "native" } : { type: "credit", code: e.asset!.split(":")[0]!, issuer: e.asset!.split(":")[1]! }));
    expect(events.operations.every((e) => e.operationIndex === 1)).toBe(true);
  });

  test("tx_0a120260: a SAC transfer from a contract, the fee charge and its refund (negative)", async () => {
    const events = transactionEvents(await contextOf("tx_0a120260_meta_v4"), "unified");
    expect(brief(events.fee)).toEqual(["fee", "GA2JRQ", null, "native", 36167n]);
    expect(brief(events.refund!)).toEqual(["fee", "GA2JRQ", null, "native", -10247n]);
    expect(events.operations.map(brief)).toEqual([["transfer", "CCZ4DZ", "GDXWIA", "KALE", 1000000n]]);
    expect(events.operations[0]!.asset).toBe("KALE:GBDVX4VELCDSQ54KQJYTNHXAHFLBCA77ZY2USQBM4CSHTTV7DME7KALE");
  });

  test("bespoke_swap: USDC moves, a custom token's 3-topic mint keeps a NULL asset, vault events are skipped", async () => {
    const events = transactionEvents(await contextOf("bespoke_swap"), "unified");
    expect(brief(events.fee)).toEqual(["fee", "GDJLH2", null, "native", 368487n]);
    expect(brief(events.refund!)).toEqual(["fee", "GDJLH2", null, "native", -48800n]);
    expect(events.operations.map(brief)).toEqual([
      ["transfer", "GAAXRL", "CCA2ZJ", "USDC", 5000000n],
      // This token mints with a V3-style [mint, admin, to]; in a v4 meta the reference reads topics[1] as `to`.
      ["mint", null, "CCA2ZJ", null, 4685128n],
      ["transfer", "CCA2ZJ", "CDB2WM", "USDC", 5000000n],
      ["transfer", "CDB2WM", "CAJJZS", "USDC", 5000000n],
    ]);
    const mint = events.operations[1]!;
    expect(mint.contractAddress.startsWith("CCA2ZJ")).toBe(true);
    expect(events.operations.filter((e) => e.asset === USDC)).toHaveLength(3);
  });

  test("amm_swap_sac: USDC in, XLM out of the pool contract; trade and update_reserves are not token events", async () => {
    const events = transactionEvents(await contextOf("amm_swap_sac"), "unified");
    expect(brief(events.fee)).toEqual(["fee", "GCGPYY", null, "native", 164163n]);
    expect(brief(events.refund!)).toEqual(["fee", "GCGPYY", null, "native", -116883n]);
    expect(events.operations.map(brief)).toEqual([
      ["transfer", "GCGPYY", "CA6PUJ", "USDC", 924000001n],
      ["transfer", "CA6PUJ", "GCGPYY", "native", 5001793319n],
    ]);
    expect(events.operations[1]!.contractAddress).toBe(XLM_SAC);
  });

  for (const name of ["create_account", "account_merge", "claimable_balance", "soroban_mint", "failed_tx"]) {
    test(`${name}: captured without classic events, it carries no CAP-67 events`, async () => {
      const ctx = await contextOf(name);
      expect(hasUnifiedFeeEvents(ctx)).toBe(false);
      expect(() => transactionEvents(ctx, "unified")).toThrow(/expected one or two fee events, found 0/);
    });
  }
});
