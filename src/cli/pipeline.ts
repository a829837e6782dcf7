// `bun run pipeline`: data lake -> TTP events -> DuckDB, with progress and a summary.
import { stat } from "node:fs/promises";
import { runPipeline, type PipelineProgress } from "../components/pipeline.ts";
import { startPipelineServices, type PipelineServices } from "../components/pipeline-services.ts";
import { readYamlConfig } from "../flowctl/config-file.ts";
import { ConfigError } from "../flowctl/config.ts";
import { DEFAULT_LEDGERS_PER_ARROW_BATCH } from "../source/datalake/datalake-source.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";
import { TtpProcessor } from "../components/ttp-processor.ts";
import { CommitHub } from "../sink/services/commit-hub.ts";
import { openServedSink } from "../sink/services/served-sink.ts";
import { servicesConfigFromEnv, sinkServiceRoutes, withCommitHub } from "../sink/services/sink-service-routes.ts";
import { exportJson } from "../sink/export/export-json.ts";
import { exportParquet, parquetExportFiles } from "../sink/export/export-parquet.ts";
import { queryConcurrency } from "./native-threads.ts";
import { QueryLimitError, resolveQueryLimits } from "./query-args.ts";
import { openSource } from "./open-source.ts";
import { planRange } from "./plan-range.ts";
import { ledgerDecoder } from "../components/ledger-decoders.ts";
import { ParallelTtpProcessor } from "../components/parallel-processor.ts";
import { DEFAULT_GROUP_COMMIT } from "../components/commit-group.ts";
import { NETWORK_PASSPHRASES } from "../stellar/network.ts";
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
  // from here on, SIGINT and SIGTERM end the run cleanly: committed batches stay, components unregister
  const abort = new AbortController();
  const stop = () => abort.abort(new Error("interrupted"));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  let filter;
  let query;
  try {
    filter = eventPredicate(args.filters);
    query = resolveQueryLimits(args.query, process.env);
  } catch (error) {
    if (!(error instanceof FilterError) && !(error instanceof QueryLimitError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const concurrency = queryConcurrency(query.concurrency, process.env, navigator.hardwareConcurrency);
  if (concurrency.note) console.error(`sink: ${concurrency.note}`);
  query = { ...query, concurrency: concurrency.concurrency };
  const batchSize = args.batchSize ?? DEFAULT_LEDGERS_PER_ARROW_BATCH;
  const opened = await openSource(args.source, {
    network: args.network,
    ledgersPerArrowBatch: batchSize,
    signal: abort.signal,
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  // DuckDB's sandbox locks the instance once it is open: the exports are known now, and allowed
  const served = await openServedSink(args.db, {
    config: args.duckdbMemoryLimit ? { memory_limit: args.duckdbMemoryLimit } : {},
    exportFiles: [...(args.exportJson ? [args.exportJson] : []), ...(args.exportParquet ? parquetExportFiles(args.exportParquet) : [])],
    queryConcurrency: query.concurrency,
  });
  const sink = served.sink;
  const plan = await planRange(args.source, opened.source, sink, { signal: abort.signal }).catch(async (error: unknown) => {
    await served.close();
    throw error;
  });
  if (plan.note) console.error(plan.note);
  if (plan.range === null) {
    await served.close();
    return 0;
  }
  const { source, range } = plan;
  const parallel =
    args.workers > 0
      ? new ParallelTtpProcessor({ networkPassphrase: source.networkPassphrase, decoder: args.decoder, mode: args.ttpMode, verify: args.verify, filter: args.filters, workers: args.workers })
      : null;
  const processor =
    parallel ??
    new TtpProcessor({ networkPassphrase: source.networkPassphrase, decoder: ledgerDecoder(args.decoder, source.networkPassphrase), mode: args.ttpMode, verify: args.verify, filter });
  let services: PipelineServices;
  // the sink's client services (EventService, QueryService, /ws, dashboard) on the sink component's port
  const hub = new CommitHub(await sink.cursor());
  let flowctlUrl: string | null = null;
  const sinkRoutes = sinkServiceRoutes({ db: served.services, hub, query, ...servicesConfigFromEnv(process.env), flowctlUrl: () => flowctlUrl });
  try {
    services = await startPipelineServices({
      sinkRoutes,
      flowctl: args.flowctl,
      heartbeatInterval: args.flowctlHeartbeatInterval,
      configFile: args.config ? await readYamlConfig(args.config) : null,
      env: process.env,
      healthHost: args.healthHost,
      healthPorts: args.healthPorts,
      targetLedger: Number.isFinite(range.end) ? range.end : 0, // following: the tip is unknown
      log: (message) => console.error(message),
      metadata: {
        source: {
          network: args.network ?? networkName(source.networkPassphrase),
          network_passphrase: source.networkPassphrase,
          ...opened.metadata,
          batch_size: String(batchSize),
        },
        processor: {
          processor_type: "ttp",
          event_types: TTP_EVENT_TYPES.join(","),
          ttp_mode: args.ttpMode,
          verify: String(args.verify),
          network_passphrase: source.networkPassphrase,
        },
        sink: {
          sink_type: "duckdb",
          output_formats: ["duckdb", ...(args.exportJson ? ["ndjson"] : []), ...(args.exportParquet ? ["parquet"] : [])].join(","),
          endpoints: [args.db, ...(args.exportJson ? [args.exportJson] : []), ...(args.exportParquet ? [args.exportParquet] : [])].join(","),
          buffer_size: String(batchSize),
        },
      },
    });
  } catch (error) {
    parallel?.close();
    await served.close();
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  flowctlUrl = services.flowctlEndpoint;
  const interactive = process.stderr.isTTY === true;
  let lastDraw = 0;
  const onProgress = (p: PipelineProgress) => {
    if (!interactive || performance.now() - lastDraw < 200) return;
    lastDraw = performance.now();
    process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
  };

  try {
    console.error(`reading ${source.description}, ledgers ${range.start}-${range.end}, into ${args.db}`);
    const summary = await runPipeline({
      source: parallel ? parallel.readAhead(source) : source,
      processor,
      sink,
      range,
      onProgress,
      signal: abort.signal,
      observer: withCommitHub(services.observer, hub),
      maxLedgersPerSecond: args.maxLedgersPerSecond ?? undefined,
      // commit every 64 ledgers (or --batch-size, if larger), 32,768 rows or second, whichever comes first
      groupCommit: { ...DEFAULT_GROUP_COMMIT, ledgers: Math.max(DEFAULT_GROUP_COMMIT.ledgers, batchSize) },
    });
    if (interactive) process.stderr.write("\r\x1b[2K");
    for (const line of summaryLines(summary)) console.log(line);
    if (args.exportJson || args.exportParquet) {
      const connection = await sink.connect();
      const wrote = async (...files: string[]) => {
        services.sink.metrics.add("files_written_total", files.length);
        for (const file of files) services.sink.metrics.add("bytes_written_total", (await stat(file)).size);
      };
      if (args.exportJson) {
        console.log(`exported     ${await exportJson(connection, range, args.exportJson)} events to ${args.exportJson}`);
        await wrote(args.exportJson);
      }
      if (args.exportParquet) {
        const counts = await exportParquet(connection, range, args.exportParquet);
        console.log(`exported     ${counts.events} events and ${counts.ledgers} ledgers as Parquet to ${args.exportParquet}`);
        await wrote(...parquetExportFiles(args.exportParquet));
      }
    }
    return 0;
  } catch (error) {
    if (interactive) process.stderr.write("\r\x1b[2K");
    const cursor = await sink.cursor().catch(() => null);
    if (args.source.follow && abort.signal.aborted) {
      // Ctrl-C is how a --follow run ends
      console.error(`stopped following: ${cursor === null ? "nothing committed" : `committed through ledger ${cursor}`} in ${args.db}`);
      return 0;
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    console.error(cursor === null ? `nothing committed to ${args.db}` : `committed through ledger ${cursor} in ${args.db}`);
    return 1;
  } finally {
    if (interactive) process.stderr.write("\r\x1b[2K");
    parallel?.close();
    await served.close();
    await services.stop();
  }
}

/** "pubnet" for the pubnet passphrase, and so on; the passphrase itself for others. */
function networkName(passphrase: string): string {
  return Object.entries(NETWORK_PASSPHRASES).find(([, p]) => p === passphrase)?.[0] ?? passphrase;
}

try {
  const argv = Bun.argv.slice(2);
  // --processes: flowctl, source, processor and sink as supervised child processes (src/supervisor)
  process.exitCode = argv.includes("--processes") ? await (await import("../supervisor/run-processes.ts")).runProcesses(argv) : await main(argv);
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
