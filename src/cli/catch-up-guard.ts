// A resume (no --start) whose gap to the source's newest ledger is larger than --catch-up-limit says
// what it is about to do and goes on only when asked: --catch-up, or "y" on a terminal. Never a
// silent 25 M-ledger backfill.
import { createInterface } from "node:readline/promises";
import { catchUpSeconds, ESTIMATE_XDR_BYTES_PER_SECOND, measureCatchUp, samplePoints, type CatchUp } from "../pipeline/catch-up.ts";
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";

export interface CatchUpGuard {
  /** --catch-up: go on whatever the gap. */
  readonly allowed: boolean;
  /** --catch-up-limit. */
  readonly limit: number;
}

export interface ResumeToGuard {
  readonly source: Pick<LedgerSource, "ledgerSizes"> & { latestLedger(options?: { signal?: AbortSignal }): Promise<number> };
  /** The resume's range (end Infinity: following). */
  readonly range: LedgerRange;
  /** How the resume came about, for the first line: "resuming after ledger N". */
  readonly resuming: string;
  readonly signal?: AbortSignal;
  /** Asks a yes/no question on a terminal; null: not on a terminal. */
  readonly ask: ((question: string) => Promise<boolean>) | null;
  readonly log: (line: string) => void;
}

/** Whether the resume may go on; when it may not, what was printed says why and what to run. */
export async function catchUpAllowed(guard: CatchUpGuard, resume: ResumeToGuard): Promise<boolean> {
  if (guard.allowed) return true;
  const { range } = resume;
  const to = Number.isFinite(range.end) ? range.end : await resume.source.latestLedger({ signal: resume.signal });
  if (to - range.start + 1 <= guard.limit) return true;
  const catchUp = await measureCatchUp(resume.source, range.start, to, { signal: resume.signal });
  const [what, cost] = catchUpLines(catchUp, resume.resuming, guard.limit);
  if (resume.ask) {
    resume.log(what!);
    resume.log(cost!);
    if (await resume.ask(`read all ${count(catchUp.ledgers)} ledgers? [y/N] `)) return true;
    resume.log("nothing read: give --start N (or latest-N) to choose where to begin");
    return false;
  }
  resume.log(`error: ${what}`);
  resume.log(cost!);
  resume.log(`hint: --start N or --start latest-N to choose where to begin; --catch-up to read them all (--catch-up-limit N moves the limit of ${count(guard.limit)})`);
  return false;
}

/** What the catch-up would read, and what it weighs and takes. */
export function catchUpLines(catchUp: CatchUp, resuming: string, limit: number): [string, string] {
  const what = `${resuming} would read ${count(catchUp.ledgers)} ledgers (${catchUp.from}-${catchUp.to}, up to the source's newest): more than ${count(limit)}, so it waits to be asked`;
  const per = catchUp.perLedger;
  if (per === null) return [what, "its size is unknown: the source has no objects to weigh (RPC), or none of the sampled ledgers was there"];
  const seconds = catchUpSeconds(catchUp)!;
  return [
    what,
    `about ${bytes(per.xdrBytes * catchUp.ledgers)} of XDR (${bytes(per.compressedBytes * catchUp.ledgers)} compressed; ${bytes(per.xdrBytes)} per ledger ` +
      `from ${per.samples} of ${samplePoints(catchUp.from, catchUp.to).length} ledgers sampled across the range), about ${duration(seconds)} at ${ESTIMATE_XDR_BYTES_PER_SECOND / 1e6} MB/s of XDR`,
  ];
}

/** A yes/no question on the terminal (stdin and stderr both one), or null. */
export function terminalQuestion(): ((question: string) => Promise<boolean>) | null {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return null;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await terminal.question(question)).trim());
    } finally {
      terminal.close();
    }
  };
}

const count = (n: number) => n.toLocaleString("en-US");

function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let unit = 0;
  while (n >= 1000 && unit < units.length - 1) {
    n /= 1000;
    unit++;
  }
  return `${n >= 100 || unit === 0 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
