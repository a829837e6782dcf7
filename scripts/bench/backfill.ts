// The backfill's figures, in one session: `bun run bench --backfill` (= `bun scripts/bench/backfill.ts
// [--lake standalone-p23] [--ledgers 10000] [--rounds 2] [--json FILE]`) replays LEDGERS hash-chained ledgers of a lake, each way in a process
// of its own, rounds interleaved (the machine's load falls on every way alike):
//   pipeline   today's path: one process, runPipeline into an on-disk DuckDB
//   shard      one backfill shard process writing Parquet + manifest
//   parallel2  two shard processes at once, each half of the ledgers (--parallel 2)
//   process    decode + extract alone (what a shard process cannot go below)
// and prints wall time, ledgers/s, events/s, MB/s of XDR, CPU seconds and peak RSS per process,
// with the ratios the issue asks for. Absolute figures depend on the load: compare ratios of a run.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg as loadavgNow, tmpdir } from "node:os";
import { join } from "node:path";
import type { ProcessFigures } from "./backfill-process.ts";
import { positiveIntegerFlag as positiveInteger, readFlags, UsageError } from "../../src/cli/flags.ts";
import { parseFlags } from "../../src/cli/command.ts";
import { lakePath } from "../fixtures/shared-ledgers.ts";

const HELP = `Usage: bun run bench --backfill [--lake NAME] [--ledgers N] [--rounds N] [--json FILE]

The backfill's figures: N hash-chained ledgers replayed from a shared lake, each way in a process of
its own, rounds interleaved: today's pipeline into DuckDB, one shard process writing Parquet, two
shard processes (--parallel 2), decode + extract alone; ratios against the pipeline of the same run.

  --lake NAME     the shared lake whose ledgers are cycled (default standalone-p23)
  --ledgers N     ledgers replayed by each way (default 10000)
  --rounds N      rounds of every way (default 2; the figures are the slower round's)
  --json FILE     also write the figures as JSON
  -h, --help      this text`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  lake: { type: "string" },
  ledgers: { type: "string" },
  rounds: { type: "string" },
  json: { type: "string" },
} as const;


const parsed = parseFlags(() => {
  const { values } = readFlags("bun run bench --backfill", Bun.argv.slice(2), OPTIONS);
  const lakeName = values.lake ?? "standalone-p23";
  if (!/^[\w.-]+$/.test(lakeName) || !existsSync(join(lakePath(lakeName), ".config.json"))) throw new UsageError(`--lake must name a shared lake in ${lakePath("")} (e.g. standalone-p23), got "${lakeName}"`);
  return {
    help: values.help ?? false,
    lake: lakeName,
    ledgers: values.ledgers === undefined ? 10_000 : positiveInteger("ledgers", values.ledgers),
    rounds: values.rounds === undefined ? 2 : positiveInteger("rounds", values.rounds),
    json: values.json,
  };
}, HELP, "bun run bench --backfill");
if (typeof parsed === "number") process.exit(parsed);
const { lake, ledgers, rounds } = parsed;
const env = { ...process.env, BUN_JSC_forceRAMSize: process.env.BUN_JSC_forceRAMSize ?? "402653184" };
const script = join(import.meta.dir, "backfill-process.ts");
const log = (line: string) => console.error(`[bench backfill] ${line}`);

