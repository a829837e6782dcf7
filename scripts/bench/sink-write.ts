// The DuckDB write alone, on real rows: `bun scripts/bench/sink-write.ts [LAKE] [LEDGERS] [BATCH]`
// processes LEDGERS replayed ledgers of LAKE (default standalone-p23, 600, 4 per batch) once, then
// writes the same ProcessedBatches into fresh databases several ways, printing wall and CPU time.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProcessedBatch } from "../../src/arrow/processed-batch.ts";
import { ledgerDecoder } from "../../src/processor/ledger-decoders.ts";
import { TtpProcessor } from "../../src/processor/ttp-processor.ts";
import type { LedgerSink } from "../../src/sink/ledger-sink.ts";
import { openSink } from "../../src/sink/open-sink.ts";
import { lakePath } from "../fixtures/shared-ledgers.ts";
import { readLakeObjects } from "./lake-objects.ts";
import { ReplaySource } from "./replay-source.ts";
import { StageClock } from "./stage-clock.ts";

const [lakeName = "standalone-p23", ledgerCount = "600", batchSize = "4"] = Bun.argv.slice(2);
const lake = await readLakeObjects(lakePath(lakeName), lakeName);
const source = new ReplaySource({ objects: lake.objects, networkPassphrase: lake.networkPassphrase, fromDisk: false, ledgersPerBatch: Number(batchSize), clock: new StageClock() });
const processor = new TtpProcessor({ networkPassphrase: lake.networkPassphrase, decoder: ledgerDecoder("fast", lake.networkPassphrase), mode: "auto" });
const batches: ProcessedBatch[] = [];
for await (const raw of source.batches({ start: 1, end: Number(ledgerCount) })) batches.push(processor.process(raw));
const rows = batches.reduce((n, b) => n + b.events.numRows + b.ledgers.numRows, 0);

/** Groups of consecutive batches holding at least `minRows` rows (1: a batch each). */
function groups(minRows: number): ProcessedBatch[][] {
  const out: ProcessedBatch[][] = [];
  let current: ProcessedBatch[] = [];
  let n = 0;
  for (const b of batches) {
    current.push(b);
    n += b.events.numRows + b.ledgers.numRows;
    if (n >= minRows) {
      out.push(current);
      current = [];
      n = 0;
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function run(name: string, write: (sink: LedgerSink) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "stellar-flow-sink-bench-"));
  const { sink } = await openSink(join(dir, "bench.duckdb"), { settings: { memory_limit: "32MB" } });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await write(sink);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await sink.close();
  await rm(dir, { recursive: true, force: true });
  const mainMs = (used.user + used.system) / 1000;
  console.log(`${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms wall  ${mainMs.toFixed(0).padStart(6)} ms CPU (all threads)  ${((rows / ms) * 1000).toFixed(0).padStart(8)} rows/s`);
}

console.log(`${lakeName}: ${batches.length} batches of ${batchSize} ledgers, ${rows} rows`);
for (let round = 0; round < 2; round++) {
  await run("write per batch", async (sink) => {
    for (const b of batches) await sink.write(b);
  });
  for (const minRows of [2048, 8192, 32768]) {
    await run(`writeMany, groups of >= ${minRows} rows`, async (sink) => {
      for (const g of groups(minRows)) await sink.writeMany(g);
    });
  }
}
