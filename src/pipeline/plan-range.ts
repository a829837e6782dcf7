// Which ledgers a run reads: the flags' range (an explicit start), or, without --start, the sink's
// resume point (after its cursor, or a start recorded by an earlier run that committed nothing), or
// the latest ones for a new database. It never guesses over a database that cannot say where to go on.
import type { ResumePoint } from "../sink/ledger-sink.ts";
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";

export type StartSpec =
  /** --start N */
  | { readonly kind: "ledger"; readonly sequence: number }
  /** --start latest / latest-N: N ledgers before the newest */
  | { readonly kind: "latest"; readonly back: number }
  /** no --start: after the sink's cursor, or the latest DEFAULT_LATEST_COUNT ledgers in a new database */
  | { readonly kind: "resume" };

/** Which ledgers the flags ask for. */
export interface RangeSpec {
  readonly start: StartSpec;
  /** null: --start N alone reads one ledger; otherwise up to the source's latest (or forever with follow). */
  readonly end: number | null;
  readonly follow: boolean;
}

/** Ledgers read by a run with no --start into an empty database. */
export const DEFAULT_LATEST_COUNT = 100;

export interface RunPlan {
  /** null: nothing new to read. */
  readonly range: LedgerRange | null;
  /** The start is the operator's (or a new database's), not the sink's resume point: record it (runPipeline's startOver). */
  readonly startOver: boolean;
  /** One line on where the range came from, e.g. "resuming after ledger N, the last one committed". */
  readonly note: string | null;
}

/** The run cannot tell where to begin without --start. */
export class NoStartError extends Error {
  override readonly name = "NoStartError";
}

/** The resume point of a database that does not exist yet. */
export const NEW_DATABASE: ResumePoint = { cursor: null, next: null, previousHash: null, startPending: false };

/**
 * `point`: the database's resume point (NEW_DATABASE when its file does not exist); `database`:
 * its path, for messages; `existed`: the file was there before this run.
 */
export async function planRange(
  args: RangeSpec,
  source: Required<Pick<LedgerSource, "latestLedger">>,
  database: { readonly path: string; readonly existed: boolean; readonly point: ResumePoint },
  options: { signal?: AbortSignal } = {},
): Promise<RunPlan> {
  const { point } = database;
  let latest: number | null = null;
  const newest = async () => (latest ??= await source.latestLedger({ signal: options.signal }));
  let start: number;
  let startOver = true;
  let note: string | null = null;
  switch (args.start.kind) {
    case "ledger":
      start = args.start.sequence;
      break;
    case "latest":
      start = Math.max(1, (await newest()) - args.start.back);
      break;
    case "resume":
      if (point.next !== null) {
        start = point.next;
        startOver = false;
        note = point.startPending
          ? `continuing the run that asked for ledger ${start} on (nothing of it was committed yet)`
          : `resuming after ledger ${point.cursor}, the last one committed`;
      } else if (point.startPending) {
        throw new NoStartError(`${database.path} was asked to start at its upstream's first ledger (bun run sink --start latest) and has committed nothing since: give --start N or latest-N`);
      } else if (database.existed) {
        // e.g. made by a run of an older version killed before its first commit: its start is unknown
        throw new NoStartError(`${database.path} holds no ledger and no recorded start, so a resume cannot tell where to begin: give --start N or latest-N`);
      } else {
        start = Math.max(1, (await newest()) - DEFAULT_LATEST_COUNT + 1);
        note = `a new database: reading the latest ${DEFAULT_LATEST_COUNT} ledgers`;
      }
      break;
  }
  const end = args.follow ? Number.POSITIVE_INFINITY : (args.end ?? (args.start.kind === "ledger" ? start : await newest()));
  if (start > end) {
    const why = args.end !== null ? `--end is ${end}` : `the source's newest is ${end}`;
    const note = point.cursor !== null && start === point.cursor + 1 ? `nothing new: ledgers through ${point.cursor} are committed and ${why}` : `nothing to read: the run would begin at ledger ${start} and ${why}`;
    return { range: null, startOver: false, note };
  }
  return { range: { start, end }, startOver, note };
}
