import { describe, expect, test } from "bun:test";
import { DuckDBDecimalValue, DECIMAL, DuckDBTimestampTZValue, DuckDBTimestampValue, HUGEINT, TIMESTAMP, TIMESTAMPTZ, UINTEGER, VARCHAR, DOUBLE, BOOLEAN, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import { formatCsv } from "../../src/sink/query/format-csv.ts";
import { formatTable } from "../../src/sink/query/format-table.ts";
import { isNumericTypeName, textJson, valueText } from "../../src/sink/query/result-values.ts";

const valueJson = (value: DuckDBValue, type: DuckDBType) => textJson(valueText(value, type), type.toString());
const isNumericType = (type: DuckDBType) => isNumericTypeName(type.toString());

describe("formatTable", () => {
  test("aligns columns, right-aligns numbers, shows NULL and counts rows", () => {
    const text = formatTable({
      columns: [{ name: "ledger", alignRight: true }, { name: "asset" }, { name: "amount", alignRight: true }],
      rows: [
        ["7", "native", "170141183460469231731687303715884105727"],
        ["12345", null, "-5"],
      ],
    });
    expect(text).toBe(
      [
        " ledger | asset  | amount",
        "--------+--------+-----------------------------------------",
        "      7 | native | 170141183460469231731687303715884105727",
        "  12345 | NULL   |                                      -5",
        "(2 rows)",
      ].join("\n"),
    );
  });

  test("one row, no rows, accented characters and line breaks", () => {
    expect(formatTable({ columns: [{ name: "n" }], rows: [["1"]] })).toBe(" n\n---\n 1\n(1 row)");
    expect(formatTable({ columns: [{ name: "n" }], rows: [] })).toBe(" n\n---\n(0 rows)");
    expect(formatTable({ columns: [{ name: "memo" }, { name: "x" }], rows: [["a\nb\tc", "é€"], ["", "ü"]] })).toBe(
      " memo    | x\n---------+----\n a\\nb\\tc | é€\n         | ü\n(2 rows)",
    );
  });
});

describe("formatCsv", () => {
  test("quotes fields with commas, quotes and line breaks; NULL is an empty field", () => {
    expect(formatCsv(["a", "b,c"], [["x", null], ['say "hi"', "two\nlines"]])).toBe('a,"b,c"\nx,\n"say ""hi""","two\nlines"');
  });
});

describe("result values", () => {
  test("integers and decimals keep every digit", () => {
    expect(valueText(-(2n ** 127n), HUGEINT)).toBe("-170141183460469231731687303715884105728");
    expect(valueText(new DuckDBDecimalValue(12345678901234567890123456789012345678n, 38, 2), DECIMAL(38, 2))).toBe("123456789012345678901234567890123456.78");
    expect(valueJson(2n ** 64n, HUGEINT)).toBe("18446744073709551616");
    expect(valueJson(42, UINTEGER)).toBe(42);
    expect(valueJson(Number.NaN, DOUBLE)).toBe("NaN");
    expect(valueJson(true, BOOLEAN)).toBe(true);
  });

  test("timestamps as ISO-8601, TIMESTAMPTZ in UTC whatever the local zone", () => {
    const micros = 1_717_000_000_123_456n;
    expect(valueText(new DuckDBTimestampTZValue(micros), TIMESTAMPTZ)).toBe("2024-05-29T16:26:40.123456Z");
    expect(valueText(new DuckDBTimestampTZValue(1_717_000_000_000_000n), TIMESTAMPTZ)).toBe("2024-05-29T16:26:40Z");
    expect(valueText(new DuckDBTimestampValue(micros), TIMESTAMP)).toBe("2024-05-29T16:26:40.123456");
    expect(valueText(DuckDBTimestampTZValue.PosInf, TIMESTAMPTZ)).toBe("infinity");
  });

  test("null stays null; numeric types are the right-aligned ones", () => {
    expect(valueText(null, VARCHAR)).toBeNull();
    expect(valueJson(null, VARCHAR)).toBeNull();
    expect([HUGEINT, UINTEGER, DOUBLE, DECIMAL(38, 0)].every(isNumericType)).toBe(true);
    expect([VARCHAR, TIMESTAMPTZ, BOOLEAN].some(isNumericType)).toBe(false);
  });
});
