// The pure parts of the dashboard's charts and SQL box: axis scales, tick labels, DuckDB list text
// (SHOW ALL TABLES' columns) and the query history kept in localStorage.
import { describe, expect, test } from "bun:test";
import { compactNumber, niceScale } from "../../src/web/svg-chart.ts";
import { listText } from "../../src/web/sql-schema.ts";
import { HISTORY_KEY, MAX_ENTRIES, readHistory, remember } from "../../src/web/query-history.ts";

describe("niceScale", () => {
  test("a round top at or above the maximum, from 0, in round steps", () => {
    expect(niceScale(0)).toEqual({ top: 1, ticks: [0, 0.25, 0.5, 0.75, 1] });
    expect(niceScale(0.9)).toEqual({ top: 1, ticks: [0, 0.25, 0.5, 0.75, 1] });
    expect(niceScale(61)).toEqual({ top: 80, ticks: [0, 20, 40, 60, 80] });
    expect(niceScale(1000)).toEqual({ top: 1000, ticks: [0, 250, 500, 750, 1000] });
    expect(niceScale(1388)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
    expect(niceScale(Number.NaN).top).toBe(1);
  });

  test("compact tick labels", () => {
    expect([0, 0.25, 20, 1500, 2_500_000, 3e9].map(compactNumber)).toEqual(["0", "0.25", "20", "1.5k", "2.5M", "3G"]);
  });
});

describe("listText", () => {
  test("DuckDB's text of a VARCHAR[]", () => {
    expect(listText("['sequence', 'hash', 'closed_at']")).toEqual(["sequence", "hash", "closed_at"]);
    expect(listText("['UINTEGER', 'TIMESTAMP WITH TIME ZONE', 'DECIMAL(38,0)']")).toEqual(["UINTEGER", "TIMESTAMP WITH TIME ZONE", "DECIMAL(38,0)"]);
    expect(listText("['it''s', 'a, b']")).toEqual(["it's", "a, b"]);
    expect(listText("[a, DECIMAL(38, 0), b]")).toEqual(["a", "DECIMAL(38, 0)", "b"]);
    expect(listText("[]")).toEqual([]);
  });
});

class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}

describe("query history", () => {
  test("newest first, each query once, at most MAX_ENTRIES", () => {
    const storage = new MemoryStorage();
    expect(readHistory(storage)).toEqual([]);
    remember(storage, "SELECT 1");
    remember(storage, "SELECT 2");
    expect(remember(storage, "  SELECT 1\n")).toEqual(["SELECT 1", "SELECT 2"]);
    expect(remember(storage, "   ")).toEqual(["SELECT 1", "SELECT 2"]);
    for (let i = 0; i < MAX_ENTRIES + 5; i++) remember(storage, `SELECT ${100 + i}`);
    const history = readHistory(storage);
    expect(history.length).toBe(MAX_ENTRIES);
    expect(history[0]).toBe(`SELECT ${100 + MAX_ENTRIES + 4}`);
  });

  test("a damaged entry reads as no history, and is replaced by the next query", () => {
    const storage = new MemoryStorage();
    storage.setItem(HISTORY_KEY, "{not json");
    expect(readHistory(storage)).toEqual([]);
    storage.setItem(HISTORY_KEY, JSON.stringify(["SELECT 1", 42, null]));
    expect(readHistory(storage)).toEqual(["SELECT 1"]);
    expect(remember(storage, "SELECT 3")).toEqual(["SELECT 3", "SELECT 1"]);
  });
});
