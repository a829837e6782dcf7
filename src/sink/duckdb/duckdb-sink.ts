// A LedgerSink that commits each batch to an embedded DuckDB database in one transaction.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { ttpEventSchema } from "../../arrow/event-batch.ts";
import { ledgerSummarySchema } from "../../arrow/ledger-summary-batch.ts";
import type { ProcessedBatch } from "../../arrow/processed-batch.ts";
import { SinkWriteError, type LedgerSink, type ResumePoint, type SinkCursor } from "../ledger-sink.ts";
import { appendRecordBatch, appendRecordBatches } from "./append-record-batch.ts";
import { planWriterSpace, spaceHint } from "./disk-space.ts";
import { duckdbErrorLine, invalidatesDatabase, isDiskFull } from "./duckdb-error.ts";
import { checkLedgerRange } from "./ledger-range-check.ts";
import { messageOf } from "../../common/message-of.ts";
import { openDatabase, openFailureHint, type OpenDatabaseOptions } from "./open-database.ts";
import { createSchema } from "./schema.ts";
import { createDatabaseFile, recordStart } from "./database-file.ts";

/**
 * DuckDB settings of the writing instance unless the caller sets them. memory_limit: DuckDB's
 * default (80% of RAM) lets its caches and a transaction's appended rows grow the process by
 * 150-250 MB over a backfill; at 64 MB the pipeline stayed flat near 350 MB at the same speed
 * (standalone-p23, 6,000 ledgers); queries on the same instance spill to disk beyond it.
 * checkpoint_threshold: DuckDB checkpoints whenever its WAL passes this size (16 MB by default),
 * and each checkpoint compresses again the table's last, partly filled row group (122,880 rows):
 * at 16 MB that is every ~40k events, so each row was compressed about three times. At 64 MB the
 * sink's DuckDB time for 3,000 standalone-p23 ledgers (2.4M rows) fell from 8.5-11 s to 5.4-6.3 s;
 * the WAL on disk may grow to 64 MB; on a disk with less room the threshold is lowered when the
 * database is opened (./disk-space.ts).
 * allocator_flush_threshold: DuckDB's allocator keeps up to this much freed memory cached after a
 * task (128 MB by default); 8 MB took ~10-20 MB off a long backfill's peak RSS at no measured cost.
 */
const WRITER_DEFAULTS: Readonly<Record<string, string>> = { memory_limit: "64MB", checkpoint_threshold: "64MB", allocator_flush_threshold: "8MB" };

export interface DuckDbSinkOptions {
  /** DuckDB configuration options, e.g. { threads: "4", memory_limit: "2GB" }. */
  readonly config?: OpenDatabaseOptions["config"];
  /**
   * Records this start (as `startOver` does) in the transaction that creates the tables, so that a
   * new database file is never seen without it (a run killed at any point resumes from it).
   */
  readonly startOver?: { readonly at: number | null };
  /** DuckDB's own sandbox, locked once the writer's settings are in place (see ./sandbox.ts). */
  readonly sandbox?: OpenDatabaseOptions["sandbox"];
}

const IN_MEMORY = ":memory:";

/**
 * Writes `ledgers`, `ttp_events` and `sink_cursor` (see ./schema.ts). Each `write` (and each
 * `writeMany`) is one transaction: it deletes the rows of ledgers [firstLedger, lastLedger],
 * appends the batch's rows and moves the cursor to max(cursor, lastLedger). Re-writing a range
 * therefore replaces it, and a failed write leaves the database as it was. Writes are serialized;
 * the sink owns the database file for writing until `close`.
 *
 * No row lies above the cursor (every write moves it to its last ledger at least), so a batch that
 * starts above the cursor has nothing to replace: its DELETEs are skipped. The sink keeps the
 * committed cursor in memory for that (it is the only writer of the file).
 */
export class DuckDbSink implements LedgerSink {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly readers: DuckDBConnection[] = [];
  /** The first error that made DuckDB give up on the instance; every later write fails with it. */
  private broken: SinkWriteError | null = null;
  /** Anything committed through this sink (so a database it created is not removed). */
  private committedHere = false;
  /** A row may be in sink_start (unknown until read: the first commit deletes it to be sure). */
  private startPending = true;

  readonly description: string;

  private constructor(
    /** The database file, as given to `open`. */
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** The committed cursor (last_ledger of sink_cursor). */
    private committedCursor: number | null,
    /** The file did not exist before `open` made it. */
    readonly created: boolean,
    /** A line for the operator about the free space and the checkpoint threshold it led to; null: nothing to say. */
    readonly spaceNote: string | null,
    /** Connections for clients' SQL, set up before the sandbox's lock (none without a sandbox); `close` closes them. */
    readonly queryConnections: readonly DuckDBConnection[],
  ) {
    this.description = `database ${path}`;
  }

  get location(): string {
    return this.path;
  }

