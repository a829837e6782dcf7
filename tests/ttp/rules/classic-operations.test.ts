// Classic rules the shared ledgers lack in some variant: claimable balances and clawbacks, inflation,
// fee bumps, failed transactions, destination muxed info and memos.
import { describe, expect, test } from "bun:test";
import { encodeClaimableBalanceId } from "../../../src/stellar/strkey.ts";
import { LedgerBuilder, balanceId, created, idOf, muxedAccount, publicKey, removed, updated, asset } from "../../support/ledger-builder.ts";
import { ALICE, BOB, BOB_MUXED, ISSUER, USDC, brief, eventsOf, mismatchOf, USDC_SAC, XLM_SAC } from "./support.ts";

const CB_ID = idOf("a claimable balance");
const CB = encodeClaimableBalanceId(CB_ID);

describe("claimable balances and clawbacks", () => {
  test("create sends to the B... id; claim comes from it with the amount and asset of the removed entry", async () => {
    const entries = await LedgerBuilder.entries();
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({
        source: ALICE,
        operations: [
          {
            body: { type: 14, createClaimableBalanceOp: { asset: asset(USDC), amount: 700n, claimants: [] } },
            result: { type: 14, createClaimableBalanceResult: { code: 0, balanceId: balanceId(CB_ID) } },
            changes: created(entries.claimableBalance(CB_ID, USDC, 700n)),
          },
          {
            source: BOB,
            body: { type: 15, claimClaimableBalanceOp: { balanceId: balanceId(CB_ID) } },
            result: { type: 15, claimClaimableBalanceResult: { code: 0 } },
            changes: removed(entries.claimableBalance(CB_ID, USDC, 700n)),
          },
        ],
      })
      .build();
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([
      ["transfer", ALICE, CB, USDC, 700n, 1],
      ["transfer", CB, BOB, USDC, 700n, 2],
    ]);
  });

  test("clawback takes from the named account (not the source); clawback of a claimable balance from its id", async () => {
    const entries = await LedgerBuilder.entries();
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({
        source: ISSUER,
        operations: [
          {
            body: { type: 19, clawbackOp: { asset: asset(USDC), from: muxedAccount(BOB_MUXED), amount: 55n } },
            result: { type: 19, clawbackResult: { code: 0 } },
            changes: updated(entries.trustline(BOB, USDC, 100n), entries.trustline(BOB, USDC, 45n)),
          },
          {
            body: { type: 20, clawbackClaimableBalanceOp: { balanceId: balanceId(CB_ID) } },
            result: { type: 20, clawbackClaimableBalanceResult: { code: 0 } },
            changes: removed(entries.claimableBalance(CB_ID, USDC, 9n)),
          },
        ],
        feeCharged: 200n,
        feeChanges: updated(entries.account(ISSUER, 1000n), entries.account(ISSUER, 800n)),
      })
      .build();
    const events = eventsOf(ledger);
    expect(brief(events)).toEqual([
      ["fee", ISSUER, null, "native", 200n, null],
      ["clawback", BOB, null, USDC, 55n, 1],
      ["clawback", CB, null, USDC, 9n, 2],
    ]);
    expect(events.map((e) => e.contractAddress)).toEqual([XLM_SAC, USDC_SAC, USDC_SAC]);
    expect(mismatchOf(ledger)).toBeNull();
  });

  test("claiming without a removed claimable balance in the changes is an error, not a silent skip", async () => {
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({ source: BOB, operations: [{ body: { type: 15, claimClaimableBalanceOp: { balanceId: balanceId(CB_ID) } }, result: { type: 15, claimClaimableBalanceResult: { code: 0 } } }] })
      .build();
    expect(() => eventsOf(ledger)).toThrow(/expected exactly one claimable balance removed by claimClaimableBalance, found 0 \(ledger 1000, tx [0-9a-f]{64}, operation 1\)/);
  });
});

describe("inflation", () => {
  test("every payout is a mint of lumens", async () => {
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 10 }))
      .add({
        source: ALICE,
        operations: [{ body: { type: 9 }, result: { type: 9, inflationResult: { code: 0, payouts: [{ destination: publicKey(BOB), amount: 123n }, { destination: publicKey(ISSUER), amount: 456n }] } } }],
      })
      .build();
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([
      ["mint", null, BOB, "native", 123n, 1],
      ["mint", null, ISSUER, "native", 456n, 1],
    ]);
  });
});

