// NDJSON export of `ttp_events` rows, with the contract's column names.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbErrorLine } from "../duckdb/duckdb-error.ts";
import { TTP_EVENTS } from "../../arrow/event-batch.ts";
import { sqlString } from "../duckdb/sql-string.ts";
import { jsonSelectList } from "../duckdb/table-sql.ts";
import { writeAtomically } from "./atomic-file.ts";
import { rangeFilter, type ExportRanges } from "./export-range.ts";

// amount as a decimal string (JavaScript readers keep every digit); closed_at as ISO-8601 UTC in the
// form Date.prototype.toISOString() gives, whatever the session's TimeZone is.
const EVENT_COLUMNS = jsonSelectList(TTP_EVENTS);

/**
 * Writes the events of the ledgers of `range` (one range or several) to `file` (parent directories are created),
 * one JSON object per line, ordered by ledger_sequence, event_index; nulls stay null. The file is
 * replaced only once complete (./atomic-file.ts). Returns the number of rows written.
 */
export async function exportJson(connection: DuckDBConnection, range: ExportRanges, file: string): Promise<number> {
  const filter = rangeFilter(range);
  try {
    mkdirSync(dirname(file), { recursive: true });
    return await writeAtomically([file], async ([temporary]) => {
      const result = await connection.runAndReadAll(
        `COPY (
           SELECT ${EVENT_COLUMNS} FROM ttp_events
           WHERE ${filter.where("ledger_sequence")}
           ORDER BY ledger_sequence, event_index
         ) TO ${sqlString(temporary!)} (FORMAT json)`,
        filter.parameters,
      );
      return Number(result.getRows()[0]?.[0] ?? 0);
    });
  } catch (error) {
    throw new Error(`Cannot export the events of ledgers ${filter.text} to ${file}: ${duckdbErrorLine(error)}`, { cause: error });
  }
}
