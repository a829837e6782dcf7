// Hand-made events and ledgers for the sink tests, and temporary database directories.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ttpEventBatch } from "../../src/arrow/event-batch.ts";
import { ledgerSummaryBatch, type LedgerSummary } from "../../src/arrow/ledger-summary-batch.ts";
import type { ProcessedBatch } from "../../src/arrow/processed-batch.ts";
import type { TtpEvent } from "../../src/ttp/event.ts";

export const I128_MAX = 2n ** 127n - 1n;
export const I128_MIN = -(2n ** 127n);

const T0 = 1_717_000_000; // 2024-05-29T16:26:40Z

export const account = (n: number): string => `G${String(n).padStart(55, "A")}`;
export const contract = (n: number): string => `C${String(n).padStart(55, "B")}`;
export const txHash = (ledger: number, tx: number): string => (ledger * 1000 + tx).toString(16).padStart(64, "0");
export const closedAt = (ledger: number): number => T0 + (ledger - 100) * 5;

export function ledgerSummary(sequence: number, eventCount: number): LedgerSummary {
  return {
    sequence,
    hash: sequence.toString(16).padStart(64, "f"),
    previousHash: (sequence - 1).toString(16).padStart(64, "f"),
    closedAt: closedAt(sequence),
    protocolVersion: 23,
    successfulTxCount: 2,
    failedTxCount: 1,
    operationCount: 3,
    eventCount,
  };
}

/** A fee, two transfers and a mint per ledger, with amounts that stress HUGEINT. `salt` varies the amounts. */
export function ledgerEvents(ledger: number, salt = 0n): TtpEvent[] {
  const base = {
    ledgerSequence: ledger,
    closedAt: closedAt(ledger),
    txHash: txHash(ledger, 1),
    transactionIndex: 1,
    asset: "native",
    contractAddress: contract(0),
    toMuxedType: null,
    toMuxedValue: null,
  } as const;
  return [
    { ...base, operationIndex: null, eventType: "fee", from: account(ledger), to: null, amount: 100n + salt },
    { ...base, operationIndex: 1, eventType: "transfer", from: account(1), to: account(2), amount: 2n ** 64n + 7n + salt },
    {
      ...base,
      txHash: txHash(ledger, 2),
      transactionIndex: 2,
      operationIndex: 1,
      eventType: "transfer",
      from: account(3),
      to: contract(9),
      asset: null,
      contractAddress: contract(9),
      amount: 12_345_678_901_234_567_890n + salt,
      toMuxedType: "id",
      toMuxedValue: "18446744073709551615",
    },
    {
      ...base,
      txHash: txHash(ledger, 2),
      transactionIndex: 2,
      operationIndex: 2,
      eventType: "mint",
      from: null,
      to: account(4),
      asset: "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
      contractAddress: contract(5),
      amount: 1n + salt,
      toMuxedType: "text",
      toMuxedValue: "it's \"quoted\", with a comma\nand a newline",
    },
  ];
}

/** A batch of ledgers [first, last] holding `events` (default: ledgerEvents of each ledger). */
export function processedBatch(first: number, last: number, events?: readonly TtpEvent[]): ProcessedBatch {
  const sequences = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const all = events ?? sequences.flatMap((sequence) => ledgerEvents(sequence));
  const ledgers = sequences.map((sequence) => ledgerSummary(sequence, all.filter((e) => e.ledgerSequence === sequence).length));
  return { ledgers: ledgerSummaryBatch(ledgers), events: ttpEventBatch(all), firstLedger: first, lastLedger: last };
}

/** A TtpEvent read back from `ttp_events`, with its event_index. */
export interface StoredEvent extends TtpEvent {
  readonly eventIndex: number;
}

/** The events of `batch`-style input as the sink should store them (event_index restarts per ledger). */
export function expectedRows(events: readonly TtpEvent[]): StoredEvent[] {
  let index = 0;
  return events.map((event, i) => {
    index = i > 0 && events[i - 1]!.ledgerSequence === event.ledgerSequence ? index + 1 : 0;
    return { ...event, eventIndex: index };
  });
}

export async function readEvents(connection: DuckDBConnection, where = "true"): Promise<StoredEvent[]> {
  const reader = await connection.runAndReadAll(
    `SELECT ledger_sequence, epoch_us(closed_at) AS closed_at_us, tx_hash, transaction_index, operation_index, event_index,
            event_type, from_address, to_address, asset, amount, contract_address, to_muxed_type, to_muxed_value
     FROM ttp_events WHERE ${where} ORDER BY ledger_sequence, event_index`,
  );
  return reader.getRowObjects().map((row) => ({
    ledgerSequence: row["ledger_sequence"] as number,
    closedAt: Number((row["closed_at_us"] as bigint) / 1_000_000n),
    txHash: row["tx_hash"] as string,
    transactionIndex: row["transaction_index"] as number,
    operationIndex: row["operation_index"] as number | null,
    eventIndex: row["event_index"] as number,
    eventType: row["event_type"] as TtpEvent["eventType"],
    from: row["from_address"] as string | null,
    to: row["to_address"] as string | null,
    asset: row["asset"] as string | null,
    amount: row["amount"] as bigint,
    contractAddress: row["contract_address"] as string,
    toMuxedType: row["to_muxed_type"] as TtpEvent["toMuxedType"],
    toMuxedValue: row["to_muxed_value"] as string | null,
  }));
}

export async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  return (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
}

/** A fresh directory under the OS temp dir; `remove` deletes it. */
export function tempDir(prefix = "stellar-flow-sink-"): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
