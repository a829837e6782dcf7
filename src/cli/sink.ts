// `bun run sink`: the process that owns the DuckDB file. Commits its upstream processor's batches
// from its cursor + 1 until the upstream's range ends; alone (no upstream, no flowctl) it serves
// the existing database: /health, /metrics, and the services mounted by mountSinkServices.
import { ingest } from "../stages/http/sink-stage.ts";
import { SinkBusyError, SinkWriteError } from "../sink/ledger-sink.ts";
import { openSink, type OpenedSink } from "../sink/open-sink.ts";
import { servicesConfigFromEnv } from "../sink/services/sink-service-routes.ts";
import { QueryLimitError, sinkQueryLimits } from "./query-args.ts";
import { aborted, setUpStage, upstreamOf, serveStage } from "./stage-common.ts";
import { committedLine } from "../sink/committed-line.ts";
import { EXIT_SINK_BUSY } from "./exit-codes.ts";
import { messageOf } from "../common/message-of.ts";
import { runCommand, usageFailure } from "./command.ts";
import { formatRate } from "./progress-report.ts";


async function main(argv: readonly string[]): Promise<number> {
  const setup = await setUpStage("sink", argv);
  if (typeof setup === "number") return setup;
  const { args, component, log, abort } = setup;
  const p = args.pipeline;
  let query;
  try {
    query = sinkQueryLimits(p.query, process.env, navigator.hardwareConcurrency, log);
  } catch (error) {
    if (!(error instanceof QueryLimitError)) throw error;
    return usageFailure("bun run sink", error.message);
  }
  const upstream = upstreamOf(setup);
  // --start: the operator starts this database over there (latest[-N]: at the upstream's first ledger)
  const start = p.source.start;
  const startOver = start.kind === "ledger" ? { at: start.sequence } : start.kind === "latest" ? { at: null } : null;
  if (startOver && !upstream) {
    return usageFailure("bun run sink", "--start goes with an upstream to ingest from (--upstream URL or flowctl)");
  }
  // DuckDB's sandbox locks the instance once it is open: clients' SQL can touch no file but the database's
  let served: OpenedSink;
  try {
    served = await openSink(p.db, { settings: p.duckdbMemoryLimit ? { memory_limit: p.duckdbMemoryLimit } : {}, queryConcurrency: query.concurrency, startOver, dataset: p.dataset });
  } catch (error) {
    if (!(error instanceof SinkBusyError)) throw error;
    console.error(`error: ${error.message}`);
    return EXIT_SINK_BUSY;
  }
  const sink = served.sink;
  for (const note of served.notes) log(note);
  Object.assign(component.metadata, { ...served.metadata, ...(upstream ? { upstream: upstream.describe() } : {}) });
  const cursor = await sink.cursor();
  if (cursor !== null) component.metrics.processed(cursor.sequence, 0);
  // the client services (EventService, QueryService, /ws, dashboard); they learn of each commit
  const services = (await served.clientServices({
    query,
    ...servicesConfigFromEnv(process.env),
    flowctlUrl: setup.flowctl.enabled ? setup.flowctl.endpoint : null,
    flowctlToken: setup.flowctl.token,
    live: upstream !== null,
    shutdownSignal: abort.signal,
  }))!;
  const server = serveStage(setup, {
    healthExtra: () => ({ upstream: upstream?.describe() ?? null, db: p.db }),
    routes: services.mount,
    websocket: services.websocket,
  });
  let failed = false;
  try {
    if (!upstream) {
      log(`sink: serving ${p.db} at ${server.url} (no upstream: --upstream URL or flowctl to ingest)`);
      component.status = "running";
      await aborted(abort.signal);
      return 0;
    }
    log(`sink: ${p.db} from ${upstream.describe()}, serving ${server.url}`);
    try {
      const summary = await ingest(component, { sink, upstream, startOver, onCommitted: (batch) => services.committed(batch.lastLedger), reconnect: { attempts: args.reconnectAttempts }, maxLedgersPerSecond: p.maxLedgersPerSecond, signal: abort.signal, log });
      component.status = "finished";
      const seconds = summary.elapsedMs / 1000;
      console.log(`committed    ${summary.ledgers} ledgers, ${summary.events} events (through ledger ${summary.cursor ?? "none"}) to ${p.db}`);
      console.log(`time         ${seconds.toFixed(2)} s from the first batch (${formatRate(summary.ledgers / Math.max(seconds, 1e-3))} ledgers/s, ${formatRate(summary.events / Math.max(seconds, 1e-3))} events/s)`);
    } catch (error) {
      const where = await committedLine(sink);
      if (abort.signal.aborted) {
        log(`sink: stopped; ${where}`);
        return 0;
      }
      failed = true;
      component.fail(error);
      console.error(`error: ${messageOf(error)}`);
      if (error instanceof SinkWriteError && error.hint) console.error(`hint: ${error.hint}`);
      console.error(where);
      return 1;
    }
    if (args.keepServing) await aborted(abort.signal);
    return 0;
  } finally {
    upstream?.close();
    await server.stop();
    // a database this run made and never committed to goes with the failed run
    if (await served.close({ removeIfUnused: failed })) log(`sink: removed ${p.db}, which this run created and never committed to`);
  }
}

await runCommand(main);
