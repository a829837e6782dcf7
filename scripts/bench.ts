// `bun run bench [--quick] [--json FILE] [--workers 1,2] [--ledgers N] [--batch-size N]
// [--duckdb-memory-limit SIZE] [--group-commit LEDGERS|off]`: throughput of the SDK baseline and of the production path on the
// shared lakes (decode + extract, and end to end into DuckDB), then a long in-memory replay.
// `bun run bench --flowctl`: only what reporting to flowctl costs each component (./bench/flowctl-overhead.ts).
// `bun run bench --backfill [--ledgers N] [--rounds N] [--lake NAME] [--json FILE]`: the backfill's
// figures instead (./bench/backfill.ts: today's pipeline vs one shard process vs --parallel 2).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lakePath } from "./fixtures/shared-ledgers.ts";
import { ledgerDecoder } from "../src/processor/ledger-decoders.ts";
import { splitLedgerCloseMetaBatch } from "../src/stellar/xdr/ledger-header-reader.ts";
import { SdkClassLedgerDecoder } from "./bench/baseline-decoder.ts";
import { decodeExtract, type DecodeExtractResult } from "./bench/decode-extract.ts";
import { endToEnd, type EndToEndResult } from "./bench/end-to-end.ts";
import { readLakeObjects, type LakeObjects } from "./bench/lake-objects.ts";
import { printReport, type BenchReport } from "./bench/report.ts";
import { DEFAULT_GROUP_COMMIT, type GroupCommitPolicy } from "../src/stages/commit-group.ts";
import { positiveIntegerFlag as positiveInteger, readFlags, UsageError } from "../src/cli/flags.ts";
import { parseFlags } from "../src/cli/command.ts";
import { memorySize } from "../src/cli/pipeline-args.ts";

const HELP = `Usage: bun run bench [--quick] [--json FILE] [--workers 1,2] [--ledgers N] [--batch-size N]
                     [--duckdb-memory-limit SIZE] [--group-commit LEDGERS|off]
       bun run bench --flowctl
       bun run bench --backfill [--ledgers N] [--rounds N] [--lake NAME] [--json FILE]

Throughput of the SDK baseline and of the production path on the shared lakes (decode + extract, and
end to end into a temporary DuckDB), then a long in-memory replay in a process of its own; ratios
against the baseline measured in the same run.

  --quick                    under a minute: fewer MB per measurement, a 300-ledger long run
  --json FILE                also write the report as JSON
  --workers LIST             worker counts measured beside the main thread (default 1,2)
  --ledgers N                ledgers of the long run (default 10000; 300 with --quick)
  --batch-size N             ledgers per record batch (default 4)
  --duckdb-memory-limit SIZE DuckDB's memory_limit (default: the sink's, 64MB)
  --group-commit LEDGERS|off ledgers per commit (default: the pipeline's 64; off: a commit per batch)
  --flowctl                  only what reporting to flowctl costs each component (memory, CPU, bytes)
  --backfill                 only the backfill's figures: the pipeline vs one shard process vs --parallel 2
                             (bun run bench --backfill --help for its own flags)
  -h, --help                 this text`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  quick: { type: "boolean" },
  json: { type: "string" },
  workers: { type: "string" },
  ledgers: { type: "string" },
  "batch-size": { type: "string" },
  "duckdb-memory-limit": { type: "string" },
  "group-commit": { type: "string" },
  flowctl: { type: "boolean" },
} as const;


function parseBenchArgs(argv: readonly string[]) {
  const { values } = readFlags("bun run bench", argv, OPTIONS);
  const quick = values.quick ?? false;
  const groupCommit = values["group-commit"];
  const memoryLimit = memorySize("duckdb-memory-limit", values["duckdb-memory-limit"]);
  return {
    help: values.help ?? false,
    flowctl: values.flowctl ?? false,
    quick,
    json: values.json ?? null,
    workerCounts: (values.workers ?? "1,2").split(",").map((n) => positiveInteger("workers", n.trim())),
    longLedgers: values.ledgers === undefined ? (quick ? 300 : 10_000) : positiveInteger("ledgers", values.ledgers),
    ledgersPerBatch: values["batch-size"] === undefined ? 4 : positiveInteger("batch-size", values["batch-size"]),
    /** The sink's own DuckDB settings (memory_limit 64MB, as the pipeline runs it) unless told otherwise. */
    duckdb: (memoryLimit ? { memory_limit: memoryLimit } : {}) as Record<string, string>,
    /** Group commit as the pipeline command does it (off: a commit per batch). */
    groupCommit: (groupCommit === "off" ? null : groupCommit ? { ...DEFAULT_GROUP_COMMIT, ledgers: positiveInteger("group-commit", groupCommit) } : DEFAULT_GROUP_COMMIT) as GroupCommitPolicy | null,
  };
}

if (Bun.argv.includes("--backfill")) {
  const backfillArgs = Bun.argv.slice(2).filter((arg) => arg !== "--backfill");
  const proc = Bun.spawn(["bun", join(import.meta.dir, "bench", "backfill.ts"), ...backfillArgs], { stdio: ["inherit", "inherit", "inherit"] });
  process.exit(await proc.exited);
}

