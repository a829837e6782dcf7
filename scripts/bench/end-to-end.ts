// The whole path: compressed objects -> zstd -> split -> decode -> extract -> Arrow -> DuckDB
// append + commit into a temporary database, through runPipeline, with per-stage wall times.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import type { GroupCommitPolicy } from "../../src/stages/commit-group.ts";
import { ParallelTtpProcessor } from "../../src/processor/parallel-processor.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import { ledgerDecoder } from "../../src/processor/ledger-decoders.ts";
import type { BatchProcessor } from "../../src/processor/batch-processor.ts";
import { openSink } from "../../src/sink/open-sink.ts";
import type { LedgerSink } from "../../src/sink/ledger-sink.ts";
import type { LedgerDecoder } from "../../src/stellar/ledger-decoder.ts";
import type { LakeObjects } from "./lake-objects.ts";
import { ReplaySource } from "./replay-source.ts";
import { RssSampler } from "./rss-sampler.ts";
import { StageClock } from "./stage-clock.ts";

export type PathName = "baseline" | "fast";

export interface EndToEndOptions {
  readonly lake: LakeObjects;
  readonly path: PathName;
  /** 0: decode and extract on the main thread; N: N worker threads. */
  readonly workers: number;
  readonly ledgers: number;
  readonly fromDisk: boolean;
  readonly ledgersPerBatch: number;
  /** DuckDB configuration, e.g. { memory_limit: "128MB", threads: "1" }. */
  readonly duckdb?: Record<string, string>;
  /** Group commit policy of the run (null: a commit per batch). */
  readonly groupCommit?: GroupCommitPolicy | null;
  /** The production path's txSetHash/txSetResultHash check (default true, as the pipeline runs). */
  readonly checkHashes?: boolean;
}

export interface EndToEndResult {
  readonly xdrMb: number;
  readonly ledgers: number;
  readonly events: number;
  readonly seconds: number;
  /** Main-thread wall time per stage, ms (with workers, "process" is the wait for results). */
  readonly stagesMs: Record<string, number>;
  readonly rss: { peakMb: number; firstQuarterPeakMb: number; lastQuarterPeakMb: number };
  /** CPU time of the whole process (every thread, DuckDB's included) during the run, ms. */
  readonly cpuMs: number;
  /** Size of the DuckDB file written, MB. */
  readonly outMb?: number;
}

function timedDecoder(decoder: LedgerDecoder, clock: StageClock): LedgerDecoder {
  return { decode: (lcm) => clock.time("decode", () => decoder.decode(lcm)) };
}

function timedSink(sink: LedgerSink, clock: StageClock): LedgerSink {
  return {
    description: sink.description,
    location: sink.location,
    cursor: () => sink.cursor(),
    resumePoint: () => sink.resumePoint(),
    startOver: (at) => sink.startOver(at),
    write: (batch) => clock.timeAsync("sink", () => sink.write(batch)),
    writeMany: (batches) => clock.timeAsync("sink", () => sink.writeMany(batches)),
    close: () => sink.close(),
  };
}

export async function endToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const { lake } = options;
  const clock = new StageClock();
  const dir = await mkdtemp(join(tmpdir(), "stellar-flow-bench-"));
  const { sink } = await openSink(join(dir, "bench.duckdb"), { settings: options.duckdb });
  const source = new ReplaySource({
    objects: lake.objects,
    networkPassphrase: lake.networkPassphrase,
    fromDisk: options.fromDisk,
    ledgersPerBatch: options.ledgersPerBatch,
    clock,
  });
  let parallel: ParallelTtpProcessor | null = null;
  let processor: BatchProcessor;
  if (options.workers > 0) {
    if (options.path !== "fast") throw new Error("worker threads run the production (fast) path only");
    parallel = new ParallelTtpProcessor({ networkPassphrase: lake.networkPassphrase, mode: "auto", workers: options.workers, checkHashes: options.checkHashes });
    processor = parallel;
  } else {
    // The baseline's SDK is loaded only for the baseline, so that the production path's RSS is its own.
    const decoder = options.path === "baseline" ? new (await import("./baseline-decoder.ts")).SdkClassLedgerDecoder(lake.networkPassphrase) : ledgerDecoder("fast", lake.networkPassphrase, { checkHashes: options.checkHashes });
    processor = new TtpProcessor({ networkPassphrase: lake.networkPassphrase, decoder: timedDecoder(decoder, clock), mode: "auto" });
  }
  const inThread = processor;
  const timedProcessor: BatchProcessor = { process: (batch: RecordBatch) => clock.timeAsync("process", async () => inThread.process(batch)) };
  const rss = new RssSampler();
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  try {
    const summary = await runPipeline({
      source: parallel ? parallel.readAhead(source) : source,
      processor: timedProcessor,
      sink: timedSink(sink, clock),
      range: { start: 1, end: options.ledgers },
      groupCommit: options.groupCommit ?? null,
    });
    await clock.timeAsync("sink", () => sink.close()); // DuckDB's last checkpoint is part of the write
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    const stagesMs = { ...clock.ms };
    if (stagesMs.decode !== undefined && stagesMs.process !== undefined) {
      stagesMs["extract+arrow"] = stagesMs.process - stagesMs.decode;
      delete stagesMs.process;
    }
    const outMb = (await stat(join(dir, "bench.duckdb"))).size / 1e6;
    return { xdrMb: source.xdrBytes / 1e6, ledgers: summary.ledgers, events: summary.events, seconds, stagesMs, rss: rss.stop(), cpuMs: (cpu.user + cpu.system) / 1000, outMb };
  } finally {
    parallel?.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  }
}
