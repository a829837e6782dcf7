// What one parsed SELECT (a statement of json_serialize_sql) reads, checked against the database's
// own tables and views. A name in a FROM clause is a CTE only where DuckDB resolves it to that CTE:
// in the query that defines it (its body and the CTEs defined after it), and in its own recursive
// part; a CTE of a subquery, of one side of a UNION or of a sibling scope does not count there.
// Anything else that is not a table of the database would be a replacement scan: a file.
import type { DuckDBConnection } from "@duckdb/node-api";
import { refused } from "./refusal.ts";

type Node = Record<string, unknown>;
type Scope = ReadonlySet<string>;

/** Table functions that compute rows and touch nothing. */
const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(["range", "generate_series", "unnest"]);

/**
 * Scalar functions refused although they read no table: json_serialize_plan binds SQL text of its
 * own (a file reader in it would read the file), current_setting shows the instance's settings
 * (paths among them), write_log writes.
 */
const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set(["json_serialize_plan", "json_execute_serialized_sql", "current_setting", "write_log"]);

/** What may stand in a FROM clause. */
const TABLE_REFS: ReadonlySet<string> = new Set(["BASE_TABLE", "JOIN", "SUBQUERY", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY", "PIVOT", "SHOW_REF"]);

/** SHOW TABLES and SHOW ALL TABLES: the catalog's own lists of tables. */
const ALLOWED_SHOW_NAMES: ReadonlySet<string> = new Set(['"tables"', "__show_tables_expanded"]);

/** A CTE name that can only ever be a name: never a path, a URL or a glob. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws a refusal (ConnectError) naming the first thing `statement` would read beyond the database's tables. */
export async function checkRelations(connection: DuckDBConnection, statement: unknown): Promise<void> {
  new RelationCheck(await knownRelations(connection)).visit(statement, new Set());
}

class RelationCheck {
  constructor(private readonly known: ReadonlySet<string>) {}

  visit(value: unknown, scope: Scope): void {
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item, scope);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const node = value as Node;
    const inner = this.withCtes(node, scope);
    switch (node["type"]) {
      case "BASE_TABLE":
        this.baseTable(node, inner);
        break;
      case "TABLE_FUNCTION":
        this.tableFunction(node);
        break;
      case "SHOW_REF":
        this.showRef(node);
        break;
      case "RECURSIVE_CTE_NODE": {
        // the anchor (left) runs before the CTE exists; the recursive part reads it
        const self = new Set(inner).add(String(node["cte_name"]).toLowerCase());
        for (const [key, child] of Object.entries(node)) this.visit(child, key === "left" ? inner : self);
        return;
      }
    }
    if (node["class"] === "FUNCTION") this.scalarFunction(node);
    for (const [key, child] of Object.entries(node)) {
      if (key === "cte_map") continue;
      if (isTableRefSlot(node, key)) this.tableRef(child);
      this.visit(child, inner);
    }
  }

  /** Checks the CTEs a query node defines; answers the scope of its body. Each CTE sees those before it. */
  private withCtes(node: Node, scope: Scope): Scope {
    const entries = (node["cte_map"] as { map?: { key?: unknown; value?: unknown }[] } | undefined)?.map;
    if (!entries || entries.length === 0) return scope;
    let visible = new Set(scope);
    for (const entry of entries) {
      const name = String(entry.key);
      if (!PLAIN_NAME.test(name)) throw refused(`the CTE name "${name}" is not allowed: name CTEs with letters, digits and _ only (not a path, a URL or a pattern)`);
      this.visit(entry.value, visible);
      visible = new Set(visible).add(name.toLowerCase());
    }
    return visible;
  }

  private baseTable(node: Node, scope: Scope): void {
    const name = String(node["table_name"]);
    const catalog = String(node["catalog_name"] ?? "");
    const schema = String(node["schema_name"] ?? "");
    const lower = name.toLowerCase();
    if (catalog === "" && schema === "" && scope.has(lower)) return;
    if (catalog === "" && (schema === "" || schema.toLowerCase() === "main") && this.known.has(lower)) return;
    const shown = [catalog, schema, name].filter((part) => part !== "").join(".");
    throw refused(`"${shown}" is not a table of this database, nor a CTE defined where it is read: queries may read only ${this.tables()} (no files, no other databases)`);
  }

  private tableFunction(node: Node): void {
    const name = String((node["function"] as Node | undefined)?.["function_name"] ?? "?");
    if (!ALLOWED_TABLE_FUNCTIONS.has(name.toLowerCase())) {
      throw refused(`table function ${name}() is not allowed: queries may read only the database's tables (${this.tables()})`);
    }
  }

  private scalarFunction(node: Node): void {
    const name = String(node["function_name"] ?? "");
    if (REFUSED_FUNCTIONS.has(name.toLowerCase())) throw refused(`function ${name}() is not allowed on this server`);
  }

  private showRef(node: Node): void {
    if (node["query"] !== undefined && node["query"] !== null) return; // DESCRIBE, SUMMARIZE, SHOW of a query: checked as one
    const name = String(node["table_name"] ?? "");
    if (!ALLOWED_SHOW_NAMES.has(name)) throw refused(`SHOW ${name.replaceAll('"', "")} is not allowed: SHOW TABLES, DESCRIBE and SUMMARIZE of the database's tables are`);
  }

  private tableRef(value: unknown): void {
    const type = (value as Node | null)?.["type"];
    if (typeof type !== "string" || !TABLE_REFS.has(type)) throw refused(`a FROM clause of type ${String(type)} is not allowed here`);
  }

  private tables(): string {
    return [...this.known].join(", ");
  }
}

/** Whether `node[key]` holds a table reference (a FROM item). */
function isTableRefSlot(node: Node, key: string): boolean {
  if (key === "from_table") return true;
  if (node["type"] === "JOIN") return key === "left" || key === "right";
  if (node["type"] === "PIVOT") return key === "source";
  return false;
}

/** Tables and views of the database's main schema, lowercase. */
async function knownRelations(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' " +
      "UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal",
  );
  return new Set(reader.getRows().map((row) => String(row[0]).toLowerCase()));
}
