// Flags of `bun run source|processor|sink`: the flags of that part of `bun run pipeline` (checked
// by the pipeline's own parser) plus where the stage listens and where its upstream is.
import { parsePipelineArgs, UsageError, type PipelineArgs } from "./pipeline-args.ts";
import { integerFlag } from "./flags.ts";
import { QUERY_LIMIT_OPTIONS } from "./query-args.ts";
import { flagSections } from "./help-sections.ts";

export type StageName = "source" | "processor" | "sink";

export interface StageArgs {
  readonly stage: StageName;
  readonly pipeline: PipelineArgs;
  readonly host: string;
  /** null: the component's default port. */
  readonly port: number | null;
  /** --upstream URL of the processor or sink; null: discover it through flowctl. */
  readonly upstream: string | null;
  readonly maxInflight: number;
  readonly reconnectAttempts: number;
  /** sink: keep serving the database after the upstream's range ended. */
  readonly keepServing: boolean;
}

const COMMON = ["help", "h", "flowctl", "flowctl-heartbeat-interval", "config", "network"];

/** The pipeline flags each stage takes. */
export const STAGE_PIPELINE_FLAGS: Record<StageName, readonly string[]> = {
  source: [...COMMON, "datalake", "rpc-url", "s3-endpoint", "concurrency", "max-object-bytes", "follow", "start", "end", "batch-size", "max-ledgers-per-second"],
  processor: [...COMMON, "ttp-mode", "verify", "no-tx-set-check", "decoder", "workers", "event-types", "assets", "accounts", "contracts", "operation-types"],
  sink: [...COMMON, "db", "dataset", "duckdb-memory-limit", "max-ledgers-per-second", "start", ...Object.keys(QUERY_LIMIT_OPTIONS)],
};

/** Flags of the stage processes beyond the pipeline's: name -> takes a value. */
export const STAGE_FLAGS: Record<StageName, Readonly<Record<string, boolean>>> = {
  source: { host: true, port: true, "max-inflight": true },
  processor: { host: true, port: true, "max-inflight": true, upstream: true, "reconnect-attempts": true },
  sink: { host: true, port: true, "max-inflight": true, upstream: true, "reconnect-attempts": true, "keep-serving": false },
};

export const DEFAULT_MAX_INFLIGHT = 4;

/** Entries of the stage flags, each for the stages that take it. */
const STAGE_FLAG_HELP: readonly (readonly [string, readonly StageName[]])[] = [
  ["  --host H               address to listen on (default 127.0.0.1)", ["source", "processor", "sink"]],
  ["  --port N               port of /health, /metrics and the data endpoint (default: the component's, 0: any free)", ["source", "processor", "sink"]],
  [`  --max-inflight N       record batches produced ahead of the downstream, at most (default ${DEFAULT_MAX_INFLIGHT})`, ["source", "processor", "sink"]],
  ["  --upstream URL         the upstream's stream endpoint, without flowctl", ["processor", "sink"]],
  ["  --reconnect-attempts N failed connections in a row before giving up (default 40)", ["processor", "sink"]],
  ["  --keep-serving         once the upstream's range is committed, go on serving the database", ["sink"]],
];

/** `bun run <stage> --help`: what the stage does, its own flags, and only the pipeline flags it takes. */
export function stageHelp(stage: StageName, pipelineHelp: string): string {
  const own: Record<StageName, string> = {
    source: `Usage: bun run source [source flags of bun run pipeline] [--host H] [--port N] [--max-inflight N]

Serves raw ledgers as Arrow IPC record batches: GET /v1/ledgers?start=N streams from ledger N (or its
--start) to its --end (or forever with --follow), registered with flowctl as a producer of stellar.ledger.v1.`,
    processor: `Usage: bun run processor [processor flags of bun run pipeline] [--upstream URL] [--host H] [--port N]

Reads raw ledgers from its upstream (--upstream URL, or a stellar.ledger.v1 producer found through
flowctl) and serves ledgers and ttp_events rows: GET /v1/events?start=N, as a stellar.ttp_event.v1 producer.`,
    sink: `Usage: bun run sink [--db PATH] [--start N|latest|latest-N] [--duckdb-memory-limit SIZE] [--upstream URL] [--host H] [--port N] [--keep-serving] [--query-... limits]

Commits the batches of its upstream (--upstream URL, or a stellar.ttp_event.v1 producer found through
flowctl) to DuckDB from its cursor + 1, and ends when the upstream's range is committed (--keep-serving:
go on serving /health and /metrics). Without --upstream and without flowctl it only serves the database.
Every ledger must follow the one committed before it (hash chain included): an upstream that starts
elsewhere is refused, naming the cursor and what to run. --start N starts the database over at ledger N
on purpose (latest or latest-N: at the upstream's first ledger), recorded before anything is read;
ledgers shows the ranges held. bun run pipeline --processes passes its --start to the sink.`,
  };
  const stageFlags = STAGE_FLAG_HELP.filter(([, stages]) => stages.includes(stage)).map(([line]) => line);
  const pipelineFlags = flagSections(pipelineHelp, (flag) => STAGE_PIPELINE_FLAGS[stage].includes(flag), (header) => header.startsWith("Environment"));
  return `${own[stage]}

Stage flags
${stageFlags.join("\n")}
${pipelineFlags}`;
}

export function parseStageArgs(stage: StageName, argv: readonly string[]): StageArgs {
  const own: Record<string, string | true> = {};
  const rest: string[] = [];
  const flags = STAGE_FLAGS[stage];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (name !== undefined && name in flags) {
      if (!flags[name]) {
        if (match![2] !== undefined) throw new UsageError(`--${name} takes no value`);
        own[name] = true;
      } else {
        const value = match![2] ?? argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        own[name] = value;
      }
      continue;
    }
    const flag = /^--?([a-z0-9-]+)/.exec(arg)?.[1];
    if (flag !== undefined && arg.startsWith("-") && !STAGE_PIPELINE_FLAGS[stage].includes(flag)) {
      throw new UsageError(`${arg.split("=")[0]} is not a flag of bun run ${stage}`);
    }
    rest.push(arg);
  }
  const pipeline = parsePipelineArgs(rest, `bun run ${stage}`);
  const text = (name: string) => (typeof own[name] === "string" ? (own[name] as string) : undefined);
  const upstream = text("upstream");
  if (upstream !== undefined && !/^https?:\/\/[^/]/.test(upstream)) throw new UsageError(`--upstream must be an http(s):// URL, got "${upstream}"`);
  if (pipeline.flowctl.kind === "embedded") throw new UsageError(`--flowctl embedded is for bun run pipeline; give bun run ${stage} the URL of a flowctl (bun run flowctl)`);
  return {
    stage,
    pipeline,
    host: text("host") ?? "127.0.0.1",
    port: text("port") === undefined ? null : integerFlag("port", text("port")!, 0, 65535),
    upstream: upstream ?? null,
    maxInflight: text("max-inflight") === undefined ? DEFAULT_MAX_INFLIGHT : integerFlag("max-inflight", text("max-inflight")!, 1, 1024),
    reconnectAttempts: text("reconnect-attempts") === undefined ? 40 : integerFlag("reconnect-attempts", text("reconnect-attempts")!, 0, 100_000),
    keepServing: own["keep-serving"] === true,
  };
}
