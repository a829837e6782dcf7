// A LedgerSink that commits each batch to an embedded DuckDB database in one transaction.
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { ttpEventSchema } from "../../arrow/event-batch.ts";
import { ledgerSummarySchema } from "../../arrow/ledger-summary-batch.ts";
import type { ProcessedBatch } from "../../arrow/processed-batch.ts";
import type { LedgerSink } from "../ledger-sink.ts";
import { appendRecordBatch } from "./append-record-batch.ts";
import { checkLedgerRange } from "./ledger-range-check.ts";
import { messageOf } from "./message-of.ts";
import { openDatabase, type OpenDatabaseOptions } from "./open-database.ts";
import { createSchema } from "./schema.ts";

export interface DuckDbSinkOptions {
  /** DuckDB configuration options, e.g. { threads: "4", memory_limit: "2GB" }. */
  readonly config?: OpenDatabaseOptions["config"];
}

/**
 * Writes `ledgers`, `ttp_events` and `sink_cursor` (see ./schema.ts). Each `write` is one
 * transaction: it deletes the rows of ledgers [firstLedger, lastLedger], appends the batch's rows
 * and moves the cursor to max(cursor, lastLedger). Re-writing a range therefore replaces it, and a
 * failed write leaves the database as it was. Writes are serialized; the sink owns the database
 * file for writing until `close`.
 */
export class DuckDbSink implements LedgerSink {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly readers: DuckDBConnection[] = [];

  private constructor(
    /** The database file, as given to `open`. */
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating it and its parent directories when missing) the database at `path`. */
  static async open(path: string, options: DuckDbSinkOptions = {}): Promise<DuckDbSink> {
    const { instance, connection } = await openDatabase(path, { config: options.config });
    try {
      await createSchema(connection);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw new Error(`Cannot create the sink's tables in DuckDB database ${path}: ${messageOf(error)}`, { cause: error });
    }
    return new DuckDbSink(path, instance, connection);
  }

  /**
   * A new connection to the sink's database, for queries and exports in this process (other
   * processes cannot open the file while the sink has it). It sees committed writes only, never a
   * write in progress. `close` closes it if its user has not (closeSync) already.
   */
  async connect(): Promise<DuckDBConnection> {
    if (this.closed) throw this.closedError();
    const connection = await this.instance.connect();
    this.readers.push(connection);
    return connection;
  }

  cursor(): Promise<number | null> {
    return this.serialized(async () => {
      const reader = await this.connection.runAndReadAll("SELECT last_ledger FROM sink_cursor WHERE id = 1");
      const value = reader.getRows()[0]?.[0];
      return typeof value === "number" ? value : null;
    });
  }

  write(batch: ProcessedBatch): Promise<void> {
    return this.serialized(() => this.commit(batch));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    for (const reader of this.readers) reader.closeSync(); // closing twice is harmless
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async commit(batch: ProcessedBatch): Promise<void> {
    const db = this.connection;
    try {
      checkRange(batch);
      await db.run("BEGIN TRANSACTION");
      try {
        await this.replaceLedgers(batch);
        await db.run("COMMIT");
      } catch (error) {
        await db.run("ROLLBACK").catch(() => undefined); // a failed COMMIT has already rolled back
        throw error;
      }
    } catch (error) {
      throw new Error(
        `DuckDB sink ${this.path}: writing ledgers ${batch.firstLedger}-${batch.lastLedger} failed, none of it was committed: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  /** The body of the write transaction. */
  private async replaceLedgers(batch: ProcessedBatch): Promise<void> {
    const db = this.connection;
    const range = [batch.firstLedger, batch.lastLedger];
    await db.run("DELETE FROM ttp_events WHERE ledger_sequence BETWEEN $1 AND $2", range);
    await db.run("DELETE FROM ledgers WHERE sequence BETWEEN $1 AND $2", range);
    await appendRecordBatch(db, "ledgers", batch.ledgers, ledgerSummarySchema);
    await appendRecordBatch(db, "ttp_events", batch.events, ttpEventSchema);
    // greatest() skips NULL, the cursor before the first commit
    await db.run("UPDATE sink_cursor SET last_ledger = greatest(last_ledger, $1)", [batch.lastLedger]);
  }

  /** Runs `task` on the sink's connection after everything queued before it, so no two interleave. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    const done = this.queue.then(task);
    this.queue = done.catch(() => undefined);
    return done;
  }

  private closedError(): Error {
    return new Error(`DuckDB sink ${this.path} is closed`);
  }
}

/** Every row must lie in [firstLedger, lastLedger], or deleting that range would not replace it. */
function checkRange(batch: ProcessedBatch): void {
  const { firstLedger: first, lastLedger: last } = batch;
  checkLedgerRange(first, last, "in a batch for the DuckDB sink");
  for (const [table, batchPart, column] of [
    ["ledgers", batch.ledgers, "sequence"],
    ["ttp_events", batch.events, "ledger_sequence"],
  ] as const) {
    const sequences = batchPart.getChild(column);
    if (!sequences) continue; // appendRecordBatch reports the schema mismatch
    for (const sequence of sequences) {
      if (sequence === null || sequence < first || sequence > last) {
        throw new Error(`A ${table} row of ledger ${sequence} lies outside the batch's range ${first}-${last}`);
      }
    }
  }
}
