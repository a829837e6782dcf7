// Pubnet ledgers whose TTP output stellar-etl published (produced by stellar/go's token_transfer
// processor and checked by its reconciliation): both of our modes must give exactly those events.
import { describe, expect, test } from "bun:test";
import { ledgerEvents, type TtpMode } from "../../src/ttp/ledger-events.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";
import { encodeMuxedAccount, decodeStrkey } from "../../src/stellar/strkey.ts";
import { loadLedgers } from "../support/ledger-models.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

interface EtlRow {
  event_topic: string;
  from: string | null;
  to: string | null;
  asset: string;
  amount_raw: string;
  transaction_hash: string;
  operation_id: string | null;
  to_muxed: string | null;
  to_muxed_id: string | null;
  contract_id: string;
  ledger_sequence: number;
  closed_at: string;
}

async function readEtl(file: string): Promise<EtlRow[]> {
  const text = await Bun.file(lakePath(`expected/${file}`)).text();
  // operation_id exceeds 2^53: keep its digits exact by quoting it before parsing.
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line.replace(/"operation_id":(\d+)/, '"operation_id":"$1"')) as EtlRow);
}

function etlAsset(asset: string | null): string | null {
  if (asset === null || asset === "native") return asset;
  const code = asset.slice(0, asset.indexOf(":"));
  return `credit_alphanum${code.length <= 4 ? 4 : 12}:${asset}`;
}

/** Our event in stellar-etl's terms. ETL keeps only an id for muxed info: text and hash memos become id 0. */
function asEtl(event: TtpEvent): string {
  const toid =
    event.operationIndex === null
      ? null
      : ((BigInt(event.ledgerSequence) << 32n) | (BigInt(event.transactionIndex) << 12n) | BigInt(event.operationIndex)).toString();
  const muxedId = event.toMuxedType === null ? null : event.toMuxedType === "id" ? event.toMuxedValue : "0";
  const toMuxed = muxedId === null || event.to === null ? null : encodeMuxedAccount(decodeStrkey(event.to).payload, BigInt(muxedId));
  return JSON.stringify([event.eventType, event.from, event.to, etlAsset(event.asset), event.amount.toString(), event.txHash, toid, toMuxed, muxedId, event.contractAddress, event.ledgerSequence, new Date(event.closedAt * 1000).toISOString().replace(".000Z", "Z")]);
}

function rowKey(row: EtlRow): string {
  return JSON.stringify([row.event_topic, row.from, row.to, row.asset, row.amount_raw, row.transaction_hash, row.operation_id, row.to_muxed, row.to_muxed_id, row.contract_id, row.ledger_sequence, row.closed_at]);
}

const CASES = [
  { file: "etl-token-transfers-30820015.ndjson", start: 30820015, end: 30820015, count: 60 },
  { file: "etl-token-transfers-30822015-30822025.ndjson", start: 30822015, end: 30822025, count: 668 },
];

describe("stellar-etl token_transfers of pubnet", () => {
  for (const { file, start, end, count } of CASES) {
    for (const mode of ["classic", "unified", "auto"] as TtpMode[]) {
      test(`ledgers ${start}-${end} in ${mode} mode give exactly the ${count} expected events`, async () => {
        const expected = (await readEtl(file)).map(rowKey).sort();
        expect(expected).toHaveLength(count);
        const { ledgers, sac } = await loadLedgers("pubnet", start, end);
        const ours = ledgers.flatMap((l) => ledgerEvents(l, sac, mode)).map(asEtl).sort();
        expect(ours).toEqual(expected);
      });
    }
  }

  test("classic and unified modes give the same events per ledger and per operation", async () => {
    // Within one trade, stellar-core's CAP-67 stream lists the taker's side first while the classic
    // derivation (like stellar/go) lists the seller's first: compare each operation as a multiset.
    const { ledgers, sac } = await loadLedgers("pubnet", 30822015, 30822025);
    const byOperation = (events: TtpEvent[]) =>
      events.map((e) => `${e.transactionIndex}/${e.operationIndex}/${JSON.stringify(e, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`).sort();
    for (const ledger of ledgers) {
      const classic = ledgerEvents(ledger, sac, "classic");
      const unified = ledgerEvents(ledger, sac, "unified");
      expect(byOperation(classic)).toEqual(byOperation(unified));
      expect(classic.map((e) => [e.transactionIndex, e.operationIndex])).toEqual(unified.map((e) => [e.transactionIndex, e.operationIndex]));
    }
  });

  test("unified mode refuses ledgers without TransactionMeta v4, naming ledger and transaction", async () => {
    const { ledgers, sac } = await loadLedgers("pubnet", 53312000);
    expect(() => ledgerEvents(ledgers[0]!, sac, "unified")).toThrow(/TransactionMeta v4.*ledger 53312000, tx [0-9a-f]{64}/);
  });
});