describe("fees", () => {
  test("a fee bump's fee is paid by the outer fee source; its operations act for the inner source", async () => {
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({
        source: ALICE,
        feeSource: BOB_MUXED,
        feeCharged: 300n,
        operations: [{ body: { type: 1, paymentOp: { destination: muxedAccount(ISSUER), asset: asset("native"), amount: 5n } }, result: { type: 1, paymentResult: { code: 0 } } }],
      })
      .build();
    expect(brief(eventsOf(ledger))).toEqual([
      ["fee", BOB, null, "native", 300n, null],
      ["transfer", ALICE, ISSUER, "native", 5n, 1],
    ]);
  });

  test("a failed transaction (fee-bumped or not) gives its fee event only", async () => {
    const payment = { body: { type: 1, paymentOp: { destination: muxedAccount(BOB), asset: asset("native"), amount: 5n } }, result: { type: 1, paymentResult: { code: 0 } } } as const;
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({ source: ALICE, failed: true, operations: [payment] })
      .add({ source: ALICE, sequence: 9n, feeSource: ISSUER, failed: true, operations: [payment] })
      .build();
    expect(brief(eventsOf(ledger))).toEqual([
      ["fee", ALICE, null, "native", 100n, null],
      ["fee", ISSUER, null, "native", 100n, null],
    ]);
  });
});

describe("destination muxed info (CAP-67)", () => {
  const payTo = (destination: string) =>
    ({ body: { type: 1, paymentOp: { destination: muxedAccount(destination), asset: asset("native"), amount: 1n } }, result: { type: 1, paymentResult: { code: 0 } } }) as const;

  test("an M destination gives its id; otherwise the memo: id, text, hash and return hash", async () => {
    const hash = idOf("memo");
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({ source: ALICE, sequence: 1n, memo: { type: 2, id: 42n }, operations: [payTo(BOB_MUXED)] })
      .add({ source: ALICE, sequence: 2n, memo: { type: 2, id: 42n }, operations: [payTo(BOB)] })
      .add({ source: ALICE, sequence: 3n, memo: { type: 1, text: new (await import("@stellar/stellar-sdk")).xdr.XdrString("hello") }, operations: [payTo(BOB)] })
      .add({ source: ALICE, sequence: 4n, memo: { type: 3, hash }, operations: [payTo(BOB)] })
      .add({ source: ALICE, sequence: 5n, memo: { type: 4, retHash: hash }, operations: [payTo(BOB)] })
      .add({ source: ALICE, sequence: 6n, operations: [payTo(BOB)] })
      .build();
    const transfers = eventsOf(ledger).filter((e) => e.eventType === "transfer");
    expect(transfers.map((e) => e.to)).toEqual([BOB, BOB, BOB, BOB, BOB, BOB]);
    expect(transfers.map((e) => [e.toMuxedType, e.toMuxedValue])).toEqual([
      ["id", "0"],
      ["id", "42"],
      ["text", "hello"],
      ["hash", Buffer.from(hash).toString("hex")],
      ["hash", Buffer.from(hash).toString("hex")],
      [null, null],
    ]);
  });

  test("a burn (to the issuer) carries no destination info, even with a memo", async () => {
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({
        source: ALICE,
        memo: { type: 2, id: 7n },
        operations: [{ body: { type: 1, paymentOp: { destination: muxedAccount(ISSUER), asset: asset(USDC), amount: 3n } }, result: { type: 1, paymentResult: { code: 0 } } }],
      })
      .build();
    const [, burn] = eventsOf(ledger);
    expect([burn!.eventType, burn!.from, burn!.to, burn!.toMuxedType]).toEqual(["burn", ALICE, null, null]);
  });

  test("an issuer paying itself is a transfer, not a mint or burn", async () => {
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({ source: ISSUER, operations: [{ body: { type: 1, paymentOp: { destination: muxedAccount(ISSUER), asset: asset(USDC), amount: 3n } }, result: { type: 1, paymentResult: { code: 0 } } }] })
      .build();
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([["transfer", ISSUER, ISSUER, USDC, 3n, 1]]);
  });
});

describe("operations that move nothing", () => {
  test("change_trust, manage_data, bump_sequence, end_sponsoring and an offer that crossed nothing give no events and no error", async () => {
    const { xdr } = await import("@stellar/stellar-sdk");
    const ledger = (await LedgerBuilder.create({ version: 0, protocol: 19 }))
      .add({
        source: ALICE,
        operations: [
          { body: { type: 6, changeTrustOp: { line: asset(USDC) as never, limit: 1000n } }, result: { type: 6, changeTrustResult: { code: 0 } } },
          { body: { type: 10, manageDataOp: { dataName: new xdr.XdrString("k"), dataValue: null } }, result: { type: 10, manageDataResult: { code: 0 } } },
          { body: { type: 11, bumpSequenceOp: { bumpTo: 99n } }, result: { type: 11, bumpSeqResult: { code: 0 } } },
          { body: { type: 17 }, result: { type: 17, endSponsoringFutureReservesResult: { code: 0 } } },
          {
            body: { type: 3, manageSellOfferOp: { selling: asset("native"), buying: asset(USDC), amount: 10n, price: { n: 1, d: 1 }, offerId: 0n } },
            result: { type: 3, manageSellOfferResult: { code: 0, success: { offersClaimed: [], offer: { effect: 2 } } } },
          },
        ],
      })
      .build();
    expect(brief(eventsOf(ledger))).toEqual([["fee", ALICE, null, "native", 100n, null]]);
  });
});
