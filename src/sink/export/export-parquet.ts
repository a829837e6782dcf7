// Parquet export of `ttp_events` and `ledgers` rows.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbErrorLine } from "../duckdb/duckdb-error.ts";
import { TTP_EVENTS } from "../../arrow/event-batch.ts";
import { LEDGERS as LEDGERS_TABLE } from "../../arrow/ledger-summary-batch.ts";
import { sqlString } from "../duckdb/sql-string.ts";
import { parquetSelectList } from "../duckdb/table-sql.ts";
import { writeAtomically } from "./atomic-file.ts";
import { rangeFilter, type ExportRanges, type RangeFilter } from "./export-range.ts";

export interface ParquetExportCounts {
  /** Rows written to ttp_events.parquet. */
  readonly events: number;
  /** Rows written to ledgers.parquet. */
  readonly ledgers: number;
}

// Amounts are written as DECIMAL(38, 0) (a 16-byte fixed-length decimal in the file, read back as
// DECIMAL(38,0): see parquetSelectList), which holds |amount| < 10^38, a little less than i128's
// range; amounts beyond it are refused, not rounded.
const DECIMAL_38_MAX = "99999999999999999999999999999999999999";

const events = (filter: RangeFilter) => `
  SELECT ${parquetSelectList(TTP_EVENTS)} FROM ttp_events
  WHERE ${filter.where("ledger_sequence")}
  ORDER BY ledger_sequence, event_index`;

const ledgers = (filter: RangeFilter) => `SELECT ${parquetSelectList(LEDGERS_TABLE)} FROM ledgers WHERE ${filter.where("sequence")} ORDER BY sequence`;

const EVENTS_FILE = "ttp_events.parquet";
const LEDGERS_FILE = "ledgers.parquet";

/** The files exportParquet writes into `dir`. */
export function parquetExportFiles(dir: string): [events: string, ledgers: string] {
  return [join(dir, EVENTS_FILE), join(dir, LEDGERS_FILE)];
}

/**
 * Writes the events and ledgers of `range` (one range or several) to `dir`/ttp_events.parquet and
 * `dir`/ledgers.parquet (zstd), creating `dir`. Both files come from one snapshot of the database,
 * and replace earlier ones only once both are complete (./atomic-file.ts).
 * Column types are DuckDB's, except amount: DECIMAL(38,0), see above.
 */
export async function exportParquet(connection: DuckDBConnection, range: ExportRanges, dir: string): Promise<ParquetExportCounts> {
  const filter = rangeFilter(range);
  const { parameters } = filter;
  const copy = async (select: string, file: string): Promise<number> => {
    const result = await connection.runAndReadAll(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`, parameters);
    return Number(result.getRows()[0]?.[0] ?? 0);
  };
  try {
    mkdirSync(dir, { recursive: true });
    return await writeAtomically(parquetExportFiles(dir), async ([eventsFile, ledgersFile]) => {
      await connection.run("BEGIN TRANSACTION");
      try {
        await refuseWideAmounts(connection, filter);
        const eventRows = await copy(events(filter), eventsFile!);
        const ledgerRows = await copy(ledgers(filter), ledgersFile!);
        await connection.run("COMMIT");
        return { events: eventRows, ledgers: ledgerRows };
      } catch (error) {
        await connection.run("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  } catch (error) {
    throw new Error(`Cannot export ledgers ${filter.text} as Parquet to ${dir}: ${duckdbErrorLine(error)}`, { cause: error });
  }
}

async function refuseWideAmounts(connection: DuckDBConnection, filter: RangeFilter): Promise<void> {
  const reader = await connection.runAndReadAll(
    `SELECT ledger_sequence, event_index, CAST(amount AS VARCHAR) FROM ttp_events
     WHERE ${filter.where("ledger_sequence")}
       AND (amount > ${DECIMAL_38_MAX} OR amount < -${DECIMAL_38_MAX})
     ORDER BY ledger_sequence, event_index LIMIT 1`,
    filter.parameters,
  );
  const row = reader.getRows()[0];
  if (row) {
    throw new Error(
      `event ${row[1]} of ledger ${row[0]} has amount ${row[2]}, beyond Parquet's DECIMAL(38,0); export these ledgers as NDJSON instead`,
    );
  }
}