const args = parseFlags(() => parseBenchArgs(Bun.argv.slice(2)), HELP);
if (typeof args === "number") process.exit(args);
if (args.flowctl) {
  await (await import("./bench/flowctl-overhead.ts")).flowctlOverhead((line) => console.error(`[bench] ${line}`));
  process.exit(0);
}
const { quick, workerCounts, longLedgers, ledgersPerBatch, duckdb, groupCommit } = args;
const mb = { decodeBaseline: quick ? 4 : 25, decodeFast: quick ? 10 : 100, e2eBaseline: quick ? 4 : 25, e2eFast: quick ? 15 : 150 };

function averageXdrBytes(lake: LakeObjects): number {
  const total = lake.objects.reduce((n, o) => n + splitLedgerCloseMetaBatch(Bun.zstdDecompressSync(o.compressed)).ledgerCloseMetas[0]!.byteLength, 0);
  return total / lake.objects.length;
}

/** Ledgers to replay for about `targetMb` of XDR: whole rounds of the lake, at least one. */
function ledgersFor(lake: LakeObjects, targetMb: number): number {
  const rounds = Math.max(1, Math.ceil((targetMb * 1e6) / (averageXdrBytes(lake) * lake.objects.length)));
  return rounds * lake.objects.length;
}

const log = (line: string) => console.error(`[bench] ${line}`);

const report: BenchReport = {
  startedAt: new Date().toISOString(),
  machine: { cores: navigator.hardwareConcurrency, bun: Bun.version },
  options: { quick, workerCounts, longLedgers, ledgersPerBatch, duckdb, groupCommit },
  lakes: [],
  long: [],
};

const lakes: LakeObjects[] = [];
for (const name of ["pubnet", "standalone-p23", "standalone-p24"]) {
  const lake = await readLakeObjects(lakePath(name), name);
  lakes.push(lake);
  log(`${name}: decode + extract`);
  const decode: Record<string, DecodeExtractResult> = {
    ...decodeExtract(lake, { baseline: new SdkClassLedgerDecoder(lake.networkPassphrase) }, mb.decodeBaseline),
    // The production path checks txSetHash and txSetResultHash; "fast-nocheck" is the same without
    // (--no-tx-set-check). The two take turns, so that the machine's load falls on both alike.
    ...decodeExtract(lake, { fast: ledgerDecoder("fast", lake.networkPassphrase), "fast-nocheck": ledgerDecoder("fast", lake.networkPassphrase, { checkHashes: false }) }, mb.decodeFast),
  };
  const e2e: Record<string, EndToEndResult> = {};
  log(`${name}: end to end, baseline`);
  e2e.baseline = await endToEnd({ lake, path: "baseline", workers: 0, ledgers: ledgersFor(lake, mb.e2eBaseline), fromDisk: true, ledgersPerBatch, duckdb, groupCommit });
  for (const workers of [0, ...workerCounts]) {
    log(`${name}: end to end, fast, ${workers === 0 ? "main thread" : `${workers} worker(s)`}`);
    e2e[`fast-w${workers}`] = await endToEnd({ lake, path: "fast", workers, ledgers: ledgersFor(lake, mb.e2eFast), fromDisk: true, ledgersPerBatch, duckdb, groupCommit });
  }
  log(`${name}: end to end, fast, main thread, without the txSetHash/txSetResultHash check`);
  e2e["fast-w0-nocheck"] = await endToEnd({ lake, path: "fast", workers: 0, ledgers: ledgersFor(lake, mb.e2eFast), fromDisk: true, ledgersPerBatch, duckdb, groupCommit, checkHashes: false });
  report.lakes.push({ lake: name, decode, e2e });
}

/** The long run in a fresh process (all lakes in that one process), so that its peak RSS is its own. */
async function longRun(workers: number, ledgersPerLake: number): Promise<{ lake: string; result: EndToEndResult }[]> {
  const args = [lakes.map((l) => l.name).join(","), String(workers), String(ledgersPerLake), String(ledgersPerBatch), JSON.stringify(duckdb), JSON.stringify(groupCommit)];
  const proc = Bun.spawn(["bun", join(import.meta.dir, "bench", "long-run.ts"), ...args], { stdout: "pipe", stderr: "inherit" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (code !== 0) throw new Error(`long run with ${workers} worker(s) failed (exit ${code})`);
  return JSON.parse(out) as { lake: string; result: EndToEndResult }[];
}

// One network per replay: the long run replays the three lakes one after the other, each for its
// share of the ledgers, in one process.
for (const workers of [0, ...workerCounts]) {
  const ledgersPerLake = Math.ceil(longLedgers / lakes.length);
  log(`long run: ${lakes.length} x ${ledgersPerLake} ledgers, ${workers === 0 ? "main thread" : `${workers} worker(s)`}`);
  report.long.push({ workers, parts: await longRun(workers, ledgersPerLake) });
}

printReport(report);
if (args.json) {
  await writeFile(args.json, JSON.stringify(report, null, 2));
  log(`wrote ${args.json}`);
}
