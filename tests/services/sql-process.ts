// Helpers for the SQL surface of a sink served by a process of its own (`bun run sink`, `bun run
// pipeline`), called as a user would: Connect's JSON protocol and plain HTTP.
import { readFileSync } from "node:fs";

export interface Answer {
  readonly status: number;
  /** The whole body as text (an error's message included). */
  readonly text: string;
  /** The Connect error code ("permission_denied", ...), when it is one. */
  readonly code: string | null;
}

/** POST stellarflow.v1.QueryService/Query as Connect JSON. */
export async function connectQuery(baseUrl: string, sql: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}/stellarflow.v1.QueryService/Query`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ sql }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let code: string | null = null;
  try {
    code = (JSON.parse(text) as { code?: string }).code ?? null;
  } catch {
    // not JSON: leave the code unknown
  }
  return { status: response.status, text, code };
}

/** POST /download/parquet {"sql": ...}; the body as text (a Parquet file or an error). */
export async function downloadParquet(baseUrl: string, sql: string): Promise<Answer> {
  const response = await fetch(`${baseUrl}/download/parquet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, text: new TextDecoder().decode(await response.arrayBuffer()), code: null };
}

/** Peak resident memory of a Linux process so far (VmHWM), in bytes. */
export function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (kb === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) * 1024;
}
