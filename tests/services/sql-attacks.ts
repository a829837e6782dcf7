// The attacks of issue 12 on the SQL surface (items 1-3), as SQL over a set of canary files, shared
// by the in-process tests and those against `bun run sink` and `bun run pipeline` as processes.
import { join } from "node:path";
import type { Canaries } from "../support/canaries.ts";

export interface Attack {
  readonly name: string;
  readonly sql: string;
  /** What the refusal must say (the check that stops it, not DuckDB's sandbox behind it). */
  readonly refusal: RegExp;
  /** A path that must not exist afterwards. */
  readonly creates?: string;
}

/** A CTE named like a path, read through the CTE's own body (which DuckDB resolves to the file). */
const pathCte = (path: string, column = "*") => `WITH "${path}" AS (SELECT ${column} FROM '${path}') SELECT * FROM "${path}"`;

export function attacks(c: Canaries): Attack[] {
  const notATable = /is not a table of this database|CTE name .* is not allowed/;
  return [
    // item 1: a CTE name equal to a path
    { name: "a CTE named after a Parquet file reads it", sql: pathCte(c.parquet), refusal: /CTE name .* is not allowed/ },
    { name: "a CTE named after a CSV file reads it", sql: pathCte(c.csv), refusal: /CTE name .* is not allowed/ },
    { name: "a CTE named after a JSON file reads it", sql: pathCte(c.json), refusal: /CTE name .* is not allowed/ },
    { name: "a CTE named after a glob lists files (filename)", sql: pathCte(join(c.dir, "*.csv"), "filename"), refusal: /CTE name .* is not allowed/ },
    {
      name: "a CTE of a sibling scope does not make a path a table",
      sql: `SELECT * FROM (WITH "${c.csv}" AS (SELECT 1) SELECT 1) AS s, '${c.csv}'`,
      refusal: /CTE name .* is not allowed/,
    },
    {
      name: "a plain-named CTE of a subquery does not count outside it",
      sql: `SELECT * FROM (WITH secret AS (SELECT 1) SELECT 1) AS s, secret`,
      refusal: notATable,
    },
    {
      name: "a CTE does not see the CTEs defined after it",
      sql: `WITH a AS (SELECT * FROM later), later AS (SELECT 1) SELECT * FROM a`,
      refusal: notATable,
    },
    { name: "DESCRIBE of a path", sql: `DESCRIBE '${c.csv}'`, refusal: notATable },
    { name: "SUMMARIZE of a path", sql: `SUMMARIZE '${c.parquet}'`, refusal: notATable },
    // item 2: refused statements are never prepared, so binder errors never quote a file
    {
      name: "EXPLAIN with a binder error over read_csv (Candidate bindings)",
      sql: `EXPLAIN SELECT nonexistent FROM read_csv('${c.passwd}', header=true, delim='|')`,
      refusal: /only SELECT statements are allowed; this is an EXPLAIN statement/,
    },
    {
      name: "EXPLAIN walking a file line by line with skip",
      sql: `EXPLAIN SELECT nonexistent FROM read_csv('${c.passwd}', header=true, delim='|', skip=1)`,
      refusal: /this is an EXPLAIN statement/,
    },
    { name: "CALL read_csv of a file that exists", sql: `CALL read_csv('${c.csv}')`, refusal: /this is a CALL statement/ },
    { name: "CALL read_csv of a file that does not", sql: `CALL read_csv('${join(c.dir, "absent.csv")}')`, refusal: /this is a CALL statement/ },
    { name: "IMPORT DATABASE (its files were read while splitting statements)", sql: `IMPORT DATABASE '${c.exported}'`, refusal: /this is an IMPORT statement/ },
    {
      name: "json_serialize_plan binds SQL text of its own",
      sql: `SELECT json_serialize_plan('SELECT nonexistent FROM read_csv(''${c.passwd}'', header=true, delim=''|'')')`,
      refusal: /function json_serialize_plan\(\) is not allowed/,
    },
    // item 3: preparing a refused statement had side effects
    { name: "EXPORT DATABASE creates its directory", sql: `EXPORT DATABASE '${join(c.dir, "export-here")}'`, refusal: /this is an EXPORT statement/, creates: join(c.dir, "export-here") },
    { name: "current_setting of an httpfs setting (downloads httpfs)", sql: "SELECT current_setting('s3_secret_access_key')", refusal: /function current_setting\(\) is not allowed/ },
    { name: "CREATE SECRET of type s3 (downloads httpfs)", sql: "CREATE SECRET leak (TYPE s3, KEY_ID 'k', SECRET 's')", refusal: /this is a CREATE statement/ },
  ];
}

/** Statements that must keep working (over ledgers 100-109 of tests/sink/fixtures.ts), with their first value. */
export const ALLOWED: readonly { readonly sql: string; readonly first: string }[] = [
  { sql: "WITH x AS (SELECT 1 AS one) SELECT one FROM x", first: "1" },
  { sql: "WITH b AS (SELECT 2 AS v), a AS (SELECT v FROM b) SELECT v FROM a", first: "2" },
  { sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT sum(n) FROM r", first: "10" },
  { sql: "WITH ttp_events AS (SELECT 7 AS n) SELECT n FROM ttp_events", first: "7" },
  { sql: "WITH x AS (SELECT 3 AS n) SELECT (SELECT n FROM x) + (SELECT count(*) FROM (WITH x AS (SELECT 1) SELECT * FROM x))", first: "4" },
  { sql: "WITH x AS (SELECT 5 AS n) SELECT n FROM x UNION ALL SELECT n FROM x ORDER BY 1 LIMIT 1", first: "5" },
  { sql: "DESCRIBE ttp_events", first: "ledger_sequence" },
  { sql: "SHOW TABLES", first: "ledgers" },
  { sql: "SELECT count(*) FROM (SUMMARIZE ledgers)", first: "9" },
  { sql: "PIVOT (SELECT event_type FROM ttp_events WHERE ledger_sequence = 100) ON event_type IN ('fee', 'transfer') USING count(*)", first: "1" },
];
