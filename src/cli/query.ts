// bun run query "SQL" [--db PATH] [--format table|json|csv]: SQL over the pipeline's DuckDB, read-only.
import { parseArgs } from "node:util";
import { messageOf } from "../common/message-of.ts";
import { QUERY_FORMATS, queryDatabaseFile, queryDataset, type QueryFormat } from "../sink/query/query-file.ts";
import { DEFAULT_DB_PATH } from "./pipeline-args.ts";

const HELP = `Usage: bun run query "SQL" [--db PATH] [--dataset DIR] [--format table|json|csv]

Runs SQL on the pipeline's DuckDB database, opened read-only (statements that write are refused).

Options:
  --db PATH        database file (default ${DEFAULT_DB_PATH})
  --dataset DIR    a backfill dataset (bun run backfill --out DIR): ttp_events and ledgers are its
                   rows (the files its manifests list); with --db as well, the database's rows of
                   the ledgers after it too, as one table
  --format FORMAT  table (default): aligned text with a row count
                   json: an array of row objects; 64- and 128-bit integers and decimals as strings
                   csv: a header line, then the rows; NULL as an empty field
  -h, --help       this text

Integers print exactly, timestamps as ISO-8601 (TIMESTAMPTZ in UTC), NULL as NULL.
Tables: ttp_events (one row per TTP event), ledgers (one row per ledger), sink_cursor.

Examples:
  bun run query "SELECT event_type, count(*) AS events, sum(amount) AS amount FROM ttp_events GROUP BY ALL"
  bun run query "SELECT * FROM ledgers ORDER BY sequence DESC LIMIT 5" --format json`;

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        db: { type: "string" },
        dataset: { type: "string" },
        format: { type: "string", default: "table" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    console.error(`${messageOf(error)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const format = values.format as QueryFormat;
  if (!QUERY_FORMATS.includes(format) || positionals.length !== 1) {
    const problem = positionals.length !== 1 ? "Give exactly one SQL string (quote it)." : `Unknown format "${values.format}".`;
    console.error(`${problem}\n\n${HELP}`);
    return 2;
  }
  try {
    const sql = positionals[0]!;
    console.log(values.dataset !== undefined ? await queryDataset(values.dataset, values.db ?? null, sql, format) : await queryDatabaseFile(values.db ?? DEFAULT_DB_PATH, sql, format));
    return 0;
  } catch (error) {
    console.error(messageOf(error));
    return 1;
  }
}

process.exitCode = await main(Bun.argv.slice(2));
