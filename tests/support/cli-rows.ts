// The `ttp_events` rows the CLI gives for every ledger of a shared lake: `bun run pipeline` over
// each run of consecutive ledgers, its --export-json read back. What the edge and the library must equal.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBunScript } from "./cli.ts";
import { lakeSequences } from "./ledger-models.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

export type Row = Record<string, unknown>;

/** Maximal runs of consecutive sequences: [[start, end], ...]. */
export function contiguousRanges(sequences: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const s of sequences) {
    const last = ranges[ranges.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else ranges.push([s, s]);
  }
  return ranges;
}

export interface LakeRows {
  readonly ranges: [number, number][];
  /** The CLI's rows of each range, in (ledger, event_index) order. */
  readonly rows: Map<string, Row[]>;
}

export const rangeKey = (start: number, end: number) => `${start}-${end}`;

export function parseNdjson(text: string): Row[] {
  return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Row);
}

/** Runs the CLI over every range of `lake` (`txSetCheck` false: with --no-tx-set-check). */
export async function cliRows(lake: string, options: { txSetCheck: boolean }): Promise<LakeRows> {
  const work = await mkdtemp(join(tmpdir(), "stellar-flow-cli-rows-"));
  try {
    const ranges = contiguousRanges(await lakeSequences(lake));
    const rows = new Map<string, Row[]>();
    for (const [start, end] of ranges) {
      const out = join(work, `${start}.ndjson`);
      const args = ["--datalake", lakePath(lake), "--start", String(start), "--end", String(end), "--db", join(work, `${start}.duckdb`), "--export-json", out];
      const run = await runBunScript("src/cli/pipeline.ts", [...args, "--flowctl", "off", "--health-ports", "off", "--workers", "0", ...(options.txSetCheck ? [] : ["--no-tx-set-check"])]);
      if (run.code !== 0) throw new Error(`bun run pipeline ${args.join(" ")} failed (${run.code}): ${run.stderr.slice(-1500)}`);
      rows.set(rangeKey(start, end), parseNdjson(await readFile(out, "utf8")));
    }
    return { ranges, rows };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
