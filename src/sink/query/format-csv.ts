// CSV (RFC 4180) text. Pure: strings in, a string out.

/** A header line, then one line per row (joined by "\n"); null becomes an empty field. */
export function formatCsv(names: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const line = (cells: readonly (string | null)[]): string => cells.map(csvField).join(",");
  return [line(names), ...rows.map(line)].join("\n");
}

function csvField(value: string | null): string {
  if (value === null) return "";
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
