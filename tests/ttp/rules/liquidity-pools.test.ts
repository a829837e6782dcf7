// Liquidity pool deposits and withdrawals, and revocations that pull pool shares into claimable
// balances (CAP-38): none of these is in the shared ledgers with every variant, so they are hand-built.
import { describe, expect, test } from "bun:test";
import { encodeClaimableBalanceId, encodeLiquidityPoolId } from "../../../src/stellar/strkey.ts";
import { revocationBalanceId } from "../../../src/ttp/classic/liquidity-pools.ts";
import { decodeStrkey } from "../../../src/stellar/strkey.ts";
import { LedgerBuilder, created, idOf, updated, publicKey, asset } from "../../support/ledger-builder.ts";
import { ALICE, BOB, BOB_MUXED, ISSUER, USDC, USDC_ASSET, brief, eventsOf, mismatchOf } from "./support.ts";

const POOL_ID = idOf("pool native/USDC");
const POOL = encodeLiquidityPoolId(POOL_ID);
const price = { n: 1, d: 1 };

async function poolLedger(options: {
  body: "deposit" | "withdraw";
  source: string;
  reserves: [bigint, bigint, bigint, bigint];
  balances?: boolean;
}) {
  const entries = await LedgerBuilder.entries();
  const builder = await LedgerBuilder.create({ version: 1, protocol: 20 });
  const [preA, preB, postA, postB] = options.reserves;
  const changes = [...updated(entries.liquidityPool(POOL_ID, "native", USDC, preA, preB), entries.liquidityPool(POOL_ID, "native", USDC, postA, postB))];
  if (options.balances) {
    // What the pool gains, the source loses (and the other way round for a withdrawal).
    changes.push(...updated(entries.account(options.source, 1_000_000n), entries.account(options.source, 1_000_000n - (postA - preA))));
    changes.push(...updated(entries.trustline(options.source, USDC, 500_000n), entries.trustline(options.source, USDC, 500_000n - (postB - preB))));
  }
  const body =
    options.body === "deposit"
      ? ({ type: 22, liquidityPoolDepositOp: { liquidityPoolId: POOL_ID, maxAmountA: 10n ** 9n, maxAmountB: 10n ** 9n, minPrice: price, maxPrice: price } } as const)
      : ({ type: 23, liquidityPoolWithdrawOp: { liquidityPoolId: POOL_ID, amount: 10n, minAmountA: 0n, minAmountB: 0n } } as const);
  const result =
    options.body === "deposit" ? ({ type: 22, liquidityPoolDepositResult: { code: 0 } } as const) : ({ type: 23, liquidityPoolWithdrawResult: { code: 0 } } as const);
  const feeChanges = updated(entries.account(options.source, 5000n), entries.account(options.source, 4900n));
  return builder.add({ source: options.source, feeCharged: 100n, feeChanges, operations: [{ body, result, changes }] }).build();
}

describe("liquidity pool deposit and withdraw", () => {
  test("a deposit moves both assets from the depositor to the pool (L address), amounts from the reserves", async () => {
    const ledger = await poolLedger({ body: "deposit", source: ALICE, reserves: [1000n, 2000n, 1100n, 2200n], balances: true });
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([
      ["transfer", ALICE, POOL, "native", 100n, 1],
      ["transfer", ALICE, POOL, USDC, 200n, 1],
    ]);
    expect(mismatchOf(ledger)).toBeNull();
  });

  test("a withdrawal moves both assets from the pool to the withdrawer, with the muxed id of an M source", async () => {
    const ledger = await poolLedger({ body: "withdraw", source: BOB_MUXED, reserves: [1100n, 2200n, 1000n, 2000n], balances: true });
    expect(mismatchOf(ledger)).toBeNull();
    const events = eventsOf(ledger).slice(1);
    expect(brief(events)).toEqual([
      ["transfer", POOL, BOB, "native", 100n, 1],
      ["transfer", POOL, BOB, USDC, 200n, 1],
    ]);
    expect(events.map((e) => [e.toMuxedType, e.toMuxedValue])).toEqual([["id", "0"], ["id", "0"]]);
  });

  test("a withdrawal rounded to nothing for one asset still reports both", async () => {
    const ledger = await poolLedger({ body: "withdraw", source: BOB, reserves: [1100n, 2200n, 1100n, 2199n] });
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([
      ["transfer", POOL, BOB, "native", 0n, 1],
      ["transfer", POOL, BOB, USDC, 1n, 1],
    ]);
  });

  test("the issuer depositing its own asset mints it into the pool", async () => {
    const ledger = await poolLedger({ body: "deposit", source: ISSUER, reserves: [0n, 0n, 50n, 70n] });
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([
      ["transfer", ISSUER, POOL, "native", 50n, 1],
      ["mint", null, POOL, USDC, 70n, 1],
    ]);
  });

  test("a deposit that moved nothing is an error naming ledger, transaction and operation", async () => {
    const ledger = await poolLedger({ body: "deposit", source: ALICE, reserves: [10n, 10n, 10n, 20n] });
    expect(() => eventsOf(ledger)).toThrow(/deposit moved a non-positive amount .*\(ledger 1000, tx [0-9a-f]{64}, operation 1\)/);
  });
});

