import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ttpEventBatch, ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { ParquetValueError, ParquetWriter } from "../../src/backfill/parquet/parquet-writer.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";
import { duck, tempDir } from "./support.ts";

const dir = tempDir();
afterAll(() => dir.remove());

const G = "GAJ7NKB4KSRPAQJ6WKWSTVZRPMFRPHDHQX734IICR2XJUCU33EL5W5AZ";
const C = "CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA";

function event(ledger: number, amount: bigint, extra: Partial<TtpEvent> = {}): TtpEvent {
  return {
    ledgerSequence: ledger,
    closedAt: 1_595_895_040 + ledger,
    txHash: ledger.toString(16).padStart(64, "0"),
    transactionIndex: 1,
    operationIndex: 1,
    eventType: "transfer",
    from: G,
    to: G,
    asset: "native",
    amount,
    contractAddress: C,
    toMuxedType: null,
    toMuxedValue: null,
    ...extra,
  } as TtpEvent;
}

async function write(file: string, batches: ReturnType<typeof ttpEventBatch>[], rowGroupRows: number): Promise<void> {
  const parts: Uint8Array[] = [];
  const writer = new ParquetWriter({
    schema: ttpEventSchema,
    rowGroupRows,
    sortedBy: ["ledger_sequence", "event_index"],
    compress: (b) => Bun.zstdCompressSync(b),
    output: (b) => void parts.push(b.slice()),
    describeRow: (batch, row) => `ledger ${batch.getChild("ledger_sequence")?.get(row)}`,
  });
  for (const batch of batches) await writer.write(batch);
  await writer.close();
  writeFileSync(file, Buffer.concat(parts));
}

describe("ParquetWriter", () => {
  test("DuckDB reads back every value and the data contract's types: UINTEGER, TIMESTAMPTZ, VARCHAR, DECIMAL(38,0), nulls", async () => {
    const file = join(dir.path, "values.parquet");
    const events = [
      event(5, 10n ** 38n - 1n),
      event(5, -(10n ** 38n) + 1n, { operationIndex: null, to: null, eventType: "fee" }),
      event(6, -250n, { asset: null, toMuxedType: "id", toMuxedValue: "18446744073709551615" }),
      event(6, 0n, { from: "", txHash: "ü".repeat(40) }), // an empty string is not a null; multi-byte UTF-8 kept
    ];
    await write(file, [ttpEventBatch(events)], 100);
    const types = await duck(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${file}')`);
    expect(Object.fromEntries(types as [string, string][])).toEqual({
      ledger_sequence: "UINTEGER",
      closed_at: "TIMESTAMP WITH TIME ZONE",
      tx_hash: "VARCHAR",
      transaction_index: "UINTEGER",
      operation_index: "UINTEGER",
      event_index: "UINTEGER",
      event_type: "VARCHAR",
      from_address: "VARCHAR",
      to_address: "VARCHAR",
      asset: "VARCHAR",
      amount: "DECIMAL(38,0)",
      contract_address: "VARCHAR",
      to_muxed_type: "VARCHAR",
      to_muxed_value: "VARCHAR",
    });
    const rows = await duck(
      `SELECT ledger_sequence, epoch(closed_at)::BIGINT, tx_hash, operation_index, event_index, from_address, to_address, asset, amount::VARCHAR, to_muxed_type, to_muxed_value FROM '${file}'`,
    );
    expect(rows).toEqual([
      [5, String(1_595_895_045), "5".padStart(64, "0"), 1, 0, G, G, "native", "99999999999999999999999999999999999999", null, null],
      [5, String(1_595_895_045), "5".padStart(64, "0"), null, 1, G, null, "native", "-99999999999999999999999999999999999999", null, null],
      [6, String(1_595_895_046), "6".padStart(64, "0"), 1, 0, G, G, null, "-250", "id", "18446744073709551615"],
      [6, String(1_595_895_046), "ü".repeat(40), 1, 1, "", G, "native", "0", null, null],
    ]);
  });

  test("row groups close at batch boundaries once full, with min/max statistics DuckDB prunes on", async () => {
    const file = join(dir.path, "groups.parquet");
    const batches = [10, 11, 12, 13, 14].map((ledger) => ttpEventBatch([event(ledger, 1n), event(ledger, 2n), event(ledger, 3n)]));
    await write(file, batches, 5); // 3 rows per batch: groups close after 6 rows
    const groups = await duck(
      `SELECT row_group_id, row_group_num_rows, stats_min_value, stats_max_value, compression FROM parquet_metadata('${file}') WHERE path_in_schema = 'ledger_sequence' ORDER BY row_group_id`,
    );
    expect(groups).toEqual([
      ["0", "6", "10", "11", "ZSTD"],
      ["1", "6", "12", "13", "ZSTD"],
      ["2", "3", "14", "14", "ZSTD"],
    ]);
    const plan = (await duck(`EXPLAIN ANALYZE SELECT count(*) FROM '${file}' WHERE ledger_sequence = 99`))[0]![1] as string;
    expect(plan).toContain("EMPTY_RESULT"); // the statistics rule every row group out
    expect(await duck(`SELECT count(*), sum(amount)::VARCHAR FROM '${file}' WHERE ledger_sequence = 12`)).toEqual([["3", "6"]]);
  });

  test("an amount beyond DECIMAL(38,0) is refused naming the row, not rounded", async () => {
    const writer = new ParquetWriter({
      schema: ttpEventSchema,
      rowGroupRows: 10,
      compress: (b) => b,
      output: () => undefined,
      describeRow: (batch, row) => `ledger ${batch.getChild("ledger_sequence")?.get(row)} row ${row}`,
    });
    await writer.write(ttpEventBatch([event(7, 1n)]));
    const refused = writer.write(ttpEventBatch([event(8, 1n), event(8, 10n ** 38n)]));
    await expect(refused).rejects.toThrow(ParquetValueError);
    await expect(refused).rejects.toThrow("ledger 8 row 1: amount 100000000000000000000000000000000000000 is beyond Parquet's DECIMAL(38,0)");
    const negative = writer.write(ttpEventBatch([event(9, -(2n ** 127n))]));
    await expect(negative).rejects.toThrow("ledger 9 row 0");
  });

  test("a file with no rows is a valid Parquet file with the schema", async () => {
    const file = join(dir.path, "empty.parquet");
    await write(file, [], 10);
    expect(readFileSync(file).subarray(0, 4).toString()).toBe("PAR1");
    expect(await duck(`SELECT count(*) FROM '${file}'`)).toEqual([["0"]]);
    expect((await duck(`DESCRIBE SELECT * FROM '${file}'`)).length).toBe(14);
  });

  test("a batch of other columns is refused", async () => {
    const writer = new ParquetWriter({ schema: ttpEventSchema, rowGroupRows: 10, compress: (b) => b, output: () => undefined });
    const { ledgerSummaryBatch } = await import("../../src/arrow/ledger-summary-batch.ts");
    const wrong = ledgerSummaryBatch([]);
    await expect(writer.write(wrong)).rejects.toThrow("does not match the file's schema");
  });
});