async function processRun(mode: string, start: number, end: number, out = ""): Promise<ProcessFigures> {
  const proc = Bun.spawn(["bun", script, mode, lake, String(start), String(end), out], { stdout: "pipe", stderr: "inherit", env });
  const [text, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (code !== 0) throw new Error(`${mode} ${start}-${end} failed (exit ${code})`);
  return JSON.parse(text) as ProcessFigures;
}

interface Row {
  readonly way: string;
  readonly seconds: number;
  readonly processes: readonly ProcessFigures[];
  /** The machine's 1-minute load average as the way started: other work takes cores from it. */
  readonly load: number;
}

const rows: Row[] = [];
const loadavg = () => loadavgNow().map((n) => n.toFixed(1)).join(" ");
console.error(`[bench backfill] load average before: ${loadavg()} (other work on the machine skews wall times; CPU seconds less so)`);
for (let round = 1; round <= rounds; round++) {
  const dir = mkdtempSync(join(tmpdir(), "stellar-flow-bench-backfill-"));
  try {
    for (const way of ["pipeline", "shard", "parallel2", "process"]) {
      log(`round ${round}: ${way} (load ${loadavg()})`);
      const load = loadavgNow()[0]!;
      const started = performance.now();
      let processes: ProcessFigures[];
      if (way === "parallel2") {
        const half = Math.floor(ledgers / 2);
        processes = await Promise.all([processRun("shard", 1, half, join(dir, "p1")), processRun("shard", half + 1, ledgers, join(dir, "p2"))]);
      } else processes = [await processRun(way, 1, ledgers, join(dir, way))];
      rows.push({ way, seconds: (performance.now() - started) / 1000, processes, load });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const of = (way: string) => rows.filter((r) => r.way === way);
const wall = (way: string) => median(of(way).map((r) => r.seconds));
const cpu = (way: string) => median(of(way).map((r) => r.processes.reduce((n, p) => n + p.cpuSeconds, 0)));
console.log(`${lake}, ${ledgers} ledgers, ${rounds} round(s), ${navigator.hardwareConcurrency} cores, bun ${Bun.version}`);
console.log("way        round  load  wall s  ledgers/s  events/s   XDR MB/s  per process: CPU s (share of a core), peak RSS MB, out MB");
for (const [i, row] of rows.entries()) {
  const events = row.processes.reduce((n, p) => n + p.events, 0);
  const xdr = row.processes.reduce((n, p) => n + p.xdrMb, 0);
  const per = row.processes.map((p) => `${p.cpuSeconds.toFixed(1)} s (${((100 * p.cpuSeconds) / p.seconds).toFixed(0)}%), ${p.peakRssMb} MB, ${p.outMb.toFixed(1)} MB`).join(" | ");
  console.log(
    `${row.way.padEnd(10)} ${String(Math.floor(i / 4) + 1).padStart(5)} ${row.load.toFixed(1).padStart(5)} ${row.seconds.toFixed(1).padStart(7)} ${(ledgers / row.seconds).toFixed(0).padStart(10)} ${(events / row.seconds).toFixed(0).padStart(9)} ${(xdr / row.seconds).toFixed(1).padStart(10)}  ${per}`,
  );
}
console.log(`shard / pipeline:      ${(wall("pipeline") / wall("shard")).toFixed(2)}x by wall time (median), ${(cpu("pipeline") / cpu("shard")).toFixed(2)}x by CPU time (target >= 1.3x)`);
console.log(`parallel2 / shard:     ${(wall("shard") / wall("parallel2")).toFixed(2)}x by wall time (target >= 1.6x); CPU of the two ${cpu("parallel2").toFixed(1)} s vs one ${cpu("shard").toFixed(1)} s`);
console.log(`parallel2 / pipeline:  ${(wall("pipeline") / wall("parallel2")).toFixed(2)}x by wall time`);
// a shard process that keeps more than one core busy (GC and I/O threads) leaves less than a second core to another
const cores = navigator.hardwareConcurrency;
const share = median(of("shard").map((r) => r.processes[0]!.cpuSeconds / r.processes[0]!.seconds));
const parallelShare = median(of("parallel2").map((r) => r.processes.reduce((n, p) => n + p.cpuSeconds, 0) / r.seconds));
console.log(
  `why:                   one shard process keeps ${share.toFixed(2)} cores busy, so ${cores} cores allow at most ${Math.min(2, cores / share).toFixed(2)}x with two; ` +
    `the two kept ${parallelShare.toFixed(2)} of ${cores} cores busy (load average ${median(of("parallel2").map((r) => r.load)).toFixed(1)} as they started), and needed ${(cpu("parallel2") / cpu("shard")).toFixed(2)}x the CPU seconds of one for the same ledgers`,
);
console.log(`process-only floor:    a shard process is ${(wall("shard") / wall("process")).toFixed(2)}x decode + extract alone`);
console.log(`peak RSS per process:  ${Math.max(...rows.flatMap((r) => r.processes.map((p) => p.peakRssMb)))} MB at most (target <= 400)`);
if (parsed.json) await Bun.write(parsed.json, JSON.stringify(rows, null, 2));
