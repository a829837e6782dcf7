// Names of staged files (written, not yet published) that say who wrote them: `<key>~<host>~<pid>~<n>.tmp`.
// A writer killed before it published (SIGKILL, a lost machine) leaves its staged files behind; the
// next writer on the same host removes those of processes that are gone (sweepStaged). Files of other
// hosts are left alone: their processes cannot be seen from here.
import { hostname } from "node:os";

const HOST = hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "host";
let staged = 0;

/** A new staging file name for `key`, owned by this process. */
export function stagingName(key: string): string {
  return `${key.replaceAll("/", "__")}~${HOST}~${process.pid}~${++staged}.tmp`;
}

/** Who wrote a staged file: its host and process id, or null when `name` is not a staging name. */
export function stagingOwner(name: string): { host: string; pid: number } | null {
  const match = /~([^~]+)~(\d+)~\d+\.tmp$/.exec(name);
  return match ? { host: match[1]!, pid: Number(match[2]) } : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // someone else's process: alive
  }
}

/** Whether a staged file was left by a process of this host that is gone (its writer can no longer publish it). */
export function isOrphanedStagingFile(name: string): boolean {
  const owner = stagingOwner(name);
  return owner !== null && owner.host === HOST && owner.pid !== process.pid && !alive(owner.pid);
}
