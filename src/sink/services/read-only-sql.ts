// The fence of the SQL surface: one SELECT over the database's own tables, nothing else.
// 1. exactly one statement (DuckDB's own statement splitter, not a regex);
// 2. its prepared type is SELECT (INSERT, DROP, SET, PRAGMA, COPY, ATTACH, INSTALL, LOAD... are not);
// 3. its parse tree (json_serialize_sql) reads only tables and views of the database or CTEs: no
//    table function that reads files (read_csv, read_text, read_parquet, glob, query...), no
//    replacement scan of a path ('/etc/passwd'), no other catalog (an attached database).
import { Code, ConnectError } from "@connectrpc/connect";
import type { DuckDBConnection, DuckDBExtractedStatements, DuckDBPreparedStatement } from "@duckdb/node-api";

/** Table functions that compute rows and touch nothing. */
const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(["range", "generate_series", "unnest"]);
const SELECT_STATEMENT = 1; // StatementType.SELECT of @duckdb/node-api

/** A refusal: a plain ConnectError (connect-es recognizes no subclass of it as a ConnectError). */
export function refused(reason: string, code: Code = Code.PermissionDenied): ConnectError {
  return new ConnectError(reason, code);
}

/** A ConnectError, by shape (`instanceof` is not reliable for errors that crossed Bun's async boundaries here). */
export function isConnectError(error: unknown): error is ConnectError {
  return error instanceof Error && typeof (error as Partial<ConnectError>).code === "number" && typeof (error as Partial<ConnectError>).rawMessage === "string";
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Prepares `sql` after checking it; throws a refusal (ConnectError) (or InvalidArgument for bad SQL). */
export async function prepareReadOnly(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  if (sql.trim() === "") throw refused("sql is empty: give one SELECT statement", Code.InvalidArgument);
  let extracted;
  try {
    extracted = await connection.extractStatements(sql);
  } catch (error) {
    throw refused(`sql does not parse: ${messageOf(error)}`, Code.InvalidArgument);
  }
  if (extracted.count !== 1) {
    throw refused(`sql holds ${extracted.count} statements; only one SELECT statement is allowed`, Code.InvalidArgument);
  }
  // The parse tree first: binding (prepare) would already open a file named in the query.
  const tree = await parseTree(connection, sql);
  if (tree.error) {
    const prepared = await prepare(extracted);
    if (prepared.statementType !== SELECT_STATEMENT) throw refused(`only SELECT statements are allowed; this is a ${statementName(sql)} statement`);
    throw refused(`only plain SELECT statements are allowed (${statementName(sql)} is not): ${tree.error_message ?? "the statement cannot be analysed"}`);
  }
  await checkRelations(connection, tree);
  const prepared = await prepare(extracted);
  if (prepared.statementType !== SELECT_STATEMENT) {
    throw refused(`only SELECT statements are allowed; this is a ${statementName(sql)} statement`);
  }
  return prepared;
}

/** The first keyword, for the message ("INSERT", "COPY", ...). */
function statementName(sql: string): string {
  const word = /^[\s(]*([A-Za-z]+)/.exec(sql.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)*/g, ""))?.[1];
  return word ? word.toUpperCase() : "non-SELECT";
}

interface ParseTree {
  readonly error?: boolean;
  readonly error_message?: string;
  readonly statements?: unknown[];
}

async function parseTree(connection: DuckDBConnection, sql: string): Promise<ParseTree> {
  const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  return JSON.parse(String(reader.getRows()[0]?.[0])) as ParseTree;
}

async function prepare(extracted: DuckDBExtractedStatements): Promise<DuckDBPreparedStatement> {
  try {
    return await extracted.prepare(0);
  } catch (error) {
    const message = messageOf(error);
    if (/permission|disabled by configuration|lock_configuration/i.test(message)) throw refused(`refused: ${message}`);
    throw refused(`sql cannot be prepared: ${message}`, Code.InvalidArgument);
  }
}

async function checkRelations(connection: DuckDBConnection, tree: ParseTree): Promise<void> {
  const known = await knownRelations(connection);
  const ctes = new Set<string>();
  collect(tree, (node) => {
    const map = (node["cte_map"] as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) ctes.add(entry.key.toLowerCase());
  });
  collect(tree, (node) => {
    if (node["type"] === "TABLE_FUNCTION") {
      const name = String((node["function"] as Record<string, unknown> | undefined)?.["function_name"] ?? "?");
      if (!ALLOWED_TABLE_FUNCTIONS.has(name.toLowerCase())) {
        throw refused(`table function ${name}() is not allowed: queries may read only the database's tables (${[...known].join(", ")})`);
      }
    }
    if (node["type"] === "BASE_TABLE") {
      const name = String(node["table_name"]);
      const catalog = String(node["catalog_name"] ?? "");
      const schema = String(node["schema_name"] ?? "");
      const plain = catalog === "" && (schema === "" || schema === "main");
      if (!plain || !(known.has(name.toLowerCase()) || (schema === "" && ctes.has(name.toLowerCase())))) {
        const shown = [catalog, schema, name].filter((part) => part !== "").join(".");
        throw refused(`"${shown}" is not a table of this database: queries may read only ${[...known].join(", ")} (no files, no other databases)`);
      }
    }
  });
}

/** Tables and views of the database's main schema, lowercase. */
async function knownRelations(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' " +
      "UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal",
  );
  return new Set(reader.getRows().map((row) => String(row[0]).toLowerCase()));
}

function collect(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, visit);
  } else if (value !== null && typeof value === "object") {
    visit(value as Record<string, unknown>);
    for (const child of Object.values(value)) collect(child, visit);
  }
}
