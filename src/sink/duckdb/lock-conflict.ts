// DuckDB refuses to open a database file another process holds ("Could not set lock on file ...:
// Conflicting lock is held in EXE (PID N)"). That is transient (a `bun run query`, a pipeline
// finishing): callers retry it, and say who holds the lock.
import { readFileSync } from "node:fs";

export interface LockConflict {
  /** The process holding the lock, as DuckDB names it, when it does. */
  readonly pid: number | null;
  /** Who holds it, for messages: "PID 123 (bun src/cli/query.ts ...)", or what DuckDB said. */
  readonly holder: string;
}

const CONFLICT = /Could not set lock on file|Conflicting lock is held/i;
const HOLDER = /Conflicting lock is held in (.+?) \(PID (\d+)\)/;

/** The lock conflict `error` (or one of its causes) reports, or null if it is about something else. */
export function lockConflictOf(error: unknown): LockConflict | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (!CONFLICT.test(e.message)) continue;
    const match = HOLDER.exec(e.message);
    if (!match) return { pid: null, holder: "another process" };
    const pid = Number(match[2]);
    return { pid, holder: `PID ${pid} (${commandLineOf(pid) ?? match[1]})` };
  }
  return null;
}

/** The command line of a local process (Linux /proc), shortened; null where unknown. */
function commandLineOf(pid: number): string | null {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return line === "" ? null : line.length > 160 ? `${line.slice(0, 157)}...` : line;
  } catch {
    return null;
  }
}
