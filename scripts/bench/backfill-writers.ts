// How a shard process could write Parquet, measured (the figures that chose src/backfill/parquet):
// `bun scripts/bench/backfill-writers.ts WAY LAKE START END OUTDIR` replays ledgers START..END of a
// shared lake (chained, as ./replay-source.ts), processes them on the main thread and writes the rows:
//   duckdb-file  today's path: runPipeline into an on-disk DuckDB (START must be 1)
//   duckdb-mem   an in-memory DuckDB fed by the appender, then COPY ... TO parquet (zstd), sorted, per part
//   wasm         parquet-wasm's writer (arrow-rs) from Arrow IPC, per part; PARQUET_WASM = path of its
//                node/parquet_wasm.js (not a dependency: `bun add parquet-wasm@0.8.0` in a scratch folder)
//   custom       src/backfill/parquet: the streaming writer the shard runner uses
//   none         nothing written (decode + extract alone)
// PART_ROWS (default 250,000) rows per part file for duckdb-mem and wasm, which hold a part in memory.
// Prints JSON: wall and CPU seconds, peak RSS, per-stage ms. Run each way in a process of its own.
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Table, tableToIPC, type RecordBatch } from "apache-arrow";
import type { ProcessedBatch } from "../../src/arrow/processed-batch.ts";
import { ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { ledgerSummarySchema } from "../../src/arrow/ledger-summary-batch.ts";
import { ParquetWriter } from "../../src/backfill/parquet/parquet-writer.ts";
import { shardProcessor } from "../../src/backfill/shard-processor.ts";
import { DEFAULT_GROUP_COMMIT } from "../../src/stages/commit-group.ts";
import { appendRecordBatches } from "../../src/sink/duckdb/append-record-batch.ts";
import { lakePath } from "../fixtures/shared-ledgers.ts";
import { endToEnd } from "./end-to-end.ts";
import { readLakeObjects } from "./lake-objects.ts";
import { ReplaySource } from "./replay-source.ts";
import { RssSampler } from "./rss-sampler.ts";
import { StageClock } from "./stage-clock.ts";

const [way, lakeName, startArg, endArg, outDir] = Bun.argv.slice(2);
const start = Number(startArg);
const end = Number(endArg);
const lake = await readLakeObjects(lakePath(lakeName!), lakeName!);
mkdirSync(outDir!, { recursive: true });
const PART_ROWS = Number(process.env.PART_ROWS ?? 250_000);
const ROW_GROUP = 122_880;
const clock = new StageClock();

interface Writer {
  write(batch: ProcessedBatch): Promise<void>;
  finish(): Promise<void>;
}

const EVENTS_DDL = `CREATE TABLE ttp_events (ledger_sequence UINTEGER NOT NULL, closed_at TIMESTAMPTZ NOT NULL, tx_hash VARCHAR NOT NULL, transaction_index UINTEGER NOT NULL, operation_index UINTEGER, event_index UINTEGER NOT NULL, event_type VARCHAR NOT NULL, from_address VARCHAR, to_address VARCHAR, asset VARCHAR, amount HUGEINT NOT NULL, contract_address VARCHAR NOT NULL, to_muxed_type VARCHAR, to_muxed_value VARCHAR)`;
const LEDGERS_DDL = `CREATE TABLE ledgers (sequence UINTEGER NOT NULL, hash VARCHAR NOT NULL, previous_hash VARCHAR NOT NULL, closed_at TIMESTAMPTZ NOT NULL, protocol_version UINTEGER NOT NULL, successful_tx_count UINTEGER NOT NULL, failed_tx_count UINTEGER NOT NULL, operation_count UINTEGER NOT NULL, event_count UINTEGER NOT NULL)`;

async function duckdbMemoryWriter(): Promise<Writer> {
  const instance = await DuckDBInstance.create(":memory:", { memory_limit: "128MB" });
  const db = await instance.connect();
  await db.run(EVENTS_DDL);
  await db.run(LEDGERS_DDL);
  let pending: ProcessedBatch[] = [];
  let pendingRows = 0;
  let partRows = 0;
  let part = 0;
  const append = () =>
    clock.timeAsync("append", async () => {
      await appendRecordBatches(db, "ttp_events", pending.map((b) => b.events), ttpEventSchema);
      await appendRecordBatches(db, "ledgers", pending.map((b) => b.ledgers), ledgerSummarySchema);
      pending = [];
      pendingRows = 0;
    });
  const copy = async () => {
    await append();
    await clock.timeAsync("copy", async () => {
      await db.run(`COPY (SELECT * REPLACE (CAST(amount AS DECIMAL(38,0)) AS amount) FROM ttp_events ORDER BY ledger_sequence, event_index) TO '${outDir}/ttp_events-${part}.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP})`);
      await db.run(`COPY (SELECT * FROM ledgers ORDER BY sequence) TO '${outDir}/ledgers-${part}.parquet' (FORMAT parquet, COMPRESSION zstd)`);
      await db.run("DELETE FROM ttp_events");
      await db.run("DELETE FROM ledgers");
    });
    part++;
    partRows = 0;
  };
  return {
    async write(batch) {
      pending.push(batch);
      pendingRows += batch.events.numRows;
      partRows += batch.events.numRows;
      if (pendingRows >= 32_768) await append();
      if (partRows >= PART_ROWS) await copy();
    },
    async finish() {
      if (partRows > 0 || pending.length > 0) await copy();
      db.closeSync();
      instance.closeSync();
    },
  };
}

async function wasmWriter(): Promise<Writer> {
  if (!process.env.PARQUET_WASM) throw new Error("set PARQUET_WASM to parquet-wasm's node/parquet_wasm.js");
  const pq = await import(process.env.PARQUET_WASM);
  let events: RecordBatch[] = [];
  let ledgers: RecordBatch[] = [];
  let rows = 0;
  let part = 0;
  const write = (batches: RecordBatch[], name: string) => {
    const ipc = clock.time("ipc", () => tableToIPC(new Table(batches), "stream"));
    const table = clock.time("ipc", () => pq.Table.fromIPCStream(ipc));
    const properties = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).setMaxRowGroupSize(ROW_GROUP).build();
    return Bun.write(`${outDir}/${name}-${part}.parquet`, clock.time("encode", () => pq.writeParquet(table, properties)));
  };
  const flush = async () => {
    await write(events, "ttp_events");
    await write(ledgers, "ledgers");
    events = [];
    ledgers = [];
    rows = 0;
    part++;
  };
  return {
    async write(batch) {
      events.push(batch.events);
      ledgers.push(batch.ledgers);
      rows += batch.events.numRows;
      if (rows >= PART_ROWS) await flush();
    },
    async finish() {
      if (events.length > 0) await flush();
    },
  };
}

