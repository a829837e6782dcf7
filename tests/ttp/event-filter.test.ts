import { describe, expect, test } from "bun:test";
import { eventPredicate, FilterError, operationTypeName } from "../../src/ttp/event-filter.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { SdkLedgerDecoder } from "../../src/stellar/sdk/sdk-ledger-decoder.ts";
import { openFolderLake } from "../../src/source/datalake/open-folder-lake.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

const G1 = "GAO3YAJGBZYFUAWJHKPOKHZQTPWSK5BA3WDVYIQOHHHVKNR2CNPNB36Z";
const G2 = "GARAR5QR7WRL24MQMSO4INWV7C5SE4EE2YVXTLD6ORONYFHSUAGZYSLN";
const M2 = "MARAR5QR7WRL24MQMSO4INWV7C5SE4EE2YVXTLD6ORONYFHSUAGZYAAAAAAAAAAAAA566";
const XLM_SAC = "CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA";
const USDC = "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN";

const event = (fields: Partial<TtpEvent>): TtpEvent => ({
  ledgerSequence: 1, closedAt: 0, txHash: "00", transactionIndex: 1, operationIndex: 1, eventType: "transfer",
  from: G1, to: G2, asset: "native", amount: 5n, contractAddress: XLM_SAC, toMuxedType: null, toMuxedValue: null, ...fields,
});

describe("event filters", () => {
  test("no filter given: no predicate", () => {
    expect(eventPredicate({})).toBeNull();
  });

  test("every filter must match; lists are alternatives", () => {
    const keep = eventPredicate({ eventTypes: ["transfer", "mint"], assets: ["native"], accounts: [M2], operationTypes: ["payment"] })!;
    expect(keep(event({}), "payment")).toBe(true);
    expect(keep(event({ eventType: "burn", to: null, from: G2 }), "payment")).toBe(false);
    expect(keep(event({ asset: USDC }), "payment")).toBe(false);
    expect(keep(event({ from: G1, to: G1 }), "payment")).toBe(false);
    expect(keep(event({}), "path_payment_strict_send")).toBe(false);
    expect(keep(event({ eventType: "mint", from: null }), "payment")).toBe(true);
  });

  test("an account matches as sender or receiver; muxed filters match their G account", () => {
    const keep = eventPredicate({ accounts: [G1] })!;
    expect(keep(event({}), null)).toBe(true);
    expect(keep(event({ from: G2, to: G1 }), null)).toBe(true);
    expect(keep(event({ from: G2, to: G2 }), null)).toBe(false);
  });

  test("fee events belong to no operation, so an operation-type filter drops them", () => {
    const keep = eventPredicate({ operationTypes: ["payment"] })!;
    expect(keep(event({ eventType: "fee", operationIndex: null, to: null }), null)).toBe(false);
  });

  test("a contract filter matches the event's contract address; custom tokens have no asset", () => {
    expect(eventPredicate({ contracts: [XLM_SAC] })!(event({}), null)).toBe(true);
    expect(eventPredicate({ assets: ["native"] })!(event({ asset: null }), null)).toBe(false);
  });

  test("bad values are refused, naming the flag and the value", () => {
    expect(() => eventPredicate({ eventTypes: ["swap"] })).toThrow(new FilterError('--event-types: "swap" is not one of transfer, mint, burn, clawback, fee'));
    expect(() => eventPredicate({ assets: ["USDC"] })).toThrow(/--assets: "USDC" is not an asset/);
    expect(() => eventPredicate({ accounts: ["GABC"] })).toThrow(/--accounts/);
    expect(() => eventPredicate({ contracts: [G1] })).toThrow(/--contracts: .* is not a contract address/);
    expect(() => eventPredicate({ operationTypes: ["pay"] })).toThrow(/--operation-types: "pay"/);
  });

  test("operation type names follow Stellar's", () => {
    expect(operationTypeName("pathPaymentStrictSend")).toBe("path_payment_strict_send");
    expect(operationTypeName("setTrustLineFlags")).toBe("set_trust_line_flags");
    expect(operationTypeName("extendFootprintTtl")).toBe("extend_footprint_ttl");
  });

  test("the processor keeps each kept event's position in its ledger as event_index", async () => {
    const source = await openFolderLake(lakePath("pubnet"));
    const options = { networkPassphrase: source.networkPassphrase, decoder: new SdkLedgerDecoder(source.networkPassphrase), mode: "auto" as const };
    const all = new TtpProcessor(options);
    const transfers = new TtpProcessor({ ...options, filter: eventPredicate({ eventTypes: ["transfer"], operationTypes: ["payment"] }) });
    for await (const batch of source.batches({ start: 30822015, end: 30822025 })) {
      const everything = all.process(batch).events.toArray().map((r) => r.toJSON());
      const kept = transfers.process(batch).events.toArray().map((r) => r.toJSON());
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(everything.length);
      for (const row of kept) {
        const same = everything.find((e) => e.ledger_sequence === row.ledger_sequence && e.event_index === row.event_index)!;
        expect({ ...same, amount: null }).toEqual({ ...row, amount: null });
        expect(row.event_type).toBe("transfer");
      }
    }
  });
});

