// Test helpers for the pipeline as separate processes: spawn a stage command, read its stream
// URL and health, and compare whole databases.
import type { Subprocess } from "bun";
import { collect } from "../support/flowctl.ts";
import { queryReadOnly, REPO } from "../support/cli.ts";

/** Environment without the flowctl settings of the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/FLOWCTL|HEALTH_PORT|COMPONENT_ID/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

export interface Child {
  readonly name: string;
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly stdout: ReturnType<typeof collect>;
  readonly stderr: ReturnType<typeof collect>;
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
}

/** `bun src/cli/<script>.ts args` from the repository root. */
export function spawnCli(script: string, args: readonly string[], env: Record<string, string> = {}): Child {
  const proc = Bun.spawn(["bun", `src/cli/${script}.ts`, ...args], { cwd: REPO, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: cleanEnv(env) });
  const stdout = collect(proc.stdout);
  const stderr = collect(proc.stderr);
  const done = Promise.all([proc.exited, stdout.done, stderr.done]).then(([code, out, err]) => ({ code, stdout: out, stderr: err }));
  return { name: script, proc, stdout, stderr, done };
}

/** Whether process `pid` still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills whatever is still running (SIGKILL) and waits for it. */
export async function killAll(children: Iterable<Child>): Promise<void> {
  for (const child of children) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
  await Promise.all([...children].map((child) => child.proc.exited));
}

/** Every row of both tables, in a fixed order, as strings (bigints and all). */
export async function allRows(db: string): Promise<{ ledgers: string[]; events: string[] }> {
  const text = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
  return {
    ledgers: text(await queryReadOnly(db, "SELECT * FROM ledgers ORDER BY sequence")),
    events: text(await queryReadOnly(db, "SELECT * FROM ttp_events ORDER BY ledger_sequence, event_index")),
  };
}

/** The sink's last committed ledger from its /health (null while it has none or is down). */
export async function sinkLedger(healthUrl: string): Promise<number | null> {
  try {
    const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
    return ((await response.json()) as { pipeline: { last_ledger: number | null } }).pipeline.last_ledger;
  } catch {
    return null;
  }
}
