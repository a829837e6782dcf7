// `bun run pipeline`: data lake -> TTP events -> DuckDB, with progress and a summary.
import { runPipeline, type PipelineProgress } from "../components/pipeline.ts";
import { TtpProcessor } from "../components/ttp-processor.ts";
import { DuckDbSink } from "../sink/duckdb/duckdb-sink.ts";
import { exportJson } from "../sink/export/export-json.ts";
import { exportParquet } from "../sink/export/export-parquet.ts";
import { openFolderLake } from "../source/datalake/open-folder-lake.ts";
import { SdkLedgerDecoder } from "../stellar/sdk/sdk-ledger-decoder.ts";
import { resolvePassphrase } from "../stellar/network.ts";
import { eventPredicate, FilterError } from "../ttp/event-filter.ts";
import { parsePipelineArgs, PIPELINE_HELP, UsageError } from "./pipeline-args.ts";
import { progressLine, summaryLines } from "./progress-report.ts";

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parsePipelineArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${PIPELINE_HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(PIPELINE_HELP);
    return 0;
  }

  let filter;
  try {
    filter = eventPredicate(args.filters);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const source = await openFolderLake(args.datalake, { networkPassphrase: args.network ? resolvePassphrase(args.network) : undefined });
  const processor = new TtpProcessor({
    networkPassphrase: source.networkPassphrase,
    decoder: new SdkLedgerDecoder(source.networkPassphrase),
    mode: args.ttpMode,
    verify: args.verify,
    filter,
  });
  const sink = await DuckDbSink.open(args.db);
  const range = { start: args.start, end: args.end };
  const interactive = process.stderr.isTTY === true;
  let lastDraw = 0;
  const onProgress = (p: PipelineProgress) => {
    if (!interactive || performance.now() - lastDraw < 200) return;
    lastDraw = performance.now();
    process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
  };

  const abort = new AbortController();
  const stop = () => abort.abort(new Error("interrupted"));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    console.error(`reading ${source.description}, ledgers ${range.start}-${range.end}, into ${args.db}`);
    const summary = await runPipeline({ source, processor, sink, range, onProgress, signal: abort.signal });
    if (interactive) process.stderr.write("\r\x1b[2K");
    for (const line of summaryLines(summary)) console.log(line);
    if (args.exportJson || args.exportParquet) {
      const connection = await sink.connect();
      if (args.exportJson) console.log(`exported     ${await exportJson(connection, range, args.exportJson)} events to ${args.exportJson}`);
      if (args.exportParquet) {
        const counts = await exportParquet(connection, range, args.exportParquet);
        console.log(`exported     ${counts.events} events and ${counts.ledgers} ledgers as Parquet to ${args.exportParquet}`);
      }
    }
    return 0;
  } catch (error) {
    if (interactive) process.stderr.write("\r\x1b[2K");
    const cursor = await sink.cursor().catch(() => null);
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    console.error(cursor === null ? `nothing committed to ${args.db}` : `committed through ledger ${cursor} in ${args.db}`);
    return 1;
  } finally {
    if (interactive) process.stderr.write("\r\x1b[2K");
    await sink.close();
  }
}

try {
  process.exitCode = await main(Bun.argv.slice(2));
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
