// The SQL box: QueryService.Query, a results table, downloads as NDJSON (from the result) and
// Parquet (the server writes it).
import { createClient, type Transport } from "@connectrpc/connect";
import { QueryService, type QueryResponse } from "../gen/stellarflow/v1/query_service_pb.ts";
import { byId, cell, download, row } from "./dom.ts";
import { messageOf } from "../common/message-of.ts";
import { pageToken } from "./transport.ts";

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

export function startSqlPanel(transport: Transport): void {
  const client = createClient(QueryService, transport);
  const form = byId<HTMLFormElement>("sql-form");
  const sql = byId<HTMLTextAreaElement>("sql");
  const table = byId<HTMLTableElement>("sql-result");
  const status = byId("sql-status");
  const ndjsonButton = byId<HTMLButtonElement>("download-ndjson");
  const parquetButton = byId<HTMLButtonElement>("download-parquet");
  let last: QueryResponse | null = null;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "running…";
    status.className = "muted";
    try {
      const result = await client.query({ sql: sql.value });
      last = result;
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
      ndjsonButton.disabled = false;
    } catch (error) {
      status.textContent = messageOf(error);
      status.className = "error";
    }
  });
  ndjsonButton.addEventListener("click", () => {
    if (last) download("result.ndjson", new Blob([ndjson(last)], { type: "application/x-ndjson" }));
  });
  parquetButton.addEventListener("click", async () => {
    const token = pageToken();
    const response = await fetch("/download/parquet", {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ sql: sql.value }),
    });
    if (!response.ok) {
      status.textContent = `Parquet: ${((await response.json().catch(() => ({}))) as { error?: string }).error ?? response.statusText}`;
      status.className = "error";
      return;
    }
    download("result.parquet", await response.blob());
  });
}
