// The tables the sink writes: `ttp_events` and `ledgers` as declared (src/arrow/event-batch.ts and
// ledger-summary-batch.ts: the appender fills their columns by position, in the declared order),
// `sink_cursor` (the last committed ledger) and `sink_start` (a start the operator asked for that no
// commit has begun yet).
import type { DuckDBConnection } from "@duckdb/node-api";
import { TTP_EVENTS } from "../../arrow/event-batch.ts";
import { LEDGERS } from "../../arrow/ledger-summary-batch.ts";
import { createTableSql } from "./table-sql.ts";


// Exactly one row (id = 1), created with the tables; last_ledger is NULL until the first commit.
// The sink moves it with a plain UPDATE, cheaper per write than an upsert.
const SINK_CURSOR = `
CREATE TABLE IF NOT EXISTS sink_cursor (
  id          UTINYINT PRIMARY KEY CHECK (id = 1),
  last_ledger UINTEGER
)`;

// A row (id = 1) while the operator's start (--start) is pending: recorded before any ledger is read,
// so that a run killed before its first commit is resumed from there rather than guessed;
// start_ledger NULL means "wherever the upstream begins". The next commit deletes it, in its own
// transaction. A table of its own: sink_cursor keeps the shape its readers know.
const SINK_START = `
CREATE TABLE IF NOT EXISTS sink_start (
  id           UTINYINT PRIMARY KEY CHECK (id = 1),
  start_ledger UINTEGER
)`;

/** Creates the sink's tables (and the cursor row) when they do not exist yet; existing rows are left alone. */
export async function createSchema(connection: DuckDBConnection): Promise<void> {
  for (const ddl of [createTableSql(TTP_EVENTS), createTableSql(LEDGERS), SINK_CURSOR, SINK_START]) await connection.run(ddl);
  await connection.run("INSERT INTO sink_cursor SELECT 1, NULL WHERE NOT EXISTS (SELECT * FROM sink_cursor)");
}
