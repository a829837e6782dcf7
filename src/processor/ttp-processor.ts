// The processor stage: raw ledgers (Arrow) in, `ledgers` and `ttp_events` rows (Arrow) out.
import type { RecordBatch } from "apache-arrow";
import { rawLedgersOf } from "../arrow/ledger-batch.ts";
import { ttpEventBatch } from "../arrow/event-batch.ts";
import { ledgerSummaryBatch, type LedgerSummary } from "../arrow/ledger-summary-batch.ts";
import type { ProcessedBatch, ProcessedStats } from "../arrow/processed-batch.ts";
import { SacAddressBook } from "../stellar/asset.ts";
import type { LedgerDecoder } from "../stellar/ledger-decoder.ts";
import type { LedgerModel } from "../stellar/model.ts";
import { LedgerHashMismatchError } from "../stellar/xdr/ledger-commitments.ts";
import type { TtpEvent } from "../ttp/event.ts";
import { ledgerEvents, type TtpMode } from "../ttp/ledger-events.ts";
import { describeMismatch, verifyLedgerEvents } from "../ttp/verify.ts";
import { operationTypeName, type EventPredicate } from "../ttp/event-filter.ts";
import { messageOf } from "../common/message-of.ts";

export interface TtpProcessorOptions {
  readonly networkPassphrase: string;
  readonly decoder: LedgerDecoder;
  readonly mode: TtpMode;
  /** Check every transaction's events against its balance changes; a mismatch stops the run. */
  readonly verify?: boolean;
  /** Keeps only the events it accepts; kept events keep their position in the ledger as event_index. */
  readonly filter?: EventPredicate | null;
}

/** A ledger could not be processed; names the ledger and where it came from. */
export class ProcessorError extends Error {
  override readonly name = "ProcessorError";
  constructor(message: string, readonly ledger: number, location: string | null, options?: { cause?: unknown }) {
    super(`${message} (ledger ${ledger}${location ? `, ${location}` : ""})`, options);
  }
}

export type { ProcessedStats };

export class TtpProcessor {
  private readonly sac: SacAddressBook;

  constructor(private readonly options: TtpProcessorOptions) {
    this.sac = SacAddressBook.forPassphrase(options.networkPassphrase);
  }

  /**
   * Processes a batch of raw ledgers. When a ledger fails, the ledgers before it are still
   * returned, with the failure, so that the caller can commit them before stopping.
   */
  process(batch: RecordBatch): ProcessedBatch & { stats: ProcessedStats; failure: ProcessorError | null } {
    const summaries: LedgerSummary[] = [];
    const events: TtpEvent[] = [];
    const eventIndexes: number[] = [];
    const decodeSeconds: number[] = [];
    const extractSeconds: number[] = [];
    const stats = { transactions: 0, failedTransactions: 0, operations: 0, eventsByType: {} as Record<string, number>, eventsFiltered: 0, decodeSeconds, extractSeconds };
    let failure: ProcessorError | null = null;
    for (const raw of rawLedgersOf(batch)) {
      let result;
      try {
        result = this.processLedger(raw.xdr, raw.sequence, raw.location ?? null);
      } catch (error) {
        if (!(error instanceof ProcessorError)) throw error;
        failure = error;
        break;
      }
      const { ledger, ledgerEventList } = result;
      decodeSeconds.push(result.decodeSeconds);
      extractSeconds.push(result.extractSeconds);
      const failed = ledger.transactions.filter((tx) => !tx.successful).length;
      const operations = ledger.transactions.reduce((n, tx) => n + tx.operations.length, 0);
      stats.transactions += ledger.transactions.length;
      stats.failedTransactions += failed;
      stats.operations += operations;
      const kept = this.keep(ledger, ledgerEventList, eventIndexes);
      stats.eventsFiltered += ledgerEventList.length - kept.length;
      for (const event of kept) stats.eventsByType[event.eventType] = (stats.eventsByType[event.eventType] ?? 0) + 1;
      events.push(...kept);
      summaries.push({
        sequence: ledger.sequence,
        hash: ledger.hash,
        previousHash: ledger.previousHash,
        closedAt: ledger.closedAt,
        protocolVersion: ledger.protocolVersion,
        successfulTxCount: ledger.transactions.length - failed,
        failedTxCount: failed,
        operationCount: operations,
        eventCount: kept.length,
      });
    }
    return {
      ledgers: ledgerSummaryBatch(summaries),
      events: ttpEventBatch(events, eventIndexes),
      firstLedger: summaries[0]?.sequence ?? 0,
      lastLedger: summaries[summaries.length - 1]?.sequence ?? 0,
      stats,
      failure,
    };
  }

  /** The events that pass the filter; their positions in the ledger go to `indexes`. */
  private keep(ledger: LedgerModel, events: TtpEvent[], indexes: number[]): TtpEvent[] {
    const filter = this.options.filter;
    if (!filter) {
      for (let i = 0; i < events.length; i++) indexes.push(i);
      return events;
    }
    const kept: TtpEvent[] = [];
    events.forEach((event, i) => {
      const op = event.operationIndex === null ? null : ledger.transactions[event.transactionIndex - 1]?.operations[event.operationIndex - 1];
      const operationType = op ? operationTypeName(op.body.type === "other" ? op.body.name : op.body.type) : null;
      if (filter(event, operationType)) {
        kept.push(event);
        indexes.push(i);
      }
    });
    return kept;
  }

  private processLedger(xdr: Uint8Array, sequence: number, location: string | null): { ledger: LedgerModel; ledgerEventList: TtpEvent[]; decodeSeconds: number; extractSeconds: number } {
    let ledger: LedgerModel;
    const started = performance.now();
    try {
      ledger = this.options.decoder.decode(xdr);
    } catch (error) {
      // A header-hash mismatch decodes fine: it says what was altered, not that the XDR is malformed.
      const what = error instanceof LedgerHashMismatchError ? "tampered or corrupt ledger" : "undecodable LedgerCloseMeta XDR";
      throw new ProcessorError(`${what}: ${messageOf(error)}`, sequence, location, { cause: error });
    }
    if (ledger.sequence !== sequence) throw new ProcessorError(`decoded ledger says sequence ${ledger.sequence}`, sequence, location);
    const decoded = performance.now();
    let ledgerEventList: TtpEvent[];
    try {
      ledgerEventList = ledgerEvents(ledger, this.sac, this.options.mode);
    } catch (error) {
      throw new ProcessorError(messageOf(error), sequence, location, { cause: error });
    }
    const extracted = performance.now();
    if (this.options.verify) {
      const mismatch = verifyLedgerEvents(ledger, ledgerEventList);
      if (mismatch) throw new ProcessorError(describeMismatch(mismatch), sequence, location);
    }
    return { ledger, ledgerEventList, decodeSeconds: (decoded - started) / 1000, extractSeconds: (extracted - decoded) / 1000 };
  }
}
