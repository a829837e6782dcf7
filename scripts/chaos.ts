// `bun run chaos [--rounds N] [--ledgers N] [--modes single,processes] [--seed N] [-- PIPELINE FLAGS]`:
// the SIGKILL/resume experiment, repeated. A hash-chained replay lake is generated (3,000 ledgers of
// the P23 load test by default), a reference run commits it whole, then each round starts
// `bun run pipeline` (and `--processes`), SIGKILLs it at a seeded random point (every few rounds
// before the first commit; with --processes each child in turn, then the supervisor), resumes
// without --start until the range is committed and compares the database with the reference (md5
// over every column of both tables, ordered). Prints identical/different per round (and any other
// problem: a hang, processes left running by a dead supervisor), peak RSS of each run, a summary;
// exits 1 on any difference or problem.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_REPLAY_START, generateReplayLake } from "./fixtures/chained-ledgers/replay-lake.ts";
import { databaseDigest, sameRows, type DatabaseDigest } from "./chaos/database-digest.ts";
import { pipelineArgs, runRound, startRun, type ChaosSetup, type Mode } from "./chaos/rounds.ts";
import { readFlags, UsageError } from "../src/cli/flags.ts";
import { usageFailure } from "../src/cli/command.ts";
import { formatRate } from "../src/cli/progress-report.ts";

const REPO = resolve(import.meta.dir, "..");
const SHARED_P23 = join(resolve(process.env.STELLAR_LEDGERS_DIR ?? join(REPO, "..", "shared", "ledgers")), "standalone-p23");

const USAGE = `usage: bun run chaos [--rounds N (3; 0: only the reference runs, for their time and memory)] [--ledgers N (3000)] [--modes single,processes] [--seed N]
                     [--early-every K (3)] [--from LAKE | --lake REPLAY_LAKE] [--start S] [--work DIR] [--keep]
                     [--timeout SECONDS (600)] [-- extra pipeline flags]
  --from LAKE       the lake whose ledgers (those with transactions) are cycled (default: the shared standalone-p23)
  --lake DIR        an existing replay lake (bun run replay-lake) instead of generating one
  --early-every K   rounds 1, 1+K, 1+2K, ... kill before the first commit (0: never)`;

