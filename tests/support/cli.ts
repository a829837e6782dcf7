// Running the project's commands as a user would, and reading what they left in DuckDB.
import { resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

export const REPO = resolve(import.meta.dir, "..", "..");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bun <script> <args>` from the repository root to its end. */
export async function runBunScript(script: string, args: readonly string[], env?: Record<string, string | undefined>): Promise<CliResult> {
  const proc = Bun.spawn(["bun", script, ...args], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: env ?? process.env });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Rows of one query on a database file opened read-only (and closed again). */
export async function queryReadOnly(db: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
