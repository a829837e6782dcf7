// `bun run pipeline`: data lake -> TTP events -> DuckDB, with progress and a summary.
import { stat } from "node:fs/promises";
import { runPipeline, type PipelineObserver, type PipelineProgress } from "../pipeline/run-pipeline.ts";
import { startPipelineServices, type PipelineServices } from "../pipeline/pipeline-services.ts";
import { readYamlConfig } from "../flowctl/config-file.ts";
import { ConfigError } from "../flowctl/config.ts";
import { DEFAULT_LEDGERS_PER_ARROW_BATCH } from "../source/datalake/datalake-source.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";
import { SinkWriteError } from "../sink/ledger-sink.ts";
import { newSinkResumePoint, openSink, sinkExists, type OpenSinkOptions, type SinkClientServices } from "../sink/open-sink.ts";
import { servicesConfigFromEnv } from "../sink/services/sink-service-routes.ts";
import { QueryLimitError, sinkQueryLimits } from "./query-args.ts";
import { openSource } from "../source/open-source.ts";
import { NEW_DATABASE } from "../pipeline/plan-range.ts";
import { planRun, type RunRanges } from "./run-plan.ts";
import { stopOnSignals } from "./interrupts.ts";
import { committedLine } from "../sink/committed-line.ts";
import { openProcessor } from "../processor/open-processor.ts";
import { DEFAULT_GROUP_COMMIT } from "../stages/commit-group.ts";
import { NETWORK_PASSPHRASES } from "../stellar/network.ts";
import { eventPredicate, FilterError } from "../ttp/event-filter.ts";
import { parsePipelineArgs, PIPELINE_HELP } from "./pipeline-args.ts";
import { parseFlags, runCommand, usageFailure } from "./command.ts";
import { exportLines, overallLines, progressLine, remainingLedgers, summaryLines } from "./progress-report.ts";
import { messageOf } from "../common/message-of.ts";

