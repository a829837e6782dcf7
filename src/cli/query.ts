// bun run query "SQL" [--db PATH | --url URL] [--format table|json|csv]: SQL over the pipeline's
// DuckDB, read-only: the file itself, or through the QueryService of the sink that holds it.
import { parseDuration } from "../flowctl/duration.ts";
import { SINK_KIND } from "../component/kinds.ts";
import { apiTokenFromEnv } from "../http/api-token.ts";
import { SinkBusyError } from "../sink/ledger-sink.ts";
import { queryDatabaseFile, queryDataset } from "../sink/query/query-file.ts";
import { querySink } from "../sink/query/remote-query.ts";
import { QUERY_FORMATS, renderResult, type QueryFormat, type QueryResultText } from "../sink/query/render-result.ts";
import { messageOf } from "../common/message-of.ts";
import { readFlags, UsageError } from "./flags.ts";
import { parseFlags, runCommand } from "./command.ts";
import { listeningPorts } from "./listening-ports.ts";
import { DEFAULT_DB_PATH } from "./pipeline-args.ts";

const DEFAULT_TIMEOUT = "60s";

const HELP = `Usage: bun run query "SQL" [--db PATH | --url URL] [--dataset DIR] [--format table|json|csv]

Runs SQL on the pipeline's DuckDB database, opened read-only (statements that write are refused),
or, with --url, through the QueryService of the sink that holds it while a pipeline runs.

Options:
  --db PATH        database file (default ${DEFAULT_DB_PATH})
  --url URL        a running sink instead of the file, e.g. http://127.0.0.1:8090 (the sink's port:
                   8090 by default); its SQL surface takes one SELECT and caps the rows it returns
  --token TOKEN    the sink's STELLAR_FLOW_API_TOKEN (default: $STELLAR_FLOW_API_TOKEN)
  --timeout DURATION  how long to wait for the sink's answer (default ${DEFAULT_TIMEOUT})
  --dataset DIR    a backfill dataset (bun run backfill --out DIR): ttp_events and ledgers are its
                   rows (the files its manifests list); with --db as well, the database's rows of
                   the ledgers after it too, as one table
  --format FORMAT  table (default): aligned text with a row count
                   json: an array of row objects; 64- and 128-bit integers and decimals as strings
                   csv: a header line, then the rows; NULL as an empty field
  -h, --help       this text

Integers print exactly, timestamps as ISO-8601 (TIMESTAMPTZ in UTC), NULL as NULL, alike from the
file and from a sink.
Tables: ttp_events (one row per TTP event), ledgers (one row per ledger), sink_cursor.

Examples:
  bun run query "SELECT event_type, count(*) AS events, sum(amount) AS amount FROM ttp_events GROUP BY ALL"
  bun run query "SELECT * FROM ledgers ORDER BY sequence DESC LIMIT 5" --format json
  bun run query --url http://127.0.0.1:8090 "SELECT max(ledger_sequence) FROM ttp_events"`;

const OPTIONS = {
  db: { type: "string" },
  dataset: { type: "string" },
  url: { type: "string" },
  token: { type: "string" },
  timeout: { type: "string" },
  format: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

interface QueryArgs {
  readonly help: boolean;
  readonly sql: string;
  readonly format: QueryFormat;
  readonly target:
    | { readonly db: string }
    | { readonly dataset: string; readonly db: string | null }
    | { readonly url: string; readonly token: string | null; readonly timeoutMs: number };
}

function parseQueryArgs(argv: readonly string[]): QueryArgs {
  const { values, positionals } = readFlags("bun run query", argv, OPTIONS, { positionals: true });
  const help = values.help ?? false;
  const format = (values.format ?? "table") as QueryFormat;
  if (!QUERY_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${QUERY_FORMATS.join(", ")}, got "${values.format}"`);
  if (!help && positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "give the SQL to run, quoted: bun run query \"SELECT ...\"" : `give exactly one SQL string (quote it); got ${positionals.length} arguments`);
  }
  if (values.url !== undefined && values.db !== undefined) throw new UsageError("--db and --url both name what to query: give one");
  if (values.url !== undefined && values.dataset !== undefined) throw new UsageError("--dataset goes with a database file (--db), not with --url");
  let target: QueryArgs["target"];
  if (values.url !== undefined) {
    if (!/^https?:\/\/[^/]+\/?$/.test(values.url)) throw new UsageError(`--url must be a sink's address such as http://127.0.0.1:8090, got "${values.url}"`);
    let timeoutMs: number;
    try {
      timeoutMs = parseDuration(values.timeout ?? DEFAULT_TIMEOUT);
    } catch (error) {
      throw new UsageError(`--timeout: ${messageOf(error)}`);
    }
    if (!(timeoutMs >= 1)) throw new UsageError(`--timeout must be positive, got "${values.timeout}"`);
    target = { url: values.url.replace(/\/$/, ""), token: values.token ?? apiTokenFromEnv(process.env), timeoutMs };
  } else {
    for (const flag of ["token", "timeout"] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --url`);
    target = values.dataset !== undefined ? { dataset: values.dataset, db: values.db ?? null } : { db: values.db ?? DEFAULT_DB_PATH };
  }
  return { help, sql: positionals[0] ?? "", format, target };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseFlags(() => parseQueryArgs(argv), HELP);
  if (typeof args === "number") return args;
  const { target } = args;
  let result: QueryResultText;
  try {
    result = "url" in target ? await querySink(target.url, args.sql, target) : "dataset" in target ? await queryDataset(target.dataset, target.db, args.sql) : await queryDatabaseFile(target.db, args.sql);
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    if (error instanceof SinkBusyError) console.error(`hint: ${await busyHint(error)}`);
    return 1;
  }
  console.log(renderResult(result, args.format));
  if (result.truncated) console.error(`note: the sink returned its first ${result.rows.length} rows only (its --query-max-rows): narrow the query (WHERE, LIMIT) or aggregate`);
  return 0;
}

/** What to run while a pipeline holds the file: its sink's QueryService, at the address found when it can be. */
async function busyHint(error: SinkBusyError): Promise<string> {
  const url = error.pid === null ? null : await sinkUrlOf(error.pid, apiTokenFromEnv(process.env));
  const example = `bun run query --url ${url ?? "http://127.0.0.1:8090"} "SQL"`;
  return url
    ? `query it through that process's sink while it runs: ${example}`
    : `if it is a pipeline or a sink, query it through the sink while it runs: ${example} (the sink's port: 8090 unless --health-ports or --port chose another)`;
}

/** The URL of the sink that process `pid` serves, asked of its listening ports' /health; null when none says so. */
async function sinkUrlOf(pid: number, token: string | null): Promise<string | null> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  for (const port of listeningPorts(pid)) {
    const url = `http://127.0.0.1:${port}`;
    try {
      const health = (await (await fetch(`${url}/health`, { headers, signal: AbortSignal.timeout(1000) })).json()) as { component?: unknown };
      if (health.component === SINK_KIND.componentId) return url;
    } catch {
      // not a component's server, or not answering: try the next
    }
  }
  return null;
}

await runCommand(main);
