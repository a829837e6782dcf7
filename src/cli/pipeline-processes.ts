// `bun run pipeline --processes`: flowctl, source, processor and sink as child processes of this
// one. Each child that dies is started again (with backoff, a few times); the run ends when the
// sink has committed the range's end (it exits 0), or fails when a child fails for good. SIGINT
// and SIGTERM stop every child cleanly. GET /health here shows each stage, its upstream, lag and
// throughput, as the children report them.
import { resolve } from "node:path";
import { Hono } from "hono";
import { apiTokenFromEnv, LIVENESS_PATH, tokenGate } from "../http/api-token.ts";
import { serveApp, type ServedApp } from "../http/serve-app.ts";
import { parsePipelineArgs, PIPELINE_HELP, type PipelineArgs } from "./pipeline-args.ts";
import { planRun } from "./run-plan.ts";
import { exportLines } from "./progress-report.ts";
import { NEW_DATABASE } from "../pipeline/plan-range.ts";
import { newSinkResumePoint, openSink, sinkExists } from "../sink/open-sink.ts";
import { openSource } from "../source/open-source.ts";
import { parseFlags, usageFailure } from "./command.ts";
import { splitPipelineArgs, withoutFlag } from "./split-args.ts";
import { Supervisor, type ChildSpec } from "../supervisor/supervisor.ts";
import { stopOnSignals } from "./interrupts.ts";
import { EXIT_SINK_BUSY } from "./exit-codes.ts";
import { messageOf } from "../common/message-of.ts";
import { resolveFlowctlConfig } from "../flowctl/config.ts";
import { PIPELINE_KINDS } from "../component/kinds.ts";
import { pipelineHeartbeat, registerPipeline } from "../pipeline/pipeline-registration.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const STAGES = ["source", "processor", "sink"] as const;