async function main(argv: readonly string[]): Promise<number> {
  const args = parseFlags(() => parsePipelineArgs(argv), PIPELINE_HELP);
  if (typeof args === "number") return args;
  // from here on, SIGINT and SIGTERM end the run cleanly: committed batches stay, components unregister
  const abort = new AbortController();
  stopOnSignals(abort, { forcedNote: `what was committed to ${args.db} stays; run again without --start to resume`, log: (message) => console.error(message) });

  let query;
  try {
    eventPredicate(args.filters); // a bad filter is a usage error, before anything starts
    query = sinkQueryLimits(args.query, process.env, navigator.hardwareConcurrency, (message) => console.error(message));
  } catch (error) {
    if (!(error instanceof FilterError) && !(error instanceof QueryLimitError)) throw error;
    return usageFailure("bun run pipeline", error.message);
  }
  const batchSize = args.batchSize ?? DEFAULT_LEDGERS_PER_ARROW_BATCH;
  const opened = await openSource(args.source, {
    network: args.network,
    ledgersPerArrowBatch: batchSize,
    signal: abort.signal,
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  // An existing database says where to go on; a new one is made only once there is a range to read,
  // with the range's start recorded as it is created (a run killed at any point resumes from it).
  const sinkOptions: OpenSinkOptions = {
    network: opened.source.networkPassphrase, // a dataset (--db dataset:DIR) of another network is refused
    settings: args.duckdbMemoryLimit ? { memory_limit: args.duckdbMemoryLimit } : {},
    exports: { json: args.exportJson, parquet: args.exportParquet },
    queryConcurrency: query.concurrency,
    dataset: args.dataset,
  };
  const existed = sinkExists(args.db);
  const existing = existed ? await openSink(args.db, sinkOptions) : null;
  let plan: RunRanges | number;
  try {
    const datasetPoint = existing ? null : await newSinkResumePoint(sinkOptions);
    const point = existing ? await existing.sink.resumePoint() : (datasetPoint ?? NEW_DATABASE);
    const resumeNote = datasetPoint ? `a new database continuing the dataset after its last ledger, ${datasetPoint.cursor}` : null;
    plan = await planRun(args, opened.source, { path: args.db, existed, point }, { signal: abort.signal, log: (line) => console.error(line), resumeNote });
  } catch (error) {
    await existing?.close();
    throw error;
  }
  if (typeof plan === "number" || plan.ranges.length === 0) {
    await existing?.close();
    return typeof plan === "number" ? plan : 0;
  }
  const { ranges, startOver } = plan;
  const served = existing ?? (await openSink(args.db, { ...sinkOptions, startOver: startOver ? { at: ranges[0]!.start } : null }));
  const sink = served.sink;
  if (args.dataset) console.error(`${sink.description}: the hash chain is checked against the dataset's last manifest`);
  for (const note of served.notes) console.error(note);
  const { source } = opened;
  const lastEnd = ranges[ranges.length - 1]!.end;
  const processing = openProcessor(source.networkPassphrase, { decoder: args.decoder, mode: args.ttpMode, verify: args.verify, checkHashes: args.checkTxSets, filter: args.filters, workers: args.workers });
  let services: PipelineServices;
  // the sink's client services (EventService, QueryService, /ws, dashboard) on the sink component's port
  let flowctlUrl: string | null = null;
  let flowctlToken: string | null = null;
  const clientServices = await served.clientServices({ query, ...servicesConfigFromEnv(process.env), flowctlUrl: () => flowctlUrl, flowctlToken: () => flowctlToken });
  try {
    services = await startPipelineServices({
      sinkRoutes: clientServices ?? undefined,
      flowctl: args.flowctl,
      heartbeatInterval: args.flowctlHeartbeatInterval,
      configFile: args.config ? await readYamlConfig(args.config) : null,
      env: process.env,
      healthHost: args.healthHost,
      healthPorts: args.healthPorts,
      targetLedger: Number.isFinite(lastEnd) ? lastEnd : 0, // following: the tip is unknown
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
        sink: { ...served.metadata, buffer_size: String(batchSize) },
      },
    });
  } catch (error) {
    processing.close();
    await served.close({ removeIfUnused: true });
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  flowctlUrl = services.flowctlEndpoint;
  flowctlToken = services.flowctlToken;
  const interactive = process.stderr.isTTY === true;
  let lastDraw = 0;
  const onProgress = (p: PipelineProgress) => {
    if (!interactive || performance.now() - lastDraw < 200) return;
    lastDraw = performance.now();
    process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
  };

  let failed = false;
  const done: PipelineProgress[] = [];
  try {
    for (const range of ranges) {
      if (done.length > 0) console.log("");
      console.error(`reading ${source.description}, ledgers ${range.start}-${range.end}, into ${args.db}`);
      const summary = await runPipeline({
        source: processing.readAhead(source),
        processor: processing.processor,
        sink,
        range,
        onProgress,
        signal: abort.signal,
        observer: clientServices ? notifying(services.observer, clientServices) : services.observer,
        maxLedgersPerSecond: args.maxLedgersPerSecond ?? undefined,
        // commit every 64 ledgers (or --batch-size, if larger), 32,768 rows or second, whichever comes first
        groupCommit: { ...DEFAULT_GROUP_COMMIT, ledgers: Math.max(DEFAULT_GROUP_COMMIT.ledgers, batchSize) },
        startOver,
        continuity: {
          sink: `database ${args.db}`,
          hint: (expected, arrived) => `Run again without --start to resume at ledger ${expected}, or with --start ${arrived} to start this database over there.`,
        },
      });
      if (interactive) process.stderr.write("\r\x1b[2K");
      for (const line of summaryLines(summary)) console.log(line);
      done.push(summary);
    }
    if (done.length > 1) {
      console.log("");
      for (const line of overallLines(done)) console.log(line);
    }
    if (args.exportJson || args.exportParquet) {
      const report = await served.exportRange(ranges);
      const wrote = async (...files: string[]) => {
        services.sink.metrics.add("files_written_total", files.length);
        for (const file of files) services.sink.metrics.add("bytes_written_total", (await stat(file)).size);
      };
      for (const line of exportLines(report)) console.log(line);
      if (report.json) await wrote(report.json.file);
      if (report.parquet) await wrote(...report.parquet.files);
    }
    return 0;
  } catch (error) {
    if (interactive) process.stderr.write("\r\x1b[2K");
    const held = await committedLine(sink);
    // a list of ranges goes on with what it had not finished (a range again is replaced, not duplicated)
    const rest = args.source.ledgerList ? `run again with --ledgers ${remainingLedgers(ranges, done.length, (await sink.cursor())?.sequence ?? null)} to finish` : null;
    if (abort.signal.aborted) {
      if (args.source.follow) {
        console.error(`stopped following: ${held}`); // Ctrl-C is how a --follow run ends
        return 0;
      }
      console.error(`stopped (interrupted): ${held}; ${rest ?? "run again without --start to resume"}`);
      return 1;
    }
    failed = true;
    console.error(`error: ${messageOf(error)}`);
    if (error instanceof SinkWriteError && error.hint) console.error(`hint: ${error.hint}`);
    console.error(rest ? `${held}; ${rest}` : held);
    return 1;
  } finally {
    if (interactive) process.stderr.write("\r\x1b[2K");
    processing.close();
    // a database this run made and never committed to goes with the failed run
    if (await served.close({ removeIfUnused: failed })) console.error(`removed ${args.db}, which this run created and never committed to`);
    await services.stop();
  }
}

/** `observer` that also tells the sink's client services of each commit. */
function notifying(observer: PipelineObserver, services: SinkClientServices): PipelineObserver {
  return {
    ...observer,
    sink: {
      ...observer.sink,
      committed(batch) {
        observer.sink?.committed?.(batch);
        services.committed(batch.lastLedger);
      },
    },
  };
}

/** "pubnet" for the pubnet passphrase, and so on; the passphrase itself for others. */
function networkName(passphrase: string): string {
  return Object.entries(NETWORK_PASSPHRASES).find(([, p]) => p === passphrase)?.[0] ?? passphrase;
}

// --processes: flowctl, source, processor and sink as supervised child processes (src/supervisor)
await runCommand(async (argv) => (argv.includes("--processes") ? (await import("./pipeline-processes.ts")).runProcesses(argv) : main(argv)));