/** mulberry32: a small seeded generator, so that a round's kill points can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

function parse() {
  const argv = Bun.argv.slice(2);
  const dash = argv.indexOf("--");
  const { values } = readFlags("bun run chaos", dash >= 0 ? argv.slice(0, dash) : argv, {
    rounds: { type: "string" },
    ledgers: { type: "string" },
    modes: { type: "string" },
    seed: { type: "string" },
    "early-every": { type: "string" },
    from: { type: "string" },
    lake: { type: "string" },
    start: { type: "string" },
    work: { type: "string" },
    keep: { type: "boolean" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const int = (value: string | undefined, flag: string, fallback: number, min: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new UsageError(`${flag} needs an integer >= ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
  const modes = (values.modes ?? "single,processes").split(",") as Mode[];
  for (const mode of modes) if (mode !== "single" && mode !== "processes") throw new UsageError(`--modes: unknown mode ${JSON.stringify(mode)} (single, processes)`);
  return {
    help: values.help ?? false,
    rounds: int(values.rounds, "--rounds", 3, 0),
    ledgers: int(values.ledgers, "--ledgers", 3000, 2),
    modes,
    seed: int(values.seed, "--seed", Math.floor(Math.random() * 2 ** 31), 0),
    earlyEvery: int(values["early-every"], "--early-every", 3, 0),
    from: values.from ?? SHARED_P23,
    lake: values.lake ?? null,
    start: int(values.start, "--start", DEFAULT_REPLAY_START, 2),
    work: values.work ?? null,
    keep: values.keep ?? false,
    timeoutMs: int(values.timeout, "--timeout", 600, 1) * 1000,
    extraArgs: dash >= 0 ? argv.slice(dash + 1) : [],
  };
}

async function main(): Promise<number> {
  let options;
  try {
    options = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure("bun run chaos", error.message);
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const work = options.work ?? (await mkdtemp(join(tmpdir(), "stellar-flow-chaos-")));
  try {
    let lake = options.lake;
    let start = options.start;
    let end = options.start + options.ledgers - 1;
    if (lake === null) {
      const generated = await generateReplayLake({ from: options.from, out: join(work, "lake"), ledgers: options.ledgers, start: options.start, skipEmpty: true });
      lake = generated.dir;
      console.log(`replay lake ${lake}: ledgers ${generated.start}-${generated.end}, cycling ledgers ${generated.cycle.join(", ")} of ${options.from}`);
    } else {
      const { readDataLakeConfig } = await import("../src/source/datalake/config.ts");
      const { FolderStore } = await import("../src/source/datalake/folder-store.ts");
      const { findLatestLedger } = await import("../src/source/datalake/latest-ledger.ts");
      const store = new FolderStore(lake);
      end = await findLatestLedger(store, await readDataLakeConfig(store), lake);
      start = Math.max(start, end - options.ledgers + 1);
      console.log(`replay lake ${lake}: ledgers ${start}-${end}`);
    }
    const setup: ChaosSetup = { repo: REPO, work, lake, start, end, extraArgs: options.extraArgs, timeoutMs: options.timeoutMs, maxResumes: 4 };
    console.log(`seed ${options.seed} (the same kills again: --seed ${options.seed}); pipeline flags: ${pipelineArgs(setup, "single", "DB", true).join(" ")}`);

    // reference runs, uninterrupted: the rows every round must end with, and how long a run takes
    let reference: DatabaseDigest | null = null;
    const referenceSeconds = new Map<Mode, number>();
    for (const mode of options.modes) {
      const db = join(work, `${mode}-reference.duckdb`);
      const result = await startRun(setup, pipelineArgs(setup, mode, db, true)).done;
      if (result.code !== 0) {
        console.error(`error: the ${mode} reference run failed (exit ${result.code}):\n${result.tail.join("\n")}`);
        return 1;
      }
      const digest = await databaseDigest(db);
      referenceSeconds.set(mode, result.seconds);
      const peaks = Object.entries(result.memory.peakByProcess);
      const sum = peaks.reduce((n, [, bytes]) => n + bytes, 0);
      console.log(
        `reference ${mode}: ${digest.ledgers} ledgers, ${digest.events} events in ${result.seconds.toFixed(1)} s (${formatRate(digest.ledgers / result.seconds)} ledgers/s); ` +
          `peak RSS ${peaks.map(([name, bytes]) => `${name} ${mb(bytes)}`).join(", ")}` +
          (peaks.length > 1 ? `; sum of peaks ${mb(sum)}, highest total at once ${mb(result.memory.peakTreeTotal)}` : ""),
      );
      if (reference === null) reference = digest;
      else if (!sameRows(digest, reference)) {
        console.log(`different: the ${mode} reference run's rows differ from the ${options.modes[0]} one's (${digest.events} events, ${digest.ranges})`);
        return 1;
      }
    }

    const random = seeded(options.seed);
    const failures: string[] = [];
    const tally = new Map<Mode, { identical: number; rounds: number; otherProblems: number; peak: number }>();
    for (const mode of options.modes) {
      const counts = { identical: 0, rounds: 0, otherProblems: 0, peak: 0 };
      tally.set(mode, counts);
      for (let round = 1; round <= options.rounds; round++) {
        const early = options.earlyEvery > 0 && (round - 1) % options.earlyEvery === 0;
        const outcome = await runRound(setup, { mode, round, early, referenceSeconds: referenceSeconds.get(mode)!, random }, reference!);
        counts.rounds++;
        if (outcome.identical) counts.identical++;
        if (outcome.identical && outcome.problems.length > 0) counts.otherProblems++;
        counts.peak = Math.max(counts.peak, outcome.peaks.pipeline ?? 0);
        const verdict = (outcome.identical ? "identical" : "different") + (outcome.identical && outcome.problems.length > 0 ? " (but see below)" : "");
        console.log(`${mode} round ${round}/${options.rounds}${early ? " (kill before the first commit)" : ""}: ${verdict}`);
        for (const line of [...outcome.lines, ...outcome.problems]) console.log(`    ${line}`);
        if (outcome.problems.length > 0) failures.push(`${mode} round ${round}: ${outcome.problems.join("; ")}`);
      }
    }
    console.log("\nsummary");
    for (const [mode, counts] of tally) {
      const other = counts.otherProblems > 0 ? ` (${counts.otherProblems} of them with another problem)` : "";
      console.log(`  ${mode}: ${counts.identical} of ${counts.rounds} rounds identical${other}${mode === "single" ? `, highest peak RSS of the pipeline process ${mb(counts.peak)}` : ""}`);
    }
    for (const failure of failures) console.log(`  ${failure}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    if (options.keep) console.log(`kept ${work}`);
    else if (options.work === null) await rm(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
