// The SQL box: QueryService.Query, a results table, downloads as NDJSON (the result's rows; the
// query in the box runs first when its result is not on the page) and Parquet (the server writes
// it), the tables and columns at hand, and the history of queries run from this browser.
import { createClient, type Transport } from "@connectrpc/connect";
import { QueryService, type QueryResponse } from "../gen/stellarflow/v1/query_service_pb.ts";
import { byId, cell, download, row } from "./dom.ts";
import { messageOf } from "../common/message-of.ts";
import { authorization } from "./dashboard-config.ts";
import { readHistory, remember } from "./query-history.ts";
import { showSchema } from "./sql-schema.ts";

/** Integer types that fit a JavaScript number exactly; other values stay strings (amounts keep every digit). */
const SMALL_NUMBERS = new Set(["TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER", "FLOAT", "DOUBLE"]);

function ndjson(result: QueryResponse): string {
  return result.rows
    .map((r) => {
      const object: Record<string, string | number | null> = {};
      result.columns.forEach((column, i) => {
        const text = r.values[i]?.text;
        object[column.name] = text === undefined ? null : SMALL_NUMBERS.has(column.type) ? Number(text) : text;
      });
      return JSON.stringify(object);
    })
    .join("\n") + (result.rows.length > 0 ? "\n" : "");
}

export interface SqlPanel {
  /** Puts `sql` in the box (and shows the box). */
  edit(sql: string): void;
}

export function startSqlPanel(transport: Transport): SqlPanel {
  const client = createClient(QueryService, transport);
  const form = byId<HTMLFormElement>("sql-form");
  const sql = byId<HTMLTextAreaElement>("sql");
  const table = byId<HTMLTableElement>("sql-result");
  const status = byId("sql-status");
  const ndjsonButton = byId<HTMLButtonElement>("download-ndjson");
  const parquetButton = byId<HTMLButtonElement>("download-parquet");
  const historySelect = byId<HTMLSelectElement>("sql-history");
  let last: { sql: string; result: QueryResponse } | null = null;

  const showHistory = (history: readonly string[]) => {
    const placeholder = new Option(history.length === 0 ? "history: none yet" : `history (${history.length})`, "");
    historySelect.replaceChildren(placeholder, ...history.map((entry) => new Option(entry.replace(/\s+/g, " ").slice(0, 120), entry)));
    historySelect.disabled = history.length === 0;
  };
  showHistory(readHistory(localStorage));
  historySelect.addEventListener("change", () => {
    if (historySelect.value !== "") sql.value = historySelect.value;
    historySelect.value = "";
    sql.focus();
  });
  void showSchema(client, byId("sql-schema"), sql);

  const fail = (text: string) => {
    status.textContent = text;
    status.className = "error";
  };

  /** Runs the box's query and shows its result; null when it failed (the status says why). */
  const runQuery = async (): Promise<QueryResponse | null> => {
    const text = sql.value;
    status.textContent = "running…";
    status.className = "muted";
    delete status.dataset["rows"];
    try {
      const result = await client.query({ sql: text });
      last = { sql: text, result };
      showHistory(remember(localStorage, text));
      table.tHead!.replaceChildren(row(...result.columns.map((c) => {
        const th = document.createElement("th");
        th.textContent = c.name;
        th.title = c.type;
        return th as HTMLTableCellElement;
      })));
      const numeric = result.columns.map((c) => /INT|DOUBLE|FLOAT|DECIMAL/.test(c.type));
      table.tBodies[0]!.replaceChildren(...result.rows.map((r) => row(...r.values.map((v, i) => cell(v.text ?? "NULL", numeric[i] ? "num" : undefined)))));
      status.textContent = `${result.rows.length} row${result.rows.length === 1 ? "" : "s"}${result.truncated ? " (truncated at the row cap)" : ""} in ${result.elapsedMs.toFixed(0)} ms`;
      status.dataset["rows"] = String(result.rows.length);
      return result;
    } catch (error) {
      fail(messageOf(error));
      return null;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void runQuery();
  });
  ndjsonButton.addEventListener("click", async () => {
    const result = last?.sql === sql.value ? last.result : await runQuery();
    if (result) download("result.ndjson", new Blob([ndjson(result)], { type: "application/x-ndjson" }));
  });
  parquetButton.addEventListener("click", async () => {
    const response = await fetch("/download/parquet", {
      method: "POST",
      headers: { "content-type": "application/json", ...authorization() },
      body: JSON.stringify({ sql: sql.value }),
    }).catch((error: unknown) => error);
    if (!(response instanceof Response)) return fail(`Parquet: ${messageOf(response)}`);
    if (!response.ok) return fail(`Parquet: ${((await response.json().catch(() => ({}))) as { error?: string }).error ?? response.statusText}`);
    download("result.parquet", await response.blob());
  });
  return {
    edit(text) {
      sql.value = text;
      byId("sql-section").scrollIntoView({ block: "start" });
      sql.focus();
    },
  };
}
