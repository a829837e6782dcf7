// A source of placeholder raw ledgers and a processor that turns them into the sink fixtures' rows,
// for runPipeline tests that are about what reaches the sink, not about XDR.
import type { RecordBatch } from "apache-arrow";
import { rawLedgerBatch } from "../../src/arrow/ledger-batch.ts";
import { ledgerSummaryBatch } from "../../src/arrow/ledger-summary-batch.ts";
import type { BatchProcessor, ProcessedResult } from "../../src/processor/batch-processor.ts";
import { ProcessorError } from "../../src/processor/ttp-processor.ts";
import type { LedgerRange, LedgerSource } from "../../src/source/ledger-source.ts";
import { ledgerSummary, processedBatch } from "../sink/fixtures.ts";

/** Raw-ledger batches of `size` ledgers (placeholder XDR: the processor below never reads it). */
function rawBatch(first: number, last: number): RecordBatch {
  return rawLedgerBatch(
    Array.from({ length: last - first + 1 }, (_, i) => ({ sequence: first + i, hash: "00", previousHash: "00", closedAt: 0, protocolVersion: 23, xdr: new Uint8Array(1) })),
  );
}

export interface FakeSourceOptions {
  /** Throws instead of the batch starting after this ledger. */
  readonly failAfter?: number;
  /** Awaited before each batch (its first ledger). */
  readonly before?: (first: number) => Promise<void>;
  /** A misbehaving source: after the batch ending at `after`, it goes on at `to`. */
  readonly jump?: { readonly after: number; readonly to: number };
}

export function fakeSource(size: number, options: FakeSourceOptions = {}): LedgerSource & { readonly asked: LedgerRange[] } {
  const asked: LedgerRange[] = [];
  return {
    description: "test source",
    networkPassphrase: "test",
    asked,
    async *batches(range: LedgerRange) {
      asked.push(range);
      for (let first = range.start; first <= range.end; first += size) {
        if (options.failAfter !== undefined && first > options.failAfter) throw new Error(`source broke at ledger ${first}`);
        await options.before?.(first);
        const last = Math.min(first + size - 1, range.end);
        yield rawBatch(first, last);
        if (options.jump && last === options.jump.after) first = options.jump.to - size;
      }
    },
  };
}

export interface FakeProcessorOptions {
  /** This ledger fails (rows before it come back with the failure). */
  readonly failAt?: number;
  /** This ledger's previous_hash is not the hash of the ledger before it. */
  readonly foreignPreviousHash?: number;
}

/** Turns ledgers into the sink fixtures' rows (hashes chained: ledgerSummary's). */
export function fakeProcessor(options: FakeProcessorOptions = {}): BatchProcessor {
  const { failAt } = options;
  return {
    process(batch): ProcessedResult {
      const sequences = [...batch.getChild("sequence")!] as number[];
      const first = sequences[0]!;
      const last = failAt !== undefined && failAt <= sequences[sequences.length - 1]! ? failAt - 1 : sequences[sequences.length - 1]!;
      const failure = last < sequences[sequences.length - 1]! ? new ProcessorError("bad ledger", failAt!, null) : null;
      let rows = last >= first ? processedBatch(first, last) : processedBatch(first, first, []);
      const foreign = options.foreignPreviousHash;
      if (foreign !== undefined && foreign >= first && foreign <= last) {
        const summaries = Array.from({ length: last - first + 1 }, (_, i) => ledgerSummary(first + i, 4));
        rows = { ...rows, ledgers: ledgerSummaryBatch(summaries.map((s) => (s.sequence === foreign ? { ...s, previousHash: "e".repeat(64) } : s))) };
      }
      const stats = { transactions: 0, failedTransactions: 0, operations: 0, eventsByType: {}, eventsFiltered: 0 };
      if (last < first) return { ledgers: rows.ledgers.slice(0, 0), events: rows.events.slice(0, 0), firstLedger: 0, lastLedger: 0, stats, failure };
      return { ...rows, stats, failure };
    },
  };
}
