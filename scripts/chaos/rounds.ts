// One chaos round: start `bun run pipeline` on the replay lake, SIGKILL it at a seeded random point
// (with --processes: each child in turn, then the supervisor), resume without --start until the
// range is committed, and compare the database with the reference run's.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { databaseDigest, sameRows, type DatabaseDigest } from "./database-digest.ts";
import { killOrphans, PipelineRun, type RunResult } from "./pipeline-run.ts";

export type Mode = "single" | "processes";

export interface ChaosSetup {
  readonly repo: string;
  readonly work: string;
  readonly lake: string;
  readonly start: number;
  readonly end: number;
  /** Extra flags for every pipeline run (after `--` on the chaos command line). */
  readonly extraArgs: readonly string[];
  /** A run is killed past this (a hang). */
  readonly timeoutMs: number;
  /** How many resumes a round may take to reach the end. */
  readonly maxResumes: number;
}

export interface RoundPlan {
  readonly mode: Mode;
  readonly round: number;
  /** Kill before the first commit (soon after the run starts reading). */
  readonly early: boolean;
  /** Seconds of the reference run of this mode, to spread the kills over. */
  readonly referenceSeconds: number;
  readonly random: () => number;
}

export interface RoundOutcome {
  /** The database ended with the reference's rows. */
  readonly identical: boolean;
  /** Everything that went wrong, rows or not (a hang, processes left behind, ...); none: the round passed. */
  readonly problems: readonly string[];
  readonly lines: readonly string[];
  readonly digest: DatabaseDigest | null;
  /** Peak RSS (VmHWM) of the pipeline process (or of each process) over the round's runs, bytes. */
  readonly peaks: Record<string, number>;
}

const CHILDREN = ["flowctl", "source", "processor", "sink"] as const;
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

export function pipelineArgs(setup: ChaosSetup, mode: Mode, db: string, withStart: boolean): string[] {
  return [
    ...(mode === "processes" ? ["--processes"] : []),
    "--datalake",
    setup.lake,
    "--db",
    db,
    ...(withStart ? ["--start", String(setup.start)] : []),
    "--end",
    String(setup.end),
    ...setup.extraArgs,
  ];
}

export function startRun(setup: ChaosSetup, args: readonly string[]): PipelineRun {
  return new PipelineRun({ cwd: setup.repo, args, timeoutMs: setup.timeoutMs });
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Sleeps until `seconds` after the run's start; false if the run ended first. */
async function until(run: PipelineRun, seconds: number): Promise<boolean> {
  while (!run.exited && run.elapsed() < seconds) await Bun.sleep(Math.min(20, (seconds - run.elapsed()) * 1000));
  return !run.exited;
}

/** Waits (up to `ms`) for a live process of that name, e.g. a child being restarted. */
async function appears(run: PipelineRun, name: string, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!run.exited && run.processes(name).length === 0 && performance.now() < deadline) await Bun.sleep(20);
  return run.processes(name).length > 0;
}

function mergePeaks(into: Record<string, number>, result: RunResult): void {
  for (const [name, bytes] of Object.entries(result.memory.peakByProcess)) into[name] = Math.max(into[name] ?? 0, bytes);
}

function describeCursor(digest: DatabaseDigest): string {
  return `cursor ${digest.cursor ?? "none"}, ledgers held ${digest.ranges}`;
}

/** Waits until the run's database file exists; false if the run ended first. */
async function fileAppears(run: PipelineRun, path: string): Promise<boolean> {
  while (!run.exited && !existsSync(path)) await Bun.sleep(10);
  return !run.exited;
}

