// The tables the sink writes: `ttp_events` (the data contract in ../shared/ENGINEERING.md),
// `ledgers` (one row per processed ledger), `sink_cursor` (the last committed ledger) and `sink_start`
// (a start the operator asked for that no commit has begun yet).
// Column order matches ttpEventSchema and ledgerSummarySchema: the appender fills columns by position.
import type { DuckDBConnection } from "@duckdb/node-api";

// No PRIMARY KEY / UNIQUE on (ledger_sequence, event_index): the write protocol (delete the batch's
// ledgers, then append them, in one transaction) already keeps it unique. Measured with 200k events
// in 5k-row batches, a primary key's ART index made appends ~12% slower and range rewrites ~30%
// slower, and the index lives in memory and grows with the table. Deleting a ledger range stays cheap
// without an index: rows arrive in ledger order, so DuckDB's per-row-group min/max skips the rest.
const TTP_EVENTS = `
CREATE TABLE IF NOT EXISTS ttp_events (
  ledger_sequence   UINTEGER    NOT NULL,
  closed_at         TIMESTAMPTZ NOT NULL,
  tx_hash           VARCHAR     NOT NULL,
  transaction_index UINTEGER    NOT NULL,
  operation_index   UINTEGER,
  event_index       UINTEGER    NOT NULL,
  event_type        VARCHAR     NOT NULL,
  from_address      VARCHAR,
  to_address        VARCHAR,
  asset             VARCHAR,
  amount            HUGEINT     NOT NULL,
  contract_address  VARCHAR     NOT NULL,
  to_muxed_type     VARCHAR,
  to_muxed_value    VARCHAR
)`;

const LEDGERS = `
CREATE TABLE IF NOT EXISTS ledgers (
  sequence            UINTEGER PRIMARY KEY,
  hash                VARCHAR     NOT NULL,
  previous_hash       VARCHAR     NOT NULL,
  closed_at           TIMESTAMPTZ NOT NULL,
  protocol_version    UINTEGER    NOT NULL,
  successful_tx_count UINTEGER    NOT NULL,
  failed_tx_count     UINTEGER    NOT NULL,
  operation_count     UINTEGER    NOT NULL,
  event_count         UINTEGER    NOT NULL
)`;

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
  for (const ddl of [TTP_EVENTS, LEDGERS, SINK_CURSOR, SINK_START]) await connection.run(ddl);
  await connection.run("INSERT INTO sink_cursor SELECT 1, NULL WHERE NOT EXISTS (SELECT * FROM sink_cursor)");
}
