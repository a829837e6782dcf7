// DuckDB result values as display text and as JSON, without losing digits or shifting time zones.
import { DuckDBTimestampValue, DuckDBTypeId, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";

// By the type's name (DuckDBType.toString(), as QueryService's columns carry it), so that a result
// read from a file and one answered over QueryService print alike.
const NUMERIC_TYPE_NAMES = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "BIGNUM"]);
/** Types whose values the driver gives as JavaScript numbers (every value fits a double exactly). */
const DOUBLE_TYPE_NAMES = new Set(["TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER", "FLOAT", "DOUBLE"]);

export function isNumericTypeName(name: string): boolean {
  return NUMERIC_TYPE_NAMES.has(name) || name.startsWith("DECIMAL(");
}

/**
 * The text of one value: integers exact (bigint, never through a float), DECIMAL exact,
 * TIMESTAMPTZ as ISO-8601 UTC ("2024-01-02T03:04:05Z"), TIMESTAMP as ISO-8601 without a zone,
 * null as null. Everything else as DuckDB's driver writes it.
 */
export function valueText(value: DuckDBValue, type: DuckDBType): string | null {
  if (value === null) return null;
  if (typeof value !== "object") return String(value);
  if (type.typeId === DuckDBTypeId.TIMESTAMP_TZ || type.typeId === DuckDBTypeId.TIMESTAMP) {
    const micros = (value as { micros: bigint }).micros;
    // DuckDBTimestampValue prints UTC wall time ("2024-01-02 03:04:05.123456"); the TZ variant
    // would print the process's local time.
    const text = new DuckDBTimestampValue(micros).toString();
    if (!/^\d{4}-\d\d-\d\d \d/.test(text) || text.endsWith("(BC)")) return text; // infinity, BC
    return text.replace(" ", "T") + (type.typeId === DuckDBTypeId.TIMESTAMP_TZ ? "Z" : "");
  }
  return String(value);
}

/** The JSON form of a value's text (valueText) of the type named `typeName`: numbers that fit a double stay numbers; bigints stay strings. */
export function textJson(text: string | null, typeName: string): string | number | boolean | null {
  if (text === null) return null;
  if (typeName === "BOOLEAN" && (text === "true" || text === "false")) return text === "true";
  if (DOUBLE_TYPE_NAMES.has(typeName) && Number.isFinite(Number(text))) return Number(text);
  return text;
}