/** Kills the run as the plan says; lines describing what was killed when. */
async function killRun(run: PipelineRun, plan: RoundPlan, db: string): Promise<string[]> {
  const { random, referenceSeconds } = plan;
  const said: string[] = [];
  const kill = (name: string) => {
    const at = run.elapsed();
    const pid = run.kill(name);
    said.push(pid === null ? `${name}: not running at ${at.toFixed(2)} s` : `SIGKILL ${name} (pid ${pid}) at ${at.toFixed(2)} s`);
  };
  if (plan.mode === "single") {
    if (plan.early) {
      // the sink has just opened the database: the first commit is a second or 64 ledgers away
      if (!(await fileAppears(run, db))) return ["the run ended before it opened the database"];
      await until(run, run.elapsed() + random() * 0.3);
    } else if (!(await until(run, referenceSeconds * (0.05 + 0.9 * random())))) {
      return ["the run finished before the kill"];
    }
    if (run.exited) return ["the run finished before the kill"];
    kill("pipeline");
    return said;
  }
  // --processes: each child in turn (in a random order), then the supervisor
  const order = shuffled(CHILDREN, random);
  const times = plan.early
    ? order.map(() => 0)
    : order.map(() => referenceSeconds * (0.05 + 0.55 * random())).sort((a, b) => a - b);
  if (plan.early) {
    if (!(await fileAppears(run, db))) return ["the run ended before the sink opened the database"];
    await Bun.sleep(random() * 300);
    // early: the sink (before its first commit), then the supervisor; the rest die with it, or not
    kill("sink");
    await Bun.sleep(random() * 300);
    kill("supervisor");
    return said;
  }
  for (let i = 0; i < order.length; i++) {
    const name = order[i]!;
    if (!(await until(run, times[i]!))) return [...said, "the run finished before the next kill"];
    if (name === "flowctl" && run.processes("flowctl").length === 0) continue; // flowctl off
    if (!(await appears(run, name, 5_000))) {
      said.push(`${name}: not running at ${run.elapsed().toFixed(2)} s`);
      continue;
    }
    kill(name);
  }
  const last = Math.max(run.elapsed(), times[times.length - 1]!) + referenceSeconds * 0.1 * random();
  if (!(await until(run, last))) return [...said, "the run finished before the supervisor was killed"];
  kill("supervisor");
  return said;
}

export async function runRound(setup: ChaosSetup, plan: RoundPlan, reference: DatabaseDigest): Promise<RoundOutcome> {
  const db = join(setup.work, `${plan.mode}-round-${plan.round}.duckdb`);
  const lines: string[] = [];
  const problems: string[] = [];
  const peaks: Record<string, number> = {};
  const run = startRun(setup, pipelineArgs(setup, plan.mode, db, true));
  lines.push(...(await killRun(run, plan, db)));
  const killed = await run.done;
  mergePeaks(peaks, killed);
  if (killed.timedOut) problems.push(`the first run hung (killed after ${setup.timeoutMs / 1000} s)`);
  if (killed.orphans.length > 0) {
    problems.push(`left running after the supervisor died: ${killed.orphans.map((o) => `${o.command.match(/src\/cli\/(\w+)/)?.[1]} (pid ${o.pid})`).join(", ")}`);
    await killOrphans(killed.orphans);
  }
  let digest: DatabaseDigest | null = null;
  if (!(await Bun.file(db).exists())) lines.push("after the kill: no database file yet");
  else {
    const afterKill: DatabaseDigest | { error: unknown } = await databaseDigest(db).catch((error: unknown) => ({ error }));
    lines.push("error" in afterKill ? `after the kill: database unreadable (${(afterKill.error as Error).message})` : `after the kill: ${describeCursor(afterKill)}`);
    if (!("error" in afterKill)) digest = afterKill;
  }
  let resumes = 0;
  while ((digest === null || digest.cursor !== setup.end) && resumes < setup.maxResumes) {
    resumes++;
    const resume = await startRun(setup, pipelineArgs(setup, plan.mode, db, false)).done;
    mergePeaks(peaks, resume);
    const last = resume.tail.filter((l) => /error|nothing|committed|ledgers /.test(l)).slice(-2).join(" | ");
    lines.push(`resume ${resumes}: exit ${resume.code ?? "killed"} in ${resume.seconds.toFixed(1)} s${last ? ` (${last.trim()})` : ""}`);
    if (resume.timedOut) problems.push(`resume ${resumes} hung`);
    if (resume.orphans.length > 0) {
      problems.push(`resume ${resumes} left processes running`);
      await killOrphans(resume.orphans);
    }
    digest = await databaseDigest(db).catch(() => null);
  }
  const identical = digest !== null && digest.cursor === setup.end && sameRows(digest, reference);
  if (digest === null) problems.push("the database cannot be read after the resumes");
  else {
    if (digest.cursor !== setup.end) problems.push(`the resumes stopped at ${describeCursor(digest)}, not at ${setup.end}`);
    if (!sameRows(digest, reference)) {
      problems.push(
        `rows differ from the reference: ${digest.events} events / ${digest.ledgers} ledgers (${digest.ranges}) against ` +
          `${reference.events} / ${reference.ledgers} (${reference.ranges})`,
      );
    }
  }
  lines.push(`peak RSS: ${Object.entries(peaks).map(([name, bytes]) => `${name} ${mb(bytes)}`).join(", ")}`);
  return { identical, problems, lines, digest, peaks };
}
