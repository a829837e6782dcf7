// One process of the backfill bench, so that its CPU time and peak RSS are its own:
// `bun scripts/bench/backfill-process.ts MODE LAKE START END [OUT]` replays ledgers START..END of a
// shared lake (hash-chained, tx sets recommitted: ./replay-source.ts) and prints JSON figures.
// MODE: pipeline (today's path: runPipeline into an on-disk DuckDB, main thread, group commit),
// shard (the backfill's shard runner writing Parquet + manifest into the folder OUT),
// process (decode + extract only, writing nothing: the floor).
import { lakePath } from "../fixtures/shared-ledgers.ts";
import { DEFAULT_GROUP_COMMIT } from "../../src/stages/commit-group.ts";
import { FolderDatasetStore } from "../../src/backfill/folder-dataset-store.ts";
import { runShard } from "../../src/backfill/shard-runner.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { endToEnd } from "./end-to-end.ts";
import { readLakeObjects } from "./lake-objects.ts";
import { ReplaySource } from "./replay-source.ts";
import { RssSampler } from "./rss-sampler.ts";
import { StageClock } from "./stage-clock.ts";

export interface ProcessFigures {
  readonly mode: string;
  readonly ledgers: number;
  readonly events: number;
  readonly xdrMb: number;
  readonly seconds: number;
  /** CPU time of the whole process (all its threads) during the run. */
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** Peak RSS in the first and the last quarter of the run (a growing one would show). */
  readonly rssQuartersMb?: readonly [number, number];
  /** Bytes written (Parquet files and manifest, or the DuckDB file). */
  readonly outMb: number;
}

const [mode, lakeName, startArg, endArg, out] = Bun.argv.slice(2);
const start = Number(startArg);
const end = Number(endArg);
const lake = await readLakeObjects(lakePath(lakeName!), lakeName!);
const source = () => new ReplaySource({ objects: lake.objects, networkPassphrase: lake.networkPassphrase, fromDisk: false, ledgersPerBatch: 4, clock: new StageClock() });

let figures: ProcessFigures;
if (mode === "pipeline") {
  if (start !== 1) throw new Error("the pipeline mode replays from ledger 1");
  const result = await endToEnd({ lake, path: "fast", workers: 0, ledgers: end, fromDisk: false, ledgersPerBatch: 4, duckdb: {}, groupCommit: DEFAULT_GROUP_COMMIT });
  const { peakMb, firstQuarterPeakMb, lastQuarterPeakMb } = result.rss;
  figures = { mode, ledgers: result.ledgers, events: result.events, xdrMb: result.xdrMb, seconds: result.seconds, cpuSeconds: result.cpuMs / 1000, peakRssMb: peakMb, rssQuartersMb: [firstQuarterPeakMb, lastQuarterPeakMb], outMb: result.outMb ?? 0 };
} else {
  const replay = source();
  const rss = new RssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let ledgers = 0;
  let events = 0;
  let outMb = 0;
  if (mode === "shard") {
    const store = new FolderDatasetStore(out!);
    const result = await runShard({ source: replay, store, shard: { start, end }, processor: shardProcessor(lake.networkPassphrase) });
    if (result.kind !== "written") throw new Error("shard not written");
    ledgers = result.manifest.ledgers;
    events = result.manifest.rows.ttp_events;
    outMb = result.manifest.files.reduce((n, f) => n + f.bytes, 0) / 1e6;
  } else if (mode === "process") {
    const processor = shardProcessor(lake.networkPassphrase);
    for await (const batch of replay.batches({ start, end })) {
      const processed = await processor.process(batch);
      ledgers += processed.ledgers.numRows;
      events += processed.events.numRows;
    }
  } else throw new Error(`unknown mode ${mode}`);
  const used = process.cpuUsage(cpu);
  const { peakMb, firstQuarterPeakMb, lastQuarterPeakMb } = rss.stop();
  figures = { mode, ledgers, events, xdrMb: replay.xdrBytes / 1e6, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: peakMb, rssQuartersMb: [firstQuarterPeakMb, lastQuarterPeakMb], outMb };
}
console.log(JSON.stringify(figures));
