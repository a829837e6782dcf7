// Random SQL aimed at the SQL surface's fences, from a seed: table functions that read files, paths
// and globs as tables and as CTE names (shadowing, sibling scopes, recursion), quoting, EXPLAIN,
// DESCRIBE, SUMMARIZE, SHOW, PIVOT/UNPIVOT, set operations, subqueries, statements that write or
// configure, several statements, comment tricks, and the database's own tables in between.
import { join } from "node:path";
import type { Canaries } from "../support/canaries.ts";

/** mulberry32: a small deterministic PRNG. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SqlFuzzer {
  private depth = 0;
  private readonly sets: readonly Canaries[];

  /** `also`: more canary sets, e.g. planted in an attached dataset's folder (which DuckDB's sandbox allows); each statement aims at one set. */
  constructor(
    private readonly random: () => number,
    private readonly first: Canaries,
    also: readonly Canaries[] = [],
  ) {
    this.sets = [first, ...also];
    this.canaries = first;
  }

  /** The canary set this statement aims at. */
  private canaries: Canaries;

  /** One statement (sometimes several, or a write). */
  statement(): string {
    this.depth = 0;
    this.canaries = this.sets[Math.floor(this.random() * this.sets.length)]!;
    return this.pick([
      [8, () => this.query()],
      [2, () => `EXPLAIN ${this.query()}`],
      [1, () => `EXPLAIN ANALYZE ${this.query()}`],
      [2, () => `DESCRIBE ${this.pick([[1, () => this.query()], [2, () => this.relation()]])}`],
      [2, () => `SUMMARIZE ${this.pick([[1, () => this.query()], [2, () => this.relation()]])}`],
      [1, () => `SHOW ${this.pick([[1, () => "TABLES"], [1, () => "ALL TABLES"], [1, () => "DATABASES"], [1, () => this.relation()]])}`],
      [1, () => `PIVOT ${this.relation()} ON ${this.column()} IN (${this.literal()}, ${this.literal()}) USING count(*)`],
      [1, () => `PIVOT ${this.relation()} ON ${this.column()} USING count(*)`],
      [1, () => `UNPIVOT (SELECT 1 AS a, 2 AS b, ${this.expression()} AS c) ON a, b INTO NAME k VALUE v`],
      [2, () => this.write()],
      [1, () => `${this.query()}; ${this.write()}`],
      [1, () => `${this.query()} /* ; ${this.write()} */`],
      [1, () => `${this.query()} -- ; ${this.write()}`],
      [1, () => `/* ${this.path()} */ ${this.query()}`],
    ]);
  }

  private write(): string {
    const dir = this.canaries.dir;
    return this.pick([
      [1, () => `COPY (${this.query()}) TO '${join(dir, "copied.csv")}'`],
      [1, () => `COPY ttp_events TO '${join(dir, "copied.parquet")}' (FORMAT parquet)`],
      [1, () => `EXPORT DATABASE '${join(dir, "exported-db")}'`],
      [1, () => `IMPORT DATABASE '${this.canaries.exported}'`],
      [1, () => `ATTACH '${join(dir, "attached.duckdb")}' AS other`],
      [1, () => `ATTACH '${this.canaries.parquet}' AS other (READ_ONLY)`],
      [1, () => "INSTALL httpfs"],
      [1, () => "LOAD httpfs"],
      [1, () => "SET enable_external_access = true"],
      [1, () => `SET allowed_directories = ['${dir}']`],
      [1, () => "SET lock_configuration = false"],
      [1, () => "CREATE SECRET fuzz (TYPE s3, KEY_ID 'k', SECRET 's')"],
      [1, () => "CREATE TABLE fuzz AS SELECT 1"],
      [1, () => "INSERT INTO sink_cursor VALUES (2, 1)"],
      [1, () => "UPDATE ledgers SET hash = 'x'"],
      [1, () => "DELETE FROM ttp_events"],
      [1, () => "DROP TABLE ttp_events"],
      [1, () => `CALL ${this.fileFunction()}`],
      [1, () => "PRAGMA database_list"],
      [1, () => "CHECKPOINT"],
      [1, () => "SET VARIABLE v = 1"],
    ]);
  }

  private query(): string {
    this.depth++;
    try {
      const deep = this.depth > 3;
      return this.pick([
        [4, () => this.select()],
        [deep ? 0 : 2, () => `${this.with()} ${this.select()}`],
        [deep ? 0 : 1, () => `(${this.select()}) ${this.pickFrom(["UNION", "UNION ALL", "EXCEPT", "INTERSECT", "UNION BY NAME"])} (${this.select()})`],
        [deep ? 0 : 1, () => this.recursive()],
        [1, () => `FROM ${this.source()}`],
        [1, () => `TABLE ${this.relation()}`],
      ]);
    } finally {
      this.depth--;
    }
  }

  private recursive(): string {
    const name = this.cteName();
    const reads = this.random() < 0.8 ? name : this.cteName();
    return `WITH RECURSIVE ${name}(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM ${reads} WHERE n < 3) ${this.random() < 0.5 ? `SELECT * FROM ${name}` : this.select()}`;
  }

  private with(): string {
    const count = 1 + Math.floor(this.random() * 3);
    const ctes = Array.from({ length: count }, () => `${this.cteName()} AS ${this.pickFrom(["", "MATERIALIZED ", "NOT MATERIALIZED "])}(${this.query()})`);
    return `WITH ${ctes.join(", ")}`;
  }

  private select(): string {
    const columns = Array.from({ length: 1 + Math.floor(this.random() * 3) }, () => this.expression()).join(", ");
    const from = this.random() < 0.9 ? ` FROM ${this.source()}` : "";
    const where = this.random() < 0.3 ? ` WHERE ${this.condition()}` : "";
    const limit = this.random() < 0.5 ? ` LIMIT ${Math.floor(this.random() * 50)}` : "";
    return `SELECT ${columns}${from}${where}${limit}`;
  }

  private source(): string {
    const deep = this.depth > 3;
    return this.pick([
      [5, () => this.relation()],
      [3, () => this.fileFunction()],
      [2, () => this.computeFunction()],
      [deep ? 0 : 2, () => `(${this.query()}) AS ${this.identifier()}`],
      [deep ? 0 : 1, () => `${this.relation()} ${this.pickFrom(["JOIN", "LEFT JOIN"])} ${this.source()} ON ${this.condition()}`],
      [deep ? 0 : 1, () => `${this.relation()} ${this.pickFrom(["POSITIONAL JOIN", "CROSS JOIN", ","])} ${this.source()}`],
      [deep ? 0 : 1, () => `${this.relation()}, LATERAL (${this.query()})`],
    ]);
  }

  /** A name as a table: the database's tables, CTE names, paths and globs, quoted every way. */
  private relation(): string {
    return this.pick([
      [4, () => this.pickFrom(["ttp_events", "ledgers", "sink_cursor", "main.ttp_events", "TTP_EVENTS", '"ledgers"'])],
      [2, () => this.cteName()],
      [3, () => this.quotedPath()],
      [1, () => this.pickFrom(["system.main.duckdb_settings", "information_schema.tables", "duckdb_settings", "memory.main.x", "temp.main.y", "pg_catalog.pg_class"])],
    ]);
  }

  private cteName(): string {
    return this.pick([
      [4, () => this.pickFrom(["x", "y", "r", "ttp_events", "ledgers", "Secret"])],
      [4, () => `"${this.path()}"`],
      [1, () => this.pickFrom(['"a b"', '"x.csv"', '"*"', '"../passwd"', '"https://example.invalid/x.parquet"'])],
    ]);
  }

  private quotedPath(): string {
    const path = this.path();
    return this.pick([
      [3, () => `'${path}'`],
      [2, () => `"${path}"`],
      [1, () => `$$${path}$$`],
      [1, () => `'${path.replaceAll("/", "//")}'`],
    ]);
  }

  private path(): string {
    const c = this.canaries;
    return this.pickFrom([
      c.csv,
      c.json,
      c.parquet,
      c.passwd,
      join(c.dir, "*.csv"),
      join(c.dir, "*"),
      join(c.dir, "**", "*"),
      join(c.exported, "schema.sql"),
      join(c.dir, "..", c.dir.split("/").pop()!, "secret.csv"),
      `file://${c.csv}`,
      "/etc/passwd",
      "https://example.invalid/x.parquet",
      "s3://bucket/x.parquet",
    ]);
  }

  private fileFunction(): string {
    const path = `'${this.path()}'`;
    return this.pick([
      [2, () => `read_csv(${path}${this.pickFrom(["", ", header=true, delim='|'", ", skip=1", ", filename=true", ", all_varchar=true, header=false"])})`],
      [1, () => `read_csv_auto(${path})`],
      [1, () => `read_text(${path})`],
      [1, () => `read_blob(${path})`],
      [1, () => `read_parquet(${path}${this.pickFrom(["", ", filename=true"])})`],
      [1, () => `read_json(${path})`],
      [1, () => `read_json_objects(${path})`],
      [1, () => `parquet_metadata(${path})`],
      [1, () => `parquet_schema(${path})`],
      [1, () => `sniff_csv(${path})`],
      [1, () => `glob(${path})`],
      [1, () => `query('SELECT * FROM ${this.path().replaceAll("'", "''")}')`],
      [1, () => `query_table(${path})`],
      [1, () => `read_duckdb(${path})`],
      [1, () => this.pickFrom(["duckdb_settings()", "duckdb_extensions()", "duckdb_secrets()", "duckdb_databases()", "duckdb_temporary_files()", "pragma_database_size()", "duckdb_logs()", "which_secret('s3://x', 's3')", "enable_logging()", "checkpoint()"])],
    ]);
  }

  private computeFunction(): string {
    return this.pickFrom(["range(5)", "range(1, 4)", "generate_series(3)", "unnest([1, 2, 3])", "repeat('x', 3)", "test_all_types()"]);
  }

  private expression(): string {
    return this.pick([
      [4, () => "*"],
      [3, () => this.column()],
      [2, () => "count(*)"],
      [1, () => "filename"],
      [2, () => this.literal()],
      [1, () => `repeat('x', ${this.pickFrom(["10", "1000", "100000", "300000"])})`],
      [1, () => `current_setting('${this.pickFrom(["s3_secret_access_key", "allowed_directories", "home_directory", "temp_directory"])}')`],
      [1, () => `json_serialize_plan('SELECT nonexistent FROM ${this.fileFunction().replaceAll("'", "''")}')`],
      [1, () => `json_serialize_sql('${this.select().replaceAll("'", "''")}')`],
      [1, () => `getvariable('v')`],
      [this.depth > 3 ? 0 : 1, () => `(SELECT count(*) FROM ${this.source()})`],
      [1, () => `md5(${this.column()}::VARCHAR)`],
    ]);
  }

  private condition(): string {
    return this.pick([
      [2, () => `${this.column()} IS NOT NULL`],
      [this.depth > 3 ? 0 : 1, () => `${this.column()} IN (SELECT * FROM ${this.source()})`],
      [this.depth > 3 ? 0 : 1, () => `EXISTS (${this.query()})`],
    ]);
  }

  private column(): string {
    return this.pickFrom(["ledger_sequence", "amount", "tx_hash", "event_type", "sequence", "hash", "last_ledger", "name", "secret", "content", "column0", "a", "n", "range"]);
  }

  private literal(): string {
    return this.pickFrom(["1", "'fee'", "'transfer'", "NULL", `'${this.canaries.dir}'`, "E'\\x41'", "42::HUGEINT"]);
  }

  private identifier(): string {
    return this.pickFrom(["s", "t", "sub", '"q q"']);
  }

  private pickFrom<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private pick<T>(weighted: readonly (readonly [number, () => T])[]): T {
    const total = weighted.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.random() * total;
    for (const [weight, make] of weighted) {
      roll -= weight;
      if (roll < 0) return make();
    }
    return weighted.findLast(([weight]) => weight > 0)![1]();
  }
}
