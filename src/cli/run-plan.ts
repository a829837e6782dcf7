// The ranges a `bun run pipeline` reads, in or out of --processes: the --ledgers list (each range an
// explicit start), or the range of --start/--end, or the resume's, once the catch-up guard let it go.
import { NoStartError, planRange } from "../pipeline/plan-range.ts";
import type { ResumePoint } from "../sink/ledger-sink.ts";
import type { OpenedSource } from "../source/open-source.ts";
import type { LedgerRange } from "../source/ledger-source.ts";
import { catchUpAllowed, terminalQuestion } from "./catch-up-guard.ts";
import type { PipelineArgs } from "./pipeline-args.ts";

export interface RunRanges {
  /** In ascending order; none: nothing new to read. */
  readonly ranges: readonly LedgerRange[];
  /** Each range's start is the operator's (or a new database's): recorded before it is read. */
  readonly startOver: boolean;
}

/** The ranges to read, or the exit code once what was printed says why there are none to read (2: not without --start or --catch-up). */
export async function planRun(
  args: Pick<PipelineArgs, "source" | "catchUp">,
  source: OpenedSource["source"],
  database: { readonly path: string; readonly existed: boolean; readonly point: ResumePoint },
  options: {
    readonly signal?: AbortSignal;
    readonly log: (line: string) => void;
    /** Said instead of the plan's note when the run resumes (e.g. a new database continuing a dataset). */
    readonly resumeNote?: string | null;
  },
): Promise<RunRanges | number> {
  if (args.source.ledgerList) return { ranges: args.source.ledgerList, startOver: true };
  let plan;
  try {
    plan = await planRange(args.source, source, database, { signal: options.signal });
  } catch (error) {
    if (!(error instanceof NoStartError)) throw error;
    options.log(`error: ${error.message}`);
    return 2;
  }
  if (plan.range !== null && !plan.startOver) {
    const { point } = database;
    const allowed = await catchUpAllowed(args.catchUp, {
      source,
      range: plan.range,
      resuming: point.startPending ? `continuing the run that asked for ledger ${plan.range.start}` : `resuming after ledger ${point.cursor}`,
      signal: options.signal,
      ask: terminalQuestion(),
      log: options.log,
    });
    if (!allowed) return 2;
  }
  const resuming = plan.range !== null && !plan.startOver;
  const note = resuming && options.resumeNote ? options.resumeNote : plan.note;
  if (note) options.log(note);
  return { ranges: plan.range === null ? [] : [plan.range], startOver: plan.startOver };
}
