// DuckDB result values as display text and as JSON, without losing digits or shifting time zones.
import { DuckDBTimestampValue, DuckDBTypeId, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";

const NUMERIC_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL, DuckDBTypeId.BIGNUM,
]);

export function isNumericType(type: DuckDBType): boolean {
  return NUMERIC_TYPES.has(type.typeId);
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

/** The JSON form of one value: numbers that fit a double stay numbers; bigints become strings. */
export function valueJson(value: DuckDBValue, type: DuckDBType): string | number | boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return valueText(value, type);
}