  /**
   * Opens (creating it and its parent directories when missing) the database at `path`. Unless the
   * config sets checkpoint_threshold, it is chosen from the disk's free space (NotEnoughSpaceError
   * when there is too little to start). A new file is made under a temporary name with its tables
   * (and `startOver`) committed, then renamed, so a database file never exists without them.
   */
  static async open(path: string, options: DuckDbSinkOptions = {}): Promise<DuckDbSink> {
    if (path === "") throw new Error("The sink's database path is empty (DuckDB would keep it in memory and lose it at exit): give a file");
    const inMemory = path === IN_MEMORY;
    try {
      if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new Error(`Cannot open DuckDB database ${path}: ${messageOf(error)}`, { cause: error });
    }
    // chosen now: the configuration cannot change once the database is open (it may be locked)
    const space = inMemory || options.config?.["checkpoint_threshold"] !== undefined ? null : planWriterSpace(path);
    const lowered: Record<string, string> = space?.checkpointThreshold ? { checkpoint_threshold: `${Math.floor(space.checkpointThreshold / 1000)}KB` } : {};
    const config = { ...WRITER_DEFAULTS, ...lowered, ...options.config };
    const created = !inMemory && !existsSync(path);
    if (created) await createDatabaseFile(path, config, options.startOver ?? null);
    const { instance, connection, queryConnections } = await openDatabase(path, { config, sandbox: options.sandbox });
    let cursor: number | null;
    try {
      await connection.run("BEGIN TRANSACTION");
      await createSchema(connection);
      if (options.startOver) await recordStart(connection, options.startOver.at);
      await connection.run("COMMIT");
      cursor = (await readCursor(connection))?.sequence ?? null;
    } catch (error) {
      for (const query of queryConnections) query.closeSync();
      connection.closeSync();
      instance.closeSync();
      throw new Error(`Cannot create the sink's tables in DuckDB database ${path}${openFailureHint(error, config)}: ${duckdbErrorLine(error)}`, { cause: error });
    }
    return new DuckDbSink(path, instance, connection, cursor, created, space?.note ?? null, queryConnections);
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

  /**
   * The last committed ledger and its hash, read from the database. After DuckDB gave up on the
   * instance (a FATAL error, e.g. a checkpoint on a full disk) it is read back from the file, opened
   * again read-only: what the database holds, whatever the failed write said. A failure is one line.
   */
  cursor(): Promise<SinkCursor | null> {
    const read = this.broken ? this.readBackCursor() : this.serialized(() => readCursor(this.connection));
    return read.catch((error: unknown) => {
      throw new Error(duckdbErrorLine(error), { cause: error });
    });
  }

  resumePoint(): Promise<ResumePoint> {
    return this.serialized(async () => {
      const row = (await this.connection.runAndReadAll("SELECT last_ledger, (SELECT count(*) FROM sink_start), (SELECT start_ledger FROM sink_start) FROM sink_cursor WHERE id = 1")).getRows()[0] ?? [];
      const cursor = typeof row[0] === "number" ? row[0] : null;
      const startPending = row[1] === 1n;
      this.startPending = startPending;
      const next = startPending ? (typeof row[2] === "number" ? row[2] : null) : cursor === null ? null : cursor + 1;
      const previousHash = next !== null && next > 1 ? await ledgerHash(this.connection, next - 1) : null;
      return { cursor, next, previousHash, startPending };
    });
  }

  startOver(at: number | null): Promise<void> {
    if (at !== null) checkLedgerRange(at, at, "to start at");
    return this.serialized(async () => {
      await recordStart(this.connection, at);
      this.startPending = true;
    });
  }

  write(batch: ProcessedBatch): Promise<void> {
    return this.serialized(() => this.commit([batch]));
  }

  /**
   * Commits several batches (in order) in one transaction, cursor included: all of them or none.
   * Cheaper than a `write` each (one COMMIT, one appender per table).
   */
  writeMany(batches: readonly ProcessedBatch[]): Promise<void> {
    return this.serialized(() => this.commit(batches));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.closeInstance();
  }

  /**
   * Closes the sink, and removes the database file if `open` created it and nothing was ever
   * committed to it (a failed first run leaves no empty database behind); answers whether it did.
   * A file that existed before is never removed.
   */
  async closeAndRemoveIfUnused(): Promise<boolean> {
    const unused = this.created && !this.committedHere && (await this.cursor().catch(() => undefined)) === null;
    await this.close();
    if (!unused) return false;
    for (const file of [this.path, `${this.path}.wal`, `${this.path}.tmp`]) rmSync(file, { recursive: true, force: true });
    return true;
  }

  private closeInstance(): void {
    for (const reader of [...this.readers, ...this.queryConnections]) reader.closeSync(); // closing twice is harmless
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } catch (error) {
      if (!this.broken) throw error; // an invalidated instance may fail to close: it is gone either way
    }
  }

