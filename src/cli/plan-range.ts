// Which ledgers a run reads: the flags' range, or, without --start, the ledgers after the sink's
// cursor (chained to the committed ledger's hash), or the latest ones for a new database.
import type { DuckDbSink } from "../sink/duckdb/duckdb-sink.ts";
import type { LedgerRange, LedgerSource } from "../source/ledger-source.ts";
import { ResumedSource } from "../source/resumed-source.ts";
import { DEFAULT_LATEST_COUNT, type SourceArgs } from "./source-args.ts";

export interface RunPlan {
  readonly source: LedgerSource;
  /** null: nothing new to read. */
  readonly range: LedgerRange | null;
  /** One line on where the range came from, e.g. "resuming after ledger N committed in DB". */
  readonly note: string | null;
}

/** Hash of a committed ledger, or null when the sink does not hold it. */
export async function committedLedgerHash(sink: DuckDbSink, sequence: number): Promise<string | null> {
  const connection = await sink.connect();
  try {
    const rows = (await connection.runAndReadAll("SELECT hash FROM ledgers WHERE sequence = $1", [sequence])).getRows();
    const hash = rows[0]?.[0];
    return typeof hash === "string" ? hash : null;
  } finally {
    connection.closeSync();
  }
}

export async function planRange(
  args: Pick<SourceArgs, "start" | "end" | "follow">,
  source: LedgerSource & Required<Pick<LedgerSource, "latestLedger">>,
  sink: DuckDbSink,
  options: { signal?: AbortSignal } = {},
): Promise<RunPlan> {
  const cursor = await sink.cursor();
  let latest: number | null = null;
  const newest = async () => (latest ??= await source.latestLedger({ signal: options.signal }));
  let start: number;
  let note: string | null = null;
  switch (args.start.kind) {
    case "ledger":
      start = args.start.sequence;
      break;
    case "latest":
      start = Math.max(1, (await newest()) - args.start.back);
      break;
    case "resume":
      if (cursor !== null) {
        start = cursor + 1;
        note = `resuming after ledger ${cursor}, the last one committed`;
      } else {
        start = Math.max(1, (await newest()) - DEFAULT_LATEST_COUNT + 1);
        note = `a new database: reading the latest ${DEFAULT_LATEST_COUNT} ledgers`;
      }
      break;
  }
  const end = args.follow ? Number.POSITIVE_INFINITY : (args.end ?? (args.start.kind === "ledger" ? start : await newest()));
  if (start > end) {
    return { source, range: null, note: `nothing new: ledgers through ${cursor ?? end} are committed and the source's newest is ${end}` };
  }
  // Whenever the run continues right after the committed cursor, the chain must hold across it.
  const previousHash = cursor !== null && start === cursor + 1 ? await committedLedgerHash(sink, cursor) : null;
  return { source: previousHash !== null ? new ResumedSource(source, previousHash) : source, range: { start, end }, note };
}
