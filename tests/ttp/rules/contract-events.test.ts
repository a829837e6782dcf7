// SEP-41 token events of Soroban transactions in both layouts (TransactionMeta v3 before protocol 23,
// v4 from it), Stellar Asset Contract detection, custom tokens, malformed events, and Soroban fees
// with their refunds in each protocol's order.
import { describe, expect, test } from "bun:test";
import { LedgerBuilder, address, bytes, contractEvent, i128, idOf, map, str, sym, u64, updated } from "../../support/ledger-builder.ts";
import { ALICE, BOB, BOB_MUXED, ISSUER, USDC, USDC_SAC, XLM_SAC, brief, eventsOf, mismatchOf } from "./support.ts";
import { encodeContractId } from "../../../src/stellar/strkey.ts";

const TOKEN = encodeContractId(idOf("a custom token"));
const POOL_CONTRACT = encodeContractId(idOf("an AMM"));
const invoke = { type: 24, invokeHostFunctionResult: { code: 0, success: new Uint8Array(32) } } as const;

async function sorobanLedger(version: 1 | 2, protocol: number, events: ReturnType<typeof contractEvent>[], extra: Partial<Parameters<LedgerBuilder["add"]>[0]> = {}) {
  const builder = await LedgerBuilder.create({ version, protocol });
  return builder.add({ source: ALICE, soroban: true, operations: [{ body: builder.hostFunction, result: invoke, events }], ...extra }).build();
}

describe("contract events before protocol 23 (TransactionMeta v3 layout)", () => {
  test("SAC transfer, V3 mint [mint, admin, to, asset], burn and clawback [clawback, admin, from, asset]", async () => {
    const ledger = await sorobanLedger(1, 21, [
      contractEvent(USDC_SAC, [sym("transfer"), address(ALICE), address(BOB), str(USDC)], i128(10n)),
      contractEvent(USDC_SAC, [sym("mint"), address(ISSUER), address(BOB), str(USDC)], i128(20n)),
      contractEvent(USDC_SAC, [sym("burn"), address(BOB), str(USDC)], i128(30n)),
      contractEvent(USDC_SAC, [sym("clawback"), address(ISSUER), address(BOB), str(USDC)], i128(40n)),
    ]);
    const events = eventsOf(ledger).slice(1);
    expect(brief(events)).toEqual([
      ["transfer", ALICE, BOB, USDC, 10n, 1],
      ["mint", null, BOB, USDC, 20n, 1],
      ["burn", BOB, null, USDC, 30n, 1],
      ["clawback", BOB, null, USDC, 40n, 1],
    ]);
    expect(events.every((e) => e.contractAddress === USDC_SAC)).toBe(true);
    // No destination info for Soroban transactions before protocol 23.
    expect(events.every((e) => e.toMuxedType === null)).toBe(true);
  });

  test("SAC transfers from or to the issuer were how mints and burns looked before CAP-67", async () => {
    const ledger = await sorobanLedger(1, 21, [
      contractEvent(USDC_SAC, [sym("transfer"), address(ISSUER), address(BOB), str(USDC)], i128(5n)),
      contractEvent(USDC_SAC, [sym("transfer"), address(BOB), address(ISSUER), str(USDC)], i128(6n)),
    ]);
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([
      ["mint", null, BOB, USDC, 5n, 1],
      ["burn", BOB, null, USDC, 6n, 1],
    ]);
  });

  test("a custom token keeps a NULL asset and its own address; an asset topic that is not its SAC is not trusted", async () => {
    const ledger = await sorobanLedger(1, 21, [
      contractEvent(TOKEN, [sym("transfer"), address(ALICE), address(POOL_CONTRACT)], i128(2n ** 100n)),
      contractEvent(TOKEN, [sym("transfer"), address(ALICE), address(BOB), str(USDC)], i128(7n)),
    ]);
    const events = eventsOf(ledger).slice(1);
    expect(brief(events)).toEqual([
      ["transfer", ALICE, POOL_CONTRACT, null, 2n ** 100n, 1],
      ["transfer", ALICE, BOB, null, 7n, 1],
    ]);
    expect(events.map((e) => e.contractAddress)).toEqual([TOKEN, TOKEN]);
  });

  test("malformed or foreign events are skipped, never fatal", async () => {
    const ledger = await sorobanLedger(1, 21, [
      contractEvent(TOKEN, [sym("transfer"), address(ALICE)], i128(1n)), // too few topics
      contractEvent(TOKEN, [sym("transfer"), address(ALICE), address(BOB)], u64(1n)), // amount not i128
      contractEvent(TOKEN, [str("transfer"), address(ALICE), address(BOB)], i128(1n)), // name not a symbol
      contractEvent(TOKEN, [sym("mint"), str("admin"), address(BOB)], i128(1n)), // admin not an address
      contractEvent(TOKEN, [sym("swap"), address(ALICE), address(BOB)], i128(1n)), // not a token event
      contractEvent(TOKEN, [sym("burn"), address(ALICE)], i128(3n)), // fine
    ]);
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([["burn", ALICE, null, null, 3n, 1]]);
  });

  test("fee: the charge from the fee account's balance drop, the refund from txChangesAfter, right after the transaction's events", async () => {
    const entries = await LedgerBuilder.entries();
    const builder = await LedgerBuilder.create({ version: 1, protocol: 22 });
    const tx = (source: string, refund: bigint) => ({
      source,
      soroban: true,
      feeCharged: 5000n - refund,
      feeChanges: updated(entries.account(source, 100_000n), entries.account(source, 95_000n)),
      txChangesAfter: refund > 0n ? updated(entries.account(source, 95_000n), entries.account(source, 95_000n + refund)) : [],
      operations: [{ body: builder.hostFunction, result: invoke, events: [contractEvent(XLM_SAC, [sym("transfer"), address(source), address(BOB), str("native")], i128(1n))] }],
    });
    const ledger = builder.add(tx(ALICE, 1200n)).add({ ...tx(ISSUER, 0n), sequence: 5n }).build();
    expect(brief(eventsOf(ledger))).toEqual([
      ["fee", ALICE, null, "native", 5000n, null],
      ["fee", ISSUER, null, "native", 5000n, null],
      ["transfer", ALICE, BOB, "native", 1n, 1],
      ["fee", ALICE, null, "native", -1200n, null],
      ["transfer", ISSUER, BOB, "native", 1n, 1],
    ]);
  });
});