  /** The cursor from the database file, opened again read-only (the broken instance closed first). */
  private async readBackCursor(): Promise<SinkCursor | null> {
    if (!this.closed) {
      this.closed = true;
      await this.queue;
      this.closeInstance();
    }
    if (this.path === IN_MEMORY) return this.committedCursor === null ? null : { sequence: this.committedCursor, hash: null }; // nothing to open again: what this sink last committed
    const { instance, connection } = await openDatabase(this.path, { readOnly: true });
    try {
      return await readCursor(connection);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  private async commit(batches: readonly ProcessedBatch[]): Promise<void> {
    if (batches.length === 0) return;
    if (this.broken) throw this.broken;
    const db = this.connection;
    const first = batches[0]!.firstLedger;
    const last = batches[batches.length - 1]!.lastLedger;
    try {
      for (const batch of batches) checkRange(batch);
      await db.run("BEGIN TRANSACTION");
      let cursor: number;
      try {
        cursor = await this.replaceLedgers(batches);
        await db.run("COMMIT");
      } catch (error) {
        await db.run("ROLLBACK").catch(() => undefined); // a failed COMMIT has already rolled back
        throw error;
      }
      this.committedCursor = cursor;
      this.committedHere = true;
      this.startPending = false;
    } catch (error) {
      const fatal = invalidatesDatabase(error);
      // A FATAL error (e.g. the checkpoint after a COMMIT on a full disk) may come after the rows
      // reached the WAL: only the database can say what it holds (see `cursor`).
      const outcome = fatal ? "and DuckDB gave up on the database (what it holds is read back below)" : "none of it was committed";
      const failure = new SinkWriteError(`DuckDB sink ${this.path}: writing ledgers ${first}-${last} failed, ${outcome}: ${duckdbErrorLine(error)}`, this.path === IN_MEMORY ? null : spaceHint(this.path, isDiskFull(error)), { cause: error });
      if (fatal) this.broken = failure;
      throw failure;
    }
  }

  /** The body of the write transaction; answers the cursor it leaves. */
  private async replaceLedgers(batches: readonly ProcessedBatch[]): Promise<number> {
    const db = this.connection;
    // Above `written` (the cursor, or the last ledger written in this transaction) there are no rows.
    let written = this.committedCursor ?? -1;
    let replaces = false;
    for (const batch of batches) {
      if (batch.firstLedger <= written) replaces = true;
      written = Math.max(written, batch.lastLedger);
    }
    if (replaces) {
      // A re-run: delete each batch's range before appending it, so that it replaces what is there.
      for (const batch of batches) {
        const range = [batch.firstLedger, batch.lastLedger];
        await db.run("DELETE FROM ttp_events WHERE ledger_sequence BETWEEN $1 AND $2", range);
        await db.run("DELETE FROM ledgers WHERE sequence BETWEEN $1 AND $2", range);
        await appendRecordBatch(db, "ledgers", batch.ledgers, ledgerSummarySchema);
        await appendRecordBatch(db, "ttp_events", batch.events, ttpEventSchema);
      }
    } else {
      await appendRecordBatches(db, "ledgers", batches.map((b) => b.ledgers), ledgerSummarySchema);
      await appendRecordBatches(db, "ttp_events", batches.map((b) => b.events), ttpEventSchema);
    }
    // greatest() skips NULL, the cursor before the first commit
    await db.run("UPDATE sink_cursor SET last_ledger = greatest(last_ledger, $1)", [written]);
    if (this.startPending) await db.run("DELETE FROM sink_start"); // the start asked for is begun
    return written;
  }

  /** Runs `task` on the sink's connection after everything queued before it, so no two interleave. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
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
    for (const data of sequences.data) {
      const values = data.values as unknown;
      if (!(values instanceof Uint32Array) || data.nullCount > 0) {
        for (const sequence of sequences) checkRow(table, sequence as number | null, first, last);
        break;
      }
      for (let i = data.offset; i < data.offset + data.length; i++) {
        const sequence = values[i]!;
        if (sequence < first || sequence > last) checkRow(table, sequence, first, last);
      }
    }
  }
}

function checkRow(table: string, sequence: number | null, first: number, last: number): void {
  if (sequence === null || sequence < first || sequence > last) {
    throw new Error(`A ${table} row of ledger ${sequence} lies outside the batch's range ${first}-${last}`);
  }
}

async function ledgerHash(connection: DuckDBConnection, sequence: number): Promise<string | null> {
  const hash = (await connection.runAndReadAll("SELECT hash FROM ledgers WHERE sequence = $1", [sequence])).getRows()[0]?.[0];
  return typeof hash === "string" ? hash : null;
}

async function readCursor(connection: DuckDBConnection): Promise<SinkCursor | null> {
  const reader = await connection.runAndReadAll("SELECT c.last_ledger, l.hash FROM sink_cursor c LEFT JOIN ledgers l ON l.sequence = c.last_ledger WHERE c.id = 1");
  const [sequence, hash] = reader.getRows()[0] ?? [];
  return typeof sequence === "number" ? { sequence, hash: typeof hash === "string" ? hash : null } : null;
}
