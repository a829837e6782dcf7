// `bun run sink`: the process that owns the DuckDB file. Commits its upstream processor's batches
// from its cursor + 1 until the upstream's range ends; alone (no upstream, no flowctl) it serves
// the existing database: /health, /metrics, and the services mounted by mountSinkServices.
import { ingest } from "../stages/http/sink-stage.ts";
import { startStageServer } from "../component/stage-server.ts";
import { SinkWriteError } from "../sink/duckdb/duckdb-sink.ts";
import { CommitHub } from "../sink/services/commit-hub.ts";
import { openServedSink, type ServedSink } from "../sink/services/served-sink.ts";
import { servicesConfigFromEnv, sinkServiceRoutes } from "../sink/services/sink-service-routes.ts";
import { queryConcurrency } from "../sink/services/native-threads.ts";
import { QueryLimitError, resolveQueryLimits } from "./query-args.ts";
import { aborted, setUpStage, upstreamOf } from "./stage-common.ts";
import { committedLine } from "../sink/committed-line.ts";
import { EXIT_DATABASE_LOCKED, lockConflictOf } from "../sink/duckdb/lock-conflict.ts";


async function main(argv: readonly string[]): Promise<number> {
  const setup = await setUpStage("sink", argv);
  if (typeof setup === "number") return setup;
  const { args, component, log, abort } = setup;
  const p = args.pipeline;
  let query;
  try {
    query = resolveQueryLimits(p.query, process.env);
  } catch (error) {
    if (!(error instanceof QueryLimitError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const concurrency = queryConcurrency(query.concurrency, process.env, navigator.hardwareConcurrency);
  // said only when asked for: the default lowered in silence
  if (concurrency.note && (p.query.concurrency !== undefined || process.env["STELLAR_FLOW_QUERY_CONCURRENCY"] !== undefined)) setup.log(`sink: ${concurrency.note}`);
  query = { ...query, concurrency: concurrency.concurrency };
  const upstream = upstreamOf(setup);
  // --start: the operator starts this database over there (latest[-N]: at the upstream's first ledger)
  const start = p.source.start;
  const startOver = start.kind === "ledger" ? { at: start.sequence } : start.kind === "latest" ? { at: null } : null;
  if (startOver && !upstream) {
    console.error("error: --start goes with an upstream to ingest from (--upstream URL or flowctl)");
    return 2;
  }
  // DuckDB's sandbox locks the instance once it is open: clients' SQL can touch no file but the database's
  let served: ServedSink;
  try {
    served = await openServedSink(p.db, { config: p.duckdbMemoryLimit ? { memory_limit: p.duckdbMemoryLimit } : {}, queryConcurrency: query.concurrency, ...(startOver ? { startOver } : {}) });
  } catch (error) {
    const conflict = lockConflictOf(error);
    if (!conflict) throw error;
    console.error(`error: the database ${p.db} is locked by ${conflict.holder}; try again once it is closed`);
    return EXIT_DATABASE_LOCKED;
  }
  const sink = served.sink;
  if (sink.spaceNote) log(sink.spaceNote);
  Object.assign(component.metadata, { sink_type: "duckdb", output_formats: "duckdb", endpoints: p.db, ...(upstream ? { upstream: upstream.describe() } : {}) });
  const cursor = await sink.cursor();
  if (cursor !== null) component.metrics.processed(cursor, 0);
  // the client services (EventService, QueryService, /ws, dashboard); the hub learns of each commit
  const hub = new CommitHub(cursor);
  const services = sinkServiceRoutes({
    db: served.services,
    hub,
    query,
    ...servicesConfigFromEnv(process.env),
    flowctlUrl: setup.flowctl.enabled ? setup.flowctl.endpoint : null,
    flowctlToken: setup.flowctl.token,
    shutdownSignal: abort.signal,
  });
  const server = startStageServer(component, {
    host: args.host,
    port: setup.port,
    flowctl: setup.flowctl,
    token: setup.token,
    limits: setup.limits,
    dataPath: null,
    log,
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
      const summary = await ingest(component, { sink, upstream, startOver, onCommitted: (batch) => hub.committed(batch.lastLedger), reconnect: { attempts: args.reconnectAttempts }, maxLedgersPerSecond: p.maxLedgersPerSecond, signal: abort.signal, log });
      component.status = "finished";
      const seconds = summary.elapsedMs / 1000;
      console.log(`committed    ${summary.ledgers} ledgers, ${summary.events} events (through ledger ${summary.cursor ?? "none"}) to ${p.db}`);
      console.log(`time         ${seconds.toFixed(2)} s from the first batch (${Math.round(summary.ledgers / Math.max(seconds, 1e-3))} ledgers/s, ${Math.round(summary.events / Math.max(seconds, 1e-3))} events/s)`);
    } catch (error) {
      const where = await committedLine(sink);
      if (abort.signal.aborted) {
        log(`sink: stopped; ${where}`);
        return 0;
      }
      failed = true;
      component.fail(error);
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
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

try {
  process.exitCode = await main(Bun.argv.slice(2));
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
