// One declaration per table: its columns, each with its name, type, nullability and the field of the
// table's protobuf message that carries it. Everything else is derived from it: the Arrow schema and
// batch builder (here), JSON rows (here), the DuckDB DDL and SELECT lists (src/sink/duckdb/table-sql.ts)
// and the protobuf messages (src/lib/row-messages.ts). Pure: web-standard APIs only.
import { Binary, Field, Schema, TimestampMicrosecond, Uint32, Utf8, type Data, type DataType, type RecordBatch } from "apache-arrow";
import { binaryColumn, HUGEINT_TYPE, int128Column, recordBatchOf, timestampColumn, uint32Column, utf8Column } from "./columns.ts";

/** A column type: its Arrow type, the DuckDB type the sink stores it as, its JSON form, and its column builder. */
export interface ColumnType<V, J> {
  readonly name: "uint32" | "utf8" | "timestamp" | "int128" | "binary";
  arrow(): DataType;
  readonly duckdb: string;
  /** The value as the data contract's JSON has it. */
  json(value: V): J;
  build(values: ArrayLike<V | null>): Data;
}

/** ISO-8601 UTC with milliseconds, as Date.prototype.toISOString() gives it. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

export const UINT32: ColumnType<number, number> = { name: "uint32", arrow: () => new Uint32(), duckdb: "UINTEGER", json: (v) => v, build: uint32Column };
export const UTF8: ColumnType<string, string> = { name: "utf8", arrow: () => new Utf8(), duckdb: "VARCHAR", json: (v) => v, build: utf8Column };
/** Seconds since the Unix epoch in memory; microseconds (UTC) in Arrow and DuckDB. */
export const TIMESTAMP: ColumnType<number, string> = {
  name: "timestamp",
  arrow: () => new TimestampMicrosecond("UTC"),
  duckdb: "TIMESTAMPTZ",
  json: isoTime,
  build: (values) => timestampColumn(values as ArrayLike<number>),
};
/** Signed 128-bit integers: Decimal128(38, 0) in Arrow, HUGEINT in DuckDB, a decimal string in JSON (every digit kept). */
export const INT128: ColumnType<bigint, string> = { name: "int128", arrow: () => HUGEINT_TYPE, duckdb: "HUGEINT", json: (v) => v.toString(), build: (values) => int128Column(values as ArrayLike<bigint>) };
export const BINARY: ColumnType<Uint8Array, never> = {
  name: "binary",
  arrow: () => new Binary(),
  duckdb: "BLOB",
  json: () => {
    throw new Error("binary columns have no JSON form");
  },
  build: (values) => binaryColumn(values as readonly Uint8Array[]),
};

export interface Column<Row, N extends string = string, V = any, J = any, Nullable extends boolean = boolean> {
  readonly name: N;
  readonly type: ColumnType<V, J>;
  readonly nullable: Nullable;
  /** The field of the table's protobuf message that carries the column (snake_case); null: none does. */
  readonly proto: string | null;
  /** Its value in the table's in-memory row; null: the batch builder is given the column's values. */
  readonly of: ((row: Row) => V | null) | null;
}

export interface Table<Row, C extends readonly Column<Row>[] = readonly Column<Row>[]> {
  readonly name: string;
  readonly columns: C;
  /** The protobuf message of one row (stellarflow.v1), when there is one. */
  readonly protoMessage: string | null;
  readonly primaryKey: readonly string[];
  /** The Arrow schema of its record batches. */
  readonly schema: Schema;
}

/** Any declared table, whatever its in-memory rows (for what reads only its columns). */
export type AnyTable = Table<any>;

/** Declares tables whose in-memory rows are `Row`s: `const t = tableOf<Row>(); t.define({ columns: [t.column(...), ...] })`. */
export function tableOf<Row>() {
  return {
    /** A column; `of` null when the batch builder is given its values (e.g. an index the row does not hold). */
    column<const N extends string, V, J, const Nullable extends boolean>(
      name: N,
      type: ColumnType<V, J>,
      options: { readonly nullable: Nullable; readonly proto?: string | null; readonly of: ((row: Row) => V | null) | null },
    ): Column<Row, N, V, J, Nullable> {
      return { name, type, nullable: options.nullable, proto: options.proto ?? null, of: options.of };
    },
    define<const C extends readonly Column<Row>[]>(declaration: { readonly name: string; readonly columns: C; readonly protoMessage?: string | null; readonly primaryKey?: readonly string[] }): Table<Row, C> {
      const schema = new Schema(declaration.columns.map((c) => new Field(c.name, c.type.arrow(), c.nullable)));
      return { name: declaration.name, columns: declaration.columns, protoMessage: declaration.protoMessage ?? null, primaryKey: declaration.primaryKey ?? [], schema };
    },
  };
}

function valuesOf<Row, V>(rows: readonly Row[], of: (row: Row) => V): V[] {
  const values = new Array<V>(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = of(rows[i]!);
  return values;
}

/** A record batch of `rows`; `given` holds the values of the columns whose `of` is null. */
export function tableBatch<Row>(table: Table<Row>, rows: readonly Row[], given: Readonly<Record<string, ArrayLike<unknown>>> = {}): RecordBatch {
  const children = table.columns.map((c) => {
    const values = c.of ? valuesOf(rows, c.of) : given[c.name];
    if (!values) throw new Error(`the values of ${table.name}.${c.name} were not given`);
    if (values.length !== rows.length) throw new Error(`${values.length} values of ${table.name}.${c.name} for ${rows.length} rows`);
    return c.type.build(values as ArrayLike<never>);
  });
  return recordBatchOf(table.schema, rows.length, children);
}

type JsonOf<C> = C extends Column<any, any, any, infer J, infer Nullable> ? (Nullable extends true ? J | null : J) : never;

/** A row as the data contract's JSON has it: the table's column names, amounts as decimal strings, times ISO-8601 UTC. */
export type JsonRow<T extends Table<any>> = { readonly [C in T["columns"][number] as C["name"]]: JsonOf<C> };

/** The JSON form of `row`; `given` holds the values of the columns whose `of` is null. */
export function jsonRow<Row, T extends Table<Row>>(table: T, row: Row, given: Readonly<Record<string, unknown>> = {}): JsonRow<T> {
  const out: Record<string, unknown> = {};
  for (const c of table.columns) {
    const value = c.of ? c.of(row) : given[c.name];
    out[c.name] = value === null || value === undefined ? null : c.type.json(value);
  }
  return out as JsonRow<T>;
}
