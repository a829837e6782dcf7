// What a pipeline database holds, as one comparable digest: md5 over every column of both tables,
// in order (ttp_events by ledger and event index, ledgers by sequence), plus counts, the cursor and
// the ranges of ledgers held, so that a difference can be told in words.
import { DuckDBInstance } from "@duckdb/node-api";

export interface DatabaseDigest {
  readonly events: number;
  readonly ledgers: number;
  /** md5 of the per-ledger md5s of ttp_events rows (every column, in event order). */
  readonly eventsMd5: string;
  /** md5 over every ledgers row, in sequence order. */
  readonly ledgersMd5: string;
  /** The sink's cursor (last committed ledger), null if none. */
  readonly cursor: number | null;
  /** The ledgers held, as inclusive ranges, e.g. "1000000-1002999". */
  readonly ranges: string;
}

// A struct of the whole row cast to text covers every column, NULLs included. Hashing per ledger
// first keeps the strings small (a ledger's rows, then one md5 per ledger).
const EVENTS_SQL = `
  WITH per_ledger AS (
    SELECT ledger_sequence, md5(string_agg(t::VARCHAR, chr(10) ORDER BY event_index)) AS h, count(*) AS n
    FROM ttp_events t GROUP BY ledger_sequence
  )
  SELECT coalesce(sum(n), 0)::BIGINT, coalesce(md5(string_agg(h, '' ORDER BY ledger_sequence)), '') FROM per_ledger`;
const LEDGERS_SQL = `SELECT count(*)::BIGINT, coalesce(md5(string_agg(l::VARCHAR, chr(10) ORDER BY sequence)), '') FROM ledgers l`;
const RANGES_SQL = `
  SELECT min(sequence), max(sequence) FROM (SELECT sequence, sequence - row_number() OVER (ORDER BY sequence) AS run FROM ledgers)
  GROUP BY run ORDER BY 1`;

async function cursorOf(connection: Awaited<ReturnType<DuckDBInstance["connect"]>>): Promise<number | null> {
  try {
    const value = (await connection.runAndReadAll("SELECT max(last_ledger) FROM sink_cursor")).getRows()[0]?.[0];
    return value === null || value === undefined ? null : Number(value);
  } catch {
    return null; // no cursor table yet
  }
}

/** The digest of a database file (opened read-only; its writer must have ended). */
export async function databaseDigest(path: string): Promise<DatabaseDigest> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const tables = (await connection.runAndReadAll("SELECT table_name FROM information_schema.tables")).getRows().map((r) => String(r[0]));
    if (!tables.includes("ttp_events") || !tables.includes("ledgers")) {
      return { events: 0, ledgers: 0, eventsMd5: "", ledgersMd5: "", cursor: null, ranges: "none (no tables)" };
    }
    const [events, eventsMd5] = (await connection.runAndReadAll(EVENTS_SQL)).getRows()[0]!;
    const [ledgers, ledgersMd5] = (await connection.runAndReadAll(LEDGERS_SQL)).getRows()[0]!;
    const ranges = (await connection.runAndReadAll(RANGES_SQL)).getRows().map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
    return {
      events: Number(events),
      ledgers: Number(ledgers),
      eventsMd5: String(eventsMd5),
      ledgersMd5: String(ledgersMd5),
      cursor: await cursorOf(connection),
      ranges: ranges.length > 0 ? ranges.join(", ") : "none",
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export function sameRows(a: DatabaseDigest, b: DatabaseDigest): boolean {
  return a.eventsMd5 === b.eventsMd5 && a.ledgersMd5 === b.ledgersMd5 && a.events === b.events && a.ledgers === b.ledgers;
}