function freePort(host: string): number {
  const server = Bun.serve({ hostname: host, port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

export async function runProcesses(argv: readonly string[]): Promise<number> {
  const args = parseFlags(() => parsePipelineArgs(argv.filter((a) => a !== "--processes")), PIPELINE_HELP);
  if (typeof args === "number") return args;
  if (args.source.ledgerList) return usageFailure("bun run pipeline", "--ledgers is not supported with --processes: give each range its own --start and --end, or run the list without --processes");
  const { stages, unsupported } = splitPipelineArgs(argv);
  if (unsupported.length > 0) {
    console.error(`error: ${unsupported.join(", ")} ${unsupported.length === 1 ? "is" : "are"} not supported with --processes yet`);
    return 2;
  }
  // where the run begins, settled before any stage starts: the catch-up guard's say on a resume, and
  // a start of latest[-N] (or a new database's latest 100) resolved once for the source and the sink
  const first = await firstLedger(args);
  if (first === null || typeof first === "number") return first ?? 0;
  if (first.explicit) {
    for (const stage of ["source", "sink"] as const) stages[stage] = [...withoutFlag(stages[stage], "start"), "--start", String(first.start)];
    // a numeric --start alone would read one ledger: the end the plan found goes with it
    if (args.source.end === null && Number.isFinite(first.end)) stages.source.push("--end", String(first.end));
  }
  const host = args.healthHost;
  const asked = args.healthPorts ?? null;
  const ports = STAGES.map((_, i) => (asked && asked[i] ? asked[i]! : freePort(host)));
  const url = (i: number) => `http://${host.includes(":") ? `[${host}]` : host}:${ports[i]}`;
  // Each child stops when this process dies, however it dies (./exit-with-parent.ts).
  const bun = [process.execPath, "--preload", resolve(import.meta.dir, "..", "supervisor", "exit-with-parent.ts")];
  let flowctl: string | null = null;
  const specs: ChildSpec[] = [];
  if (args.flowctl.kind === "url") flowctl = args.flowctl.endpoint;
  else if (args.flowctl.kind !== "off") {
    const port = freePort("127.0.0.1");
    flowctl = `http://127.0.0.1:${port}`;
    specs.push({ name: "flowctl", cmd: [...bun, "src/cli/flowctl.ts", "--port", String(port), "--db", ":memory:", "--ttl", "5s", "--heartbeat-interval", "1s"], finalCodes: [2] });
  }
  const control = flowctl ? ["--flowctl", flowctl] : ["--flowctl", "off"];
  const heartbeat = args.flowctlHeartbeatInterval === undefined ? ["--flowctl-heartbeat-interval", "1s"] : [];
  const own = (i: number) => ["--host", host, "--port", String(ports[i]), ...control, ...heartbeat];
  specs.push(
    { name: "source", cmd: [...bun, "src/cli/source.ts", ...stages.source, ...own(0)], finalCodes: [2] },
    { name: "processor", cmd: [...bun, "src/cli/processor.ts", ...stages.processor, ...own(1), ...(flowctl ? [] : ["--upstream", `${url(0)}/v1/ledgers`])], finalCodes: [2] },
    // --start reaches the sink as the operator's explicit start; a restarted sink resumes instead
    {
      name: "sink",
      cmd: [...bun, "src/cli/sink.ts", ...stages.sink, ...own(2), ...(flowctl ? [] : ["--upstream", `${url(1)}/v1/events`])],
      restartCmd: [...bun, "src/cli/sink.ts", ...withoutFlag(stages.sink, "start"), ...own(2), ...(flowctl ? [] : ["--upstream", `${url(1)}/v1/events`])],
      finalCodes: [0, 1, 2],
      // its database held by another process (a `bun run query`, say): transient, tried again with backoff
      transientCodes: [EXIT_SINK_BUSY],
    },
  );

  let sinkFinished = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const supervisor = new Supervisor({
    cwd: REPO,
    output: (name, stream, line) => (name === "sink" && stream === "stdout" ? console.log(line) : console.error(`[${name}] ${line}`)),
    onFinal: (name, code, reason) => {
      if (name === "sink" && code === 0) {
        sinkFinished = true;
        return finish(0);
      }
      console.error(`error: ${name} stopped for good (${reason})`);
      finish(code === 2 ? 2 : 1);
    },
    log: (message) => console.error(message),
  });
  const interrupted = () => {
    console.error("pipeline: stopping the processes");
    finish(args.source.follow ? 0 : 1);
  };
  // one Ctrl-C under `bun run` arrives twice: the second must not cut the clean stop short
  const interruption = new AbortController();
  interruption.signal.addEventListener("abort", interrupted, { once: true });
  stopOnSignals(interruption, { forcedNote: "the children get SIGTERM from their exit-with-parent watch", log: (message) => console.error(message) });

  // the children inherit STELLAR_FLOW_API_TOKEN: their /health wants it, and so does this one
  const token = apiTokenFromEnv(process.env);
  const app = new Hono();
  app.use("*", tokenGate(token));
  app.get(LIVENESS_PATH, (c) => c.text("ok"));
  app.get("/health", async (c) => c.json(await pipelineHealth(supervisor, url, flowctl, token)));
  let health: ServedApp | null = null;
  try {
    health = serveApp(app.fetch, { host, port: 0 });
    console.error(`pipeline: processes ${specs.map((s) => s.name).join(", ")}${flowctl ? ` (flowctl ${flowctl})` : ""}; health at ${health.url}/health`);
  } catch (error) {
    console.error(`warning: no pipeline /health: ${messageOf(error)}`);
  }
  for (const spec of specs) supervisor.start(spec);
  // the pipeline itself in flowctl, beside its stages (unregistered before flowctl stops)
  const registration = flowctl
    ? registerPipeline({
        flowctl: resolveFlowctlConfig({ flags: { enabled: true, endpoint: flowctl, heartbeatInterval: args.flowctlHeartbeatInterval ?? "1s" }, env: process.env }),
        mode: "processes",
        stages: STAGES.map((stage, i) => ({ stage, componentId: process.env[`${PIPELINE_KINDS[i]!.envPrefix}COMPONENT_ID`]?.trim() || PIPELINE_KINDS[i]!.componentId, url: url(i) })),
        healthUrl: health ? `${health.url}/health` : null,
        metrics: async () => processesHeartbeat(supervisor, await pipelineHealth(supervisor, url, flowctl, token)),
        log: (message) => console.error(message),
      })
    : null;
  const code = await finished;
  await registration?.stop();
  await supervisor.stop(5000, ["flowctl"]);
  await health?.stop();
  // the sink is gone and the file free: the exports of the range, as bun run pipeline writes them
  if (sinkFinished && (args.exportJson || args.exportParquet)) return exportRun(args, first.start);
  return code;
}

/** The run's range (`explicit`: the operator's start, or one resolved here, to hand to source and sink); null: nothing to read; a number: the exit code. */
async function firstLedger(args: PipelineArgs): Promise<{ readonly start: number; readonly end: number; readonly explicit: boolean } | number | null> {
  const start = args.source.start;
  if (start.kind === "ledger") return { start: start.sequence, end: args.source.end ?? (args.source.follow ? Number.POSITIVE_INFINITY : start.sequence), explicit: true };
  const opened = await openSource(args.source, { network: args.network, onWarning: (message) => console.error(`warning: ${message}`) });
  const existed = sinkExists(args.db);
  // a new database continuing a dataset (--dataset) goes on after its last ledger
  const datasetPoint = existed ? null : await newSinkResumePoint({ dataset: args.dataset });
  let point = datasetPoint ?? NEW_DATABASE;
  if (existed) {
    const held = await openSink(args.db); // read and closed before the sink process opens it
    try {
      point = await held.sink.resumePoint();
    } finally {
      await held.close();
    }
  }
  const resumeNote = datasetPoint ? `a new database continuing the dataset after its last ledger, ${datasetPoint.cursor}` : null;
  const plan = await planRun(args, opened.source, { path: args.db, existed, point }, { log: (line) => console.error(line), resumeNote });
  if (typeof plan === "number") return plan;
  if (plan.ranges.length === 0) return null;
  return { start: plan.ranges[0]!.start, end: plan.ranges[0]!.end, explicit: plan.startOver };
}

/** Writes --export-json / --export-parquet of the ledgers from `start` to --end (or the sink's cursor). */
async function exportRun(args: PipelineArgs, start: number): Promise<number> {
  const opened = await openSink(args.db, { exports: { json: args.exportJson, parquet: args.exportParquet } });
  try {
    const end = args.source.end ?? (await opened.sink.cursor())?.sequence ?? start;
    for (const line of exportLines(await opened.exportRange({ start, end }))) console.log(line);
    return 0;
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    return 1;
  } finally {
    await opened.close();
  }
}

interface StageReport {
  readonly stage: string;
  readonly state: string;
  readonly pid: number | null;
  readonly restarts: number;
  readonly last_exit: string | null;
  readonly url: string | null;
  readonly health: unknown;
}

/** The PIPELINE registration's heartbeat: the sink's position and throughput, stages healthy, restarts. */
function processesHeartbeat(supervisor: Supervisor, health: Awaited<ReturnType<typeof pipelineHealth>>): Record<string, number> {
  const sink = health.stages.find((s) => s.stage === "sink")?.health as { last_ledger?: number | null; target_ledger?: number | null; lag_ledgers?: number | null; throughput?: Record<string, number> } | null;
  const stagesHealthy = health.stages.filter((s) => (s.health as { status?: string } | null)?.status === "healthy").length;
  const restarts = [...supervisor.states.values()].reduce((sum, state) => sum + state.restarts, 0);
  return {
    ...pipelineHeartbeat({ current_ledger: sink?.last_ledger, target_ledger: sink?.target_ledger, lag_ledgers: sink?.lag_ledgers, ...sink?.throughput }, stagesHealthy, health.stages.length),
    restarts_total: restarts,
  };
}

async function pipelineHealth(supervisor: Supervisor, url: (i: number) => string, flowctl: string | null, token: string | null) {
  const stages: StageReport[] = await Promise.all(
    STAGES.map(async (stage, i) => {
      const state = supervisor.states.get(stage);
      let report: Record<string, unknown> | null = null;
      try {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        report = (await (await fetch(`${url(i)}/health`, { headers, signal: AbortSignal.timeout(1000) })).json()) as Record<string, unknown>;
      } catch {
        report = null;
      }
      const pipeline = (report?.pipeline ?? {}) as Record<string, unknown>;
      return {
        stage,
        state: state?.state ?? "not started",
        pid: state?.pid ?? null,
        restarts: state?.restarts ?? 0,
        last_exit: state?.lastExit ?? null,
        url: url(i),
        health: report
          ? { status: report.status, upstream: report.upstream ?? null, last_ledger: pipeline.last_ledger, target_ledger: pipeline.target_ledger, lag_ledgers: pipeline.lag_ledgers, throughput: report.throughput }
          : null,
      };
    }),
  );
  const healthy = stages.every((s) => s.state === "running" || s.state === "exited");
  return { status: healthy ? "healthy" : "degraded", flowctl, stages };
}
