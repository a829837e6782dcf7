// The statement check of the SQL surface: one SELECT over the database's own tables, nothing else.
// It is the second fence: the instance runs under DuckDB's own sandbox (../duckdb/sandbox.ts).
// Everything is decided on the parse tree alone (json_serialize_sql, DuckDB's parser and nothing
// more): a statement is prepared only once it passed, because binding already reads files, downloads
// extensions and creates directories, and DuckDB's binder errors quote what it read. Not even
// extractStatements runs first: it expands IMPORT DATABASE by reading the directory's files.
// 1. exactly one statement, and a SELECT (json_serialize_sql serializes nothing else);
// 2. it reads only tables and views of the database, or CTEs in scope where they are read: no
//    table function that reads files (read_csv, read_text, read_parquet, glob, query...), no
//    replacement scan of a path ('/etc/passwd'), no other catalog (an attached database), no
//    function that binds SQL text of its own (json_serialize_plan).
import { Code } from "@connectrpc/connect";
import type { DuckDBConnection, DuckDBPreparedStatement } from "@duckdb/node-api";
import { refused } from "./refusal.ts";
import { checkRelations } from "./sql-relations.ts";
import { messageOf } from "../../common/message-of.ts";

const SELECT_STATEMENT = 1; // StatementType.SELECT of @duckdb/node-api


/** Checks `sql` (checkReadOnly), then prepares it; throws a refusal (ConnectError). The caller destroys the statement. */
export async function prepareReadOnly(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  await checkReadOnly(connection, sql);
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await connection.prepare(sql);
  } catch (error) {
    const message = messageOf(error);
    if (/permission|disabled by configuration|lock_configuration/i.test(message)) throw refused(`refused: ${message}`);
    throw refused(`sql cannot be prepared: ${message}`, Code.InvalidArgument);
  }
  if (prepared.statementType !== SELECT_STATEMENT) {
    prepared.destroySync();
    throw refused(`only SELECT statements are allowed; this is ${statementKind(firstKeyword(sql) ?? "non-SELECT")}`);
  }
  return prepared;
}

/**
 * Refuses (ConnectError) anything but one SELECT over the database's tables, looking at its parse
 * tree only: nothing is prepared, bound or run.
 */
export async function checkReadOnly(connection: DuckDBConnection, sql: string): Promise<void> {
  if (sql.trim() === "") throw refused("sql is empty: give one SELECT statement", Code.InvalidArgument);
  const tree = await parseTree(connection, sql);
  if (tree.error) {
    if (tree.error_type === "parser") throw refused(`sql does not parse: ${tree.error_message ?? "syntax error"}`, Code.InvalidArgument);
    throw refused(notSelect(sql));
  }
  const statements = tree.statements ?? [];
  if (statements.length !== 1) {
    throw refused(`sql holds ${statements.length} statements; only one SELECT statement is allowed`, Code.InvalidArgument);
  }
  await checkRelations(connection, statements[0]);
}

interface ParseTree {
  readonly error?: boolean;
  readonly error_type?: string;
  readonly error_message?: string;
  readonly statements?: unknown[];
}

async function parseTree(connection: DuckDBConnection, sql: string): Promise<ParseTree> {
  const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  return JSON.parse(String(reader.getRows()[0]?.[0])) as ParseTree;
}

/** Statements the parser turns into a SELECT; any other first keyword names the kind of a refused statement. */
const SELECT_KEYWORDS = new Set(["SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SUMMARIZE", "SHOW", "PIVOT", "UNPIVOT"]);

/** The message for sql that holds a statement other than a SELECT (for the message only: the refusal is decided by the parser). */
function notSelect(sql: string): string {
  const keywords = withoutComments(sql).split(";").map(firstKeyword).filter((word): word is string => word !== null);
  const other = keywords.find((word) => !SELECT_KEYWORDS.has(word));
  if (keywords.length > 1) return `only one SELECT statement is allowed; sql holds ${keywords.length} statements${other ? `, one of them ${statementKind(other)}` : ""}`;
  if (other) return `only SELECT statements are allowed; this is ${statementKind(other)}`;
  return "only plain SELECT statements are allowed, and this one is not (a PIVOT must list its values: PIVOT t ON col IN (...))";
}

/** "an INSERT statement", "a COPY statement". */
function statementKind(keyword: string): string {
  return `${/^[AEIOU]/.test(keyword) ? "an" : "a"} ${keyword} statement`;
}

function withoutComments(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ");
}

/** The first keyword ("INSERT", "COPY", ...), or null for blank text. */
function firstKeyword(sql: string): string | null {
  const word = /^[\s(]*([A-Za-z]+)/.exec(withoutComments(sql))?.[1];
  return word ? word.toUpperCase() : null;
}