function customWriter(): Writer {
  const open = (schema: typeof ttpEventSchema, name: string, sortedBy: string[]) => {
    const sink = Bun.file(`${outDir}/${name}.parquet`).writer();
    const writer = new ParquetWriter({ schema, rowGroupRows: 100_000, sortedBy, compress: (b) => Bun.zstdCompressSync(b, { level: 3 }), output: (b) => void sink.write(b) });
    return { writer, sink };
  };
  const events = open(ttpEventSchema, "ttp_events", ["ledger_sequence", "event_index"]);
  const ledgers = open(ledgerSummarySchema, "ledgers", ["sequence"]);
  return {
    async write(batch) {
      await events.writer.write(batch.events);
      await ledgers.writer.write(batch.ledgers);
    },
    async finish() {
      await events.writer.close();
      await ledgers.writer.close();
      await events.sink.end();
      await ledgers.sink.end();
    },
  };
}

const rss = new RssSampler();
const cpuAtStart = process.cpuUsage();
const started = performance.now();
let events = 0;
if (way === "duckdb-file") {
  if (start !== 1) throw new Error("duckdb-file replays from ledger 1");
  events = (await endToEnd({ lake, path: "fast", workers: 0, ledgers: end, fromDisk: false, ledgersPerBatch: 4, duckdb: {}, groupCommit: DEFAULT_GROUP_COMMIT })).events;
} else {
  const source = new ReplaySource({ objects: lake.objects, networkPassphrase: lake.networkPassphrase, fromDisk: false, ledgersPerBatch: 4, clock });
  const processor = shardProcessor(lake.networkPassphrase);
  const writer = way === "duckdb-mem" ? await duckdbMemoryWriter() : way === "wasm" ? await wasmWriter() : way === "custom" ? customWriter() : way === "none" ? null : undefined;
  if (writer === undefined) throw new Error(`unknown way ${way}`);
  for await (const raw of source.batches({ start, end })) {
    const processed = await clock.time("process", () => processor.process(raw)); // in this thread: timed whole
    if (processed.failure) throw processed.failure;
    events += processed.events.numRows;
    if (writer) await clock.timeAsync("write", () => writer.write(processed));
  }
  if (writer) await clock.timeAsync("write", () => writer.finish());
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
const outMb = readdirSync(outDir!).reduce((n, f) => n + statSync(join(outDir!, f)).size, 0) / 1e6;
const stagesMs = Object.fromEntries(Object.entries(clock.ms).map(([k, v]) => [k, Math.round(v)]));
console.log(JSON.stringify({ way, start, end, events, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: rss.stop().peakMb, stagesMs, outMb }));