describe("contract events from protocol 23 (TransactionMeta v4 layout)", () => {
  test("mint [mint, to, asset] and clawback [clawback, from, asset] lose the admin; data may be a map with to_muxed_id", async () => {
    const hash = idOf("memo hash");
    const ledger = await sorobanLedger(2, 23, [
      contractEvent(USDC_SAC, [sym("mint"), address(BOB), str(USDC)], i128(1n)),
      contractEvent(USDC_SAC, [sym("clawback"), address(BOB), str(USDC)], i128(2n)),
      contractEvent(USDC_SAC, [sym("transfer"), address(ALICE), address(BOB), str(USDC)], map([[sym("amount"), i128(3n)], [sym("to_muxed_id"), u64(99n)]])),
      contractEvent(USDC_SAC, [sym("transfer"), address(ALICE), address(BOB), str(USDC)], map([[sym("amount"), i128(4n)], [sym("to_muxed_id"), str("memo text")]])),
      contractEvent(USDC_SAC, [sym("transfer"), address(ALICE), address(BOB), str(USDC)], map([[sym("amount"), i128(5n)], [sym("to_muxed_id"), bytes(hash)]])),
      contractEvent(USDC_SAC, [sym("transfer"), address(ALICE), address(BOB_MUXED), str(USDC)], i128(6n)),
    ]);
    const events = eventsOf(ledger).slice(1);
    expect(brief(events)).toEqual([
      ["mint", null, BOB, USDC, 1n, 1],
      ["clawback", BOB, null, USDC, 2n, 1],
      ["transfer", ALICE, BOB, USDC, 3n, 1],
      ["transfer", ALICE, BOB, USDC, 4n, 1],
      ["transfer", ALICE, BOB, USDC, 5n, 1],
      ["transfer", ALICE, BOB_MUXED, USDC, 6n, 1],
    ]);
    expect(events.map((e) => [e.toMuxedType, e.toMuxedValue])).toEqual([
      [null, null],
      [null, null],
      ["id", "99"],
      ["text", "memo text"],
      ["hash", Buffer.from(hash).toString("hex")],
      [null, null],
    ]);
  });

  test("V4 SAC transfers from the issuer stay transfers (CAP-67 emits mint and burn itself)", async () => {
    const ledger = await sorobanLedger(2, 23, [contractEvent(USDC_SAC, [sym("transfer"), address(ISSUER), address(BOB), str(USDC)], i128(5n))]);
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([["transfer", ISSUER, BOB, USDC, 5n, 1]]);
  });

  test("a data map without an amount, or with a non-symbol key or unknown to_muxed_id type, is skipped", async () => {
    const ledger = await sorobanLedger(2, 23, [
      contractEvent(TOKEN, [sym("transfer"), address(ALICE), address(BOB)], map([[sym("to_muxed_id"), u64(1n)]])),
      contractEvent(TOKEN, [sym("transfer"), address(ALICE), address(BOB)], map([[str("amount"), i128(1n)]])),
      contractEvent(TOKEN, [sym("transfer"), address(ALICE), address(BOB)], map([[sym("amount"), i128(1n)], [sym("to_muxed_id"), i128(1n)]])),
      contractEvent(TOKEN, [sym("mint"), address(BOB)], map([[sym("amount"), i128(8n)]])),
    ]);
    expect(brief(eventsOf(ledger)).slice(1)).toEqual([["mint", null, BOB, null, 8n, 1]]);
  });

  test("derived fees: refunds from postTxApplyFeeProcessing, all after every operation event", async () => {
    const entries = await LedgerBuilder.entries();
    const builder = await LedgerBuilder.create({ version: 2, protocol: 23 });
    const tx = (source: string, sequence: bigint) => ({
      source,
      sequence,
      soroban: true,
      feeChanges: updated(entries.account(source, 100_000n), entries.account(source, 90_000n)),
      postTxApplyFeeChanges: updated(entries.account(source, 90_000n), entries.account(source, 93_000n)),
      operations: [
        {
          body: builder.hostFunction,
          result: invoke,
          events: [contractEvent(XLM_SAC, [sym("transfer"), address(source), address(BOB), str("native")], i128(1n))],
          changes: [...updated(entries.account(source, 90_000n), entries.account(source, 89_999n)), ...updated(entries.account(BOB, 0n), entries.account(BOB, 1n))],
        },
      ],
    });
    const ledger = builder.add(tx(ALICE, 1n)).add(tx(ISSUER, 2n)).build();
    expect(brief(eventsOf(ledger))).toEqual([
      ["fee", ALICE, null, "native", 10_000n, null],
      ["fee", ISSUER, null, "native", 10_000n, null],
      ["transfer", ALICE, BOB, "native", 1n, 1],
      ["transfer", ISSUER, BOB, "native", 1n, 1],
      ["fee", ALICE, null, "native", -3000n, null],
      ["fee", ISSUER, null, "native", -3000n, null],
    ]);
    expect(mismatchOf(ledger)).toBeNull();
  });

  test("unified fee events: charge and refund read from the transaction events; auto mode uses them", async () => {
    const builder = await LedgerBuilder.create({ version: 2, protocol: 23 });
    const ledger = builder
      .add({
        source: ALICE,
        soroban: true,
        transactionEvents: [contractEvent(XLM_SAC, [sym("fee"), address(ALICE)], i128(700n)), contractEvent(XLM_SAC, [sym("fee"), address(ALICE)], i128(-300n))],
        operations: [{ body: builder.hostFunction, result: invoke, events: [] }],
      })
      .build();
    for (const mode of ["unified", "auto"] as const) {
      expect(brief(eventsOf(ledger, mode))).toEqual([
        ["fee", ALICE, null, "native", 700n, null],
        ["fee", ALICE, null, "native", -300n, null],
      ]);
    }
  });

  test("a fee event not from the native SAC is refused in unified mode", async () => {
    const builder = await LedgerBuilder.create({ version: 2, protocol: 23 });
    const ledger = builder
      .add({ source: ALICE, soroban: true, transactionEvents: [contractEvent(USDC_SAC, [sym("fee"), address(ALICE)], i128(700n))], operations: [{ body: builder.hostFunction, result: invoke, events: [] }] })
      .build();
    expect(() => eventsOf(ledger, "unified")).toThrow(/fee event not emitted by the native asset contract/);
  });
});
