// bun run query "SQL" [--db PATH] [--format table|json|csv]: SQL over the pipeline's DuckDB, read-only.
import { parseArgs } from "node:util";
import type { DuckDBResultReader } from "@duckdb/node-api";
import { messageOf } from "../sink/duckdb/message-of.ts";
import { DEFAULT_DATABASE_PATH, openDatabase } from "../sink/duckdb/open-database.ts";
import { formatCsv } from "../sink/query/format-csv.ts";
import { formatTable } from "../sink/query/format-table.ts";
import { isNumericType, valueJson, valueText } from "../sink/query/result-values.ts";

const HELP = `Usage: bun run query "SQL" [--db PATH] [--format table|json|csv]

Runs SQL on the pipeline's DuckDB database, opened read-only (statements that write are refused).

Options:
  --db PATH        database file (default ${DEFAULT_DATABASE_PATH})
  --format FORMAT  table (default): aligned text with a row count
                   json: an array of row objects; 64- and 128-bit integers and decimals as strings
                   csv: a header line, then the rows; NULL as an empty field
  -h, --help       this text

Integers print exactly, timestamps as ISO-8601 (TIMESTAMPTZ in UTC), NULL as NULL.
Tables: ttp_events (one row per TTP event), ledgers (one row per ledger), sink_cursor.

Examples:
  bun run query "SELECT event_type, count(*) AS events, sum(amount) AS amount FROM ttp_events GROUP BY ALL"
  bun run query "SELECT * FROM ledgers ORDER BY sequence DESC LIMIT 5" --format json`;

const FORMATS = ["table", "json", "csv"] as const;
type Format = (typeof FORMATS)[number];

function render(reader: DuckDBResultReader, format: Format): string {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const rows = reader.getRows();
  if (format === "json") {
    const objects = rows.map((row) => JSON.stringify(Object.fromEntries(names.map((name, c) => [name, valueJson(row[c]!, types[c]!)]))));
    return objects.length === 0 ? "[]" : `[\n${objects.join(",\n")}\n]`;
  }
  const texts = rows.map((row) => row.map((value, c) => valueText(value, types[c]!)));
  if (format === "csv") return formatCsv(names, texts);
  return formatTable({ columns: names.map((name, c) => ({ name, alignRight: isNumericType(types[c]!) })), rows: texts });
}

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        db: { type: "string", default: DEFAULT_DATABASE_PATH },
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
  const format = values.format as Format;
  if (!FORMATS.includes(format) || positionals.length !== 1) {
    const problem = positionals.length !== 1 ? "Give exactly one SQL string (quote it)." : `Unknown format "${values.format}".`;
    console.error(`${problem}\n\n${HELP}`);
    return 2;
  }
  let database;
  try {
    database = await openDatabase(values.db, { readOnly: true });
  } catch (error) {
    console.error(messageOf(error));
    return 1;
  }
  try {
    console.log(render(await database.connection.runAndReadAll(positionals[0]!), format));
    return 0;
  } catch (error) {
    console.error(messageOf(error));
    return 1;
  } finally {
    database.connection.closeSync();
    database.instance.closeSync();
  }
}

process.exitCode = await main(Bun.argv.slice(2));
