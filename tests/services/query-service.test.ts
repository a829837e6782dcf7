// QueryService: one SELECT over the database's tables, nothing else; timeout and row cap.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { QueryService } from "../../src/gen/stellarflow/v1/query_service_pb.ts";
import { tempDir } from "../sink/fixtures.ts";
import { servicesHarness, type ServicesHarness } from "./support.ts";

let h: ServicesHarness;
let client: ReturnType<typeof createClient<typeof QueryService>>;
const outside = tempDir("stellar-flow-outside-");

beforeAll(async () => {
  h = await servicesHarness({ query: { timeoutMs: 1500, maxRows: 50 } });
  await h.commit(100, 109); // 40 events
  client = createClient(QueryService, createConnectTransport({ baseUrl: h.server.url, defaultTimeoutMs: 20_000 }));
});
afterAll(async () => {
  await h.close();
  outside.remove();
});

async function refusal(sql: string): Promise<ConnectError> {
  try {
    await client.query({ sql });
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error(`not refused: ${sql}`);
}

describe("QueryService", () => {
  test("a SELECT answers columns and exact values", async () => {
    const answer = await client.query({ sql: "SELECT count(*) AS n, max(amount) AS top FROM ttp_events" });
    expect(answer.columns.map((c) => c.name)).toEqual(["n", "top"]);
    expect(answer.rows[0]!.values.map((v) => v.text)).toEqual(["40", String(2n ** 64n + 7n)]);
    expect(answer.truncated).toBe(false);
  });

  test("WITH, joins and NULLs", async () => {
    const answer = await client.query({ sql: "WITH l AS (SELECT * FROM ledgers) SELECT e.asset FROM ttp_events e JOIN l ON l.sequence = e.ledger_sequence WHERE e.ledger_sequence = 100 ORDER BY e.event_index" });
    expect(answer.rows.map((r) => r.values[0]!.text ?? null)).toEqual(["native", "native", null, "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"]);
  });

  test("the row cap: max_rows, and the server's cap above it", async () => {
    const few = await client.query({ sql: "SELECT * FROM ttp_events", maxRows: 7 });
    expect(few.rows.length).toBe(7);
    expect(few.truncated).toBe(true);
    const capped = await client.query({ sql: "SELECT * FROM range(1000)", maxRows: 100_000 });
    expect(capped.rows.length).toBe(50);
    expect(capped.truncated).toBe(true);
  });

  const forbidden: [string, string, Code, RegExp][] = [
    ["read_csv of /etc/passwd", "SELECT * FROM read_csv('/etc/passwd')", Code.PermissionDenied, /read_csv\(\) is not allowed/],
    ["read_text", "SELECT (SELECT content FROM read_text('/etc/hostname'))", Code.PermissionDenied, /read_text\(\) is not allowed/],
    ["a path as a table", "SELECT * FROM '/etc/passwd'", Code.PermissionDenied, /not a table of this database/],
    ["a URL as a table (no httpfs autoload, no network)", "SELECT * FROM 'https://example.invalid/x.parquet'", Code.PermissionDenied, /not a table of this database/],
    ["read_parquet of a URL", "SELECT * FROM read_parquet('https://example.invalid/x.parquet')", Code.PermissionDenied, /read_parquet\(\) is not allowed/],
    ["a file reader in a subquery of a CTE", "WITH x AS (SELECT * FROM ttp_events WHERE tx_hash IN (SELECT * FROM read_text('/etc/hostname'))) SELECT * FROM x", Code.PermissionDenied, /read_text\(\) is not allowed/],
    ["COPY ... TO", `COPY ttp_events TO '${join(outside.path, "out.csv")}'`, Code.PermissionDenied, /only SELECT statements are allowed; this is a COPY statement/],
    ["ATTACH", `ATTACH '${join(outside.path, "other.duckdb")}' AS other`, Code.PermissionDenied, /this is an ATTACH statement/],
    ["INSTALL", "INSTALL httpfs", Code.PermissionDenied, /this is an INSTALL statement/],
    ["LOAD", "LOAD httpfs", Code.PermissionDenied, /this is a LOAD statement/],
    ["INSERT", "INSERT INTO sink_cursor VALUES (2, 5)", Code.PermissionDenied, /this is an INSERT statement/],
    ["DROP", "DROP TABLE ttp_events", Code.PermissionDenied, /this is a DROP statement/],
    ["DELETE", "DELETE FROM ttp_events", Code.PermissionDenied, /this is a DELETE statement/],
    ["UPDATE", "UPDATE sink_cursor SET last_ledger = 1", Code.PermissionDenied, /this is an UPDATE statement/],
    ["CREATE", "CREATE TABLE x AS SELECT 1", Code.PermissionDenied, /this is a CREATE statement/],
    ["SET", "SET enable_external_access = true", Code.PermissionDenied, /this is a SET statement/],
    ["PRAGMA", "PRAGMA database_list", Code.PermissionDenied, /this is a PRAGMA statement/],
    // refused by the parser before anything is prepared: only a SELECT parses into a SELECT tree
    ["several statements", "SELECT 1; DROP TABLE ttp_events", Code.PermissionDenied, /only one SELECT statement is allowed; sql holds 2 statements, one of them a DROP statement/],
    ["a SELECT then a SELECT", "SELECT 1; SELECT 2", Code.InvalidArgument, /holds 2 statements/],
    ["a second statement after a line comment", "SELECT 1; -- just a comment\nDROP TABLE ttp_events", Code.PermissionDenied, /sql holds 2 statements, one of them a DROP statement/],
    ["a COPY behind a block comment", `/* SELECT */ COPY ttp_events TO '${join(outside.path, "out.csv")}'`, Code.PermissionDenied, /this is a COPY statement/],
    ["another catalog", "SELECT * FROM system.main.duckdb_settings", Code.PermissionDenied, /not a table of this database/],
    ["query() of a string", "SELECT * FROM query('SELECT 1')", Code.PermissionDenied, /query\(\) is not allowed/],
    ["glob", "SELECT * FROM glob('/etc/*')", Code.PermissionDenied, /glob\(\) is not allowed/],
    ["a syntax error", "SELEC 1", Code.InvalidArgument, /does not parse/],
    ["empty sql", "  ", Code.InvalidArgument, /empty/],
  ];
  for (const [name, sql, code, message] of forbidden) {
    test(`refused: ${name}`, async () => {
      const error = await refusal(sql);
      expect(Code[error.code]).toBe(Code[code]);
      expect(error.rawMessage).toMatch(message);
      expect(error.rawMessage).not.toMatch(/^refused: \[|the query failed/);
    });
  }

  test("statements hidden in comments stay comments", async () => {
    const answer = await client.query({ sql: "SELECT 1 AS one /* ; DROP TABLE ttp_events */ -- ; DROP TABLE ledgers" });
    expect(answer.rows[0]!.values[0]!.text).toBe("1");
  });

  test("nothing was written, no file was created, and the data is intact", async () => {
    expect(existsSync(join(outside.path, "out.csv"))).toBe(false);
    expect(existsSync(join(outside.path, "other.duckdb"))).toBe(false);
    const answer = await client.query({ sql: "SELECT (SELECT count(*) FROM ttp_events), (SELECT last_ledger FROM sink_cursor)" });
    expect(answer.rows[0]!.values.map((v) => v.text)).toEqual(["40", "109"]);
  });

  test("a query past the statement timeout is interrupted (DeadlineExceeded) and the server goes on", async () => {
    const started = performance.now();
    const error = await refusal("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3");
    expect(Code[error.code]).toBe("DeadlineExceeded");
    expect(error.rawMessage).toMatch(/statement timeout of 1500 ms/);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect((await client.query({ sql: "SELECT 1" })).rows.length).toBe(1);
  });
});