describe("trust-line revocation out of a liquidity pool (CAP-38)", () => {
  const TRUSTOR = BOB;
  const SEQUENCE = 77n;

  async function revocation(cbAssets: string[], opType: "setTrustLineFlags" | "allowTrust" = "setTrustLineFlags") {
    const entries = await LedgerBuilder.entries();
    const builder = await LedgerBuilder.create({ version: 0, protocol: 18 });
    const changes = [...updated(entries.liquidityPool(POOL_ID, "native", USDC, 1000n, 3000n), entries.liquidityPool(POOL_ID, "native", USDC, 600n, 1800n))];
    for (const assetText of cbAssets) {
      const assetModel = assetText === "native" ? ({ type: "native" } as const) : USDC_ASSET;
      const id = revocationBalanceId(ISSUER, SEQUENCE, 0, POOL, assetModel);
      changes.push(...created(entries.claimableBalance(decodeStrkey(id).payload.subarray(1), assetText, assetText === "native" ? 400n : 1200n)));
    }
    const body =
      opType === "setTrustLineFlags"
        ? ({ type: 21, setTrustLineFlagsOp: { trustor: publicKey(TRUSTOR), asset: asset(USDC), clearFlags: 1, setFlags: 0 } } as const)
        : ({ type: 7, allowTrustOp: { trustor: publicKey(TRUSTOR), asset: { type: 1, assetCode4: new Uint8Array([85, 83, 68, 67]) }, authorize: 0 } } as const);
    const result =
      opType === "setTrustLineFlags" ? ({ type: 21, setTrustLineFlagsResult: { code: 0 } } as const) : ({ type: 7, allowTrustResult: { code: 0 } } as const);
    return builder.add({ source: ISSUER, sequence: SEQUENCE, operations: [{ body, result, changes }] }).build();
  }

  const cb = (assetText: string) =>
    revocationBalanceId(ISSUER, SEQUENCE, 0, POOL, assetText === "native" ? { type: "native" } : USDC_ASSET);

  test("two claimable balances: a transfer from the pool to each", async () => {
    expect(brief(eventsOf(await revocation(["native", USDC]))).slice(1)).toEqual([
      ["transfer", POOL, cb("native"), "native", 400n, 1],
      ["transfer", POOL, cb(USDC), USDC, 1200n, 1],
    ]);
  });

  test("one claimable balance: a transfer to it, and a burn of the other asset (it went back to its issuer)", async () => {
    expect(brief(eventsOf(await revocation(["native"]))).slice(1)).toEqual([
      ["transfer", POOL, cb("native"), "native", 400n, 1],
      ["burn", POOL, null, USDC, 1200n, 1],
    ]);
    expect(brief(eventsOf(await revocation([USDC]))).slice(1)).toEqual([
      ["transfer", POOL, cb(USDC), USDC, 1200n, 1],
      ["burn", POOL, null, "native", 400n, 1],
    ]);
  });

  test("no claimable balance created: no events", async () => {
    expect(brief(eventsOf(await revocation([]))).slice(1)).toEqual([]);
  });

  test("allow_trust revocations follow the same rule", async () => {
    expect(brief(eventsOf(await revocation(["native", USDC], "allowTrust"))).slice(1)).toHaveLength(2);
  });

  test("the balance ids are CAP-38's: sha256 of the pool-revoke preimage, as B strkeys", () => {
    expect(cb("native")).toMatch(/^B[A-Z2-7]{57}$/);
    expect(cb("native")).not.toBe(cb(USDC));
    expect(encodeClaimableBalanceId(decodeStrkey(cb(USDC)).payload.subarray(1))).toBe(cb(USDC));
  });
});

describe("revocation on pubnet", () => {
  test("56065483: one set_trust_line_flags empties two pools into four claimable balances whose CAP-38 ids match", async () => {
    const { loadLedgers } = await import("../../support/ledger-models.ts");
    const { ledgerEvents } = await import("../../../src/ttp/ledger-events.ts");
    const { ledgers, sac } = await loadLedgers("pubnet", 56065483);
    const revocations = ledgerEvents(ledgers[0]!, sac, "classic").filter((e) => e.txHash.startsWith("78d42855") && e.operationIndex === 3);
    expect(revocations).toHaveLength(4);
    expect(revocations.every((e) => e.eventType === "transfer" && e.from!.startsWith("L") && e.to!.startsWith("B"))).toBe(true);
    expect(new Set(revocations.map((e) => e.from)).size).toBe(2);
  });
});
