// Aligned plain-text tables, psql style. Pure: strings in, a string out.

export interface TextColumn {
  readonly name: string;
  /** Right-align the column's cells (numbers). */
  readonly alignRight?: boolean;
}

export interface TextTable {
  readonly columns: readonly TextColumn[];
  /** Cell texts; null is shown as NULL. */
  readonly rows: readonly (readonly (string | null)[])[];
}

const NULL_TEXT = "NULL";

/**
 *  ledger | amount
 * --------+-------------------------
 *      10 | 170141183460469231731687
 * (1 row)
 */
export function formatTable(table: TextTable): string {
  const header = table.columns.map((c) => visible(c.name));
  const body = table.rows.map((row) => table.columns.map((_, c) => visible(row[c] ?? NULL_TEXT)));
  const widths = header.map((name, c) => Math.max(width(name), ...body.map((cells) => width(cells[c]!))));
  const line = (cells: readonly string[], alignRight: (c: number) => boolean): string =>
    cells
      .map((cell, c) => ` ${pad(cell, widths[c]!, alignRight(c))} `)
      .join("|")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w + 2)).join("+");
  const count = table.rows.length;
  return [
    line(header, () => false),
    rule,
    ...body.map((cells) => line(cells, (c) => table.columns[c]!.alignRight ?? false)),
    `(${count} ${count === 1 ? "row" : "rows"})`,
  ].join("\n");
}

/** Control characters would break the alignment, so they are shown escaped. */
function visible(text: string): string {
  return text.replace(/[\n\r\t]/g, (ch) => (ch === "\n" ? "\\n" : ch === "\r" ? "\\r" : "\\t"));
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++; // code points, not UTF-16 units
  return n;
}

function pad(text: string, to: number, right: boolean): string {
  const fill = " ".repeat(to - width(text));
  return right ? fill + text : text + fill;
}
