// The SQL box's schema at hand: every table and view the server lets a query read, with its
// columns and their types (one SHOW ALL TABLES through QueryService). A click on a name puts it
// into the SQL box at the cursor.
import type { Client } from "@connectrpc/connect";
import type { QueryService } from "../gen/stellarflow/v1/query_service_pb.ts";
import { messageOf } from "../common/message-of.ts";
import { PAGE_QUERY_TIMEOUT_MS } from "./dashboard-config.ts";

export interface TableSchema {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

/** "['a', 'b c']" (DuckDB's text of a VARCHAR[]) -> ["a", "b c"]. */
export function listText(text: string): string[] {
  const inner = text.trim().replace(/^\[/, "").replace(/\]$/, "");
  if (inner === "") return [];
  const items: string[] = [];
  // items are quoted when they hold commas or quotes; type names like DECIMAL(38, 0) are not always
  const pattern = /\s*(?:'((?:[^']|'')*)'|((?:[^,(]|\([^)]*\))+))\s*(?:,|$)/gy;
  for (let match = pattern.exec(inner); match && match[0] !== ""; match = pattern.exec(inner)) items.push(match[1] !== undefined ? match[1].replace(/''/g, "'") : match[2]!.trim());
  return items;
}

export async function readSchema(client: Client<typeof QueryService>): Promise<TableSchema[]> {
  const result = await client.query({ sql: "SHOW ALL TABLES" }, { timeoutMs: PAGE_QUERY_TIMEOUT_MS });
  const index = (name: string) => result.columns.findIndex((c) => c.name === name);
  const [name, columns, types] = [index("name"), index("column_names"), index("column_types")];
  if (name < 0 || columns < 0 || types < 0) throw new Error("SHOW ALL TABLES answered without name, column_names and column_types");
  return result.rows.map((row) => {
    const names = listText(row.values[columns]?.text ?? "[]");
    const typeNames = listText(row.values[types]?.text ?? "[]");
    return { name: row.values[name]?.text ?? "?", columns: names.map((column, i) => ({ name: column, type: typeNames[i] ?? "" })) };
  });
}

function insertAtCursor(textarea: HTMLTextAreaElement, text: string): void {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.setRangeText(text, start, end, "end");
  textarea.focus();
}

function nameButton(text: string, title: string, className: string, textarea: HTMLTextAreaElement): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `link ${className}`;
  button.textContent = text;
  button.title = title;
  button.addEventListener("click", () => insertAtCursor(textarea, text));
  return button;
}

export async function showSchema(client: Client<typeof QueryService>, list: HTMLElement, textarea: HTMLTextAreaElement): Promise<void> {
  try {
    // the data contract's tables first
    const rank = (name: string) => ["ttp_events", "ledgers"].indexOf(name) >>> 0;
    const tables = (await readSchema(client)).sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
    list.replaceChildren(
      ...tables.map((table) => {
        const item = document.createElement("details");
        item.dataset["table"] = table.name;
        if (table.name === "ttp_events") item.open = true;
        const summary = document.createElement("summary");
        summary.append(nameButton(table.name, `insert ${table.name} at the cursor`, "table-name", textarea), ` (${table.columns.length})`);
        const columns = document.createElement("ul");
        columns.append(
          ...table.columns.map((column) => {
            const li = document.createElement("li");
            const type = document.createElement("span");
            type.className = "muted";
            type.textContent = ` ${column.type}`;
            li.append(nameButton(column.name, `insert ${column.name} at the cursor`, "column-name", textarea), type);
            return li;
          }),
        );
        item.append(summary, columns);
        return item;
      }),
    );
  } catch (error) {
    list.textContent = `the tables could not be read: ${messageOf(error)}`;
  }
}
