// Command-line flags of `bun run pipeline`, parsed and checked without side effects.
import type { FlowctlMode } from "../pipeline/pipeline-services.ts";
import { normalizeEndpoint, ConfigError } from "../flowctl/config.ts";
import { parseDuration } from "../flowctl/duration.ts";
import { SERVER_LIMIT_DEFAULTS } from "../http/server-limits.ts";
import { TTP_MODES, type TtpMode } from "../ttp/ledger-events.ts";
import type { EventFilterSpec } from "../ttp/event-filter.ts";
import { DECODER_NAMES, type DecoderName } from "../processor/ledger-decoders.ts";
import { parseSourceArgs, SOURCE_HELP, SOURCE_OPTIONS, SourceArgsError, type SourceArgs } from "./source-args.ts";
import type { QueryLimits } from "../sink/services/query-limits.ts";
import { QUERY_LIMIT_OPTIONS, QUERY_LIMITS_HELP, QueryLimitError, queryLimitFlags } from "./query-args.ts";
import { messageOf } from "../common/message-of.ts";
import { DEFAULT_CATCH_UP_LIMIT } from "../pipeline/catch-up.ts";
import { integerFlag, readFlags, UsageError } from "./flags.ts";

export { UsageError };

export interface PipelineArgs {
  readonly help: boolean;
  readonly source: SourceArgs;
  readonly db: string;
  /** A backfill dataset (folder) the database continues, read with it as one ttp_events and ledgers; null: none. */
  readonly dataset: string | null;
  /** DuckDB memory_limit of the sink's database (e.g. "64MB"); null: the sink's default. */
  readonly duckdbMemoryLimit: string | null;
  readonly network: string | null;
  readonly ttpMode: TtpMode;
  readonly verify: boolean;
  /** Check each ledger's transaction set and results against its header (default true; --no-tx-set-check). */
  readonly checkTxSets: boolean;
  readonly exportJson: string | null;
  readonly exportParquet: string | null;
  readonly filters: EventFilterSpec;
  /** Ledgers per Arrow batch (and per sink commit); null: the source's default. */
  readonly batchSize: number | null;
  readonly decoder: DecoderName;
  /** Worker threads that decode and extract ahead of the sink; 0: all in the main thread. */
  readonly workers: number;
  readonly maxLedgersPerSecond: number | null;
  /** How far a resume may read without being asked (--catch-up, --catch-up-limit). */
  readonly catchUp: { readonly allowed: boolean; readonly limit: number };
  readonly flowctl: FlowctlMode;
  readonly flowctlHeartbeatInterval: string | undefined;
  readonly config: string | null;
  readonly healthHost: string;
  /** null: no health servers; undefined: environment or defaults. */
  readonly healthPorts: readonly [number, number, number] | null | undefined;
  /** Limits of the sink's SQL surface given by flags (the environment and defaults fill the rest). */
  readonly query: Partial<QueryLimits>;
}

export const DEFAULT_DB_PATH = "./data/stellar.duckdb";

export const PIPELINE_HELP = `Usage: bun run pipeline [--datalake LAKE] [--rpc-url URL] [--start N] [--end M] [options]

Reads Stellar ledgers from a SEP-54 data lake or Stellar RPC, extracts Token Transfer Protocol
events (CAP-67 semantics) and commits them to DuckDB.

${SOURCE_HELP}
Processor
  --ttp-mode MODE        auto | unified | classic (default auto)
                           classic: derive events from operations, results and ledger changes
                           unified: read CAP-67 events from TransactionMeta v4
                           auto:    unified where the meta carries CAP-67 events, else classic
  --verify               check every transaction's events against its balance changes
  --no-tx-set-check      do not check each ledger's transaction set and results against the
                         txSetHash and txSetResultHash of its header (checked by default: an
                         envelope or result altered after the ledger closed stops the run)
  --decoder NAME         fast | sdk (default fast): the purpose-built XDR reader, or the SDK's
  --workers N            worker threads decoding and extracting ahead of the sink
                         (default: cores - 2, at most 4: none on 2 cores, where they gain
                         nothing and cost memory); 0 runs everything in the main thread
Filters (comma-separated lists; an event must match every filter given)
  --event-types LIST     transfer, mint, burn, clawback, fee
  --assets LIST          native or CODE:ISSUER
  --accounts LIST        G/M/C/L/B addresses, matched against from and to
  --contracts LIST       contract addresses (C...), e.g. a token's SAC
  --operation-types LIST Stellar operation names, e.g. payment,path_payment_strict_send
                         (fee events belong to no operation and are left out by this filter)
Sink
  --db PATH              DuckDB database file (default ${DEFAULT_DB_PATH}); dataset:DIR or
                         s3://bucket/prefix writes a backfill dataset of Parquet shards instead
  --dataset DIR          a backfill dataset (bun run backfill --out DIR) the database continues:
                         the run goes on after its last ledger (chained to its manifest), and the
                         sink's SQL, event streams and dashboard read both as one ttp_events
  --duckdb-memory-limit SIZE  DuckDB's memory for the run, e.g. 1GB (default 64MB: a backfill
                         needs no more, and the process's memory stays flat)
  --export-json FILE     after the run, write the range's events as NDJSON
  --export-parquet DIR   after the run, write the range's events and ledgers as Parquet
${QUERY_LIMITS_HELP}
Running
  --batch-size N         ledgers per Arrow batch (default 16); the sink commits every 64
                         ledgers (or N, if larger), 32,768 rows or second, whichever comes first
  --max-ledgers-per-second N
                         pace the run to at most N ledgers per second, a ledger at a time, e.g. 0.5
                         (default: as fast as it goes)
  --catch-up             let a resume (no --start) read more than --catch-up-limit ledgers up to
                         the source's newest; without it such a run says what it would read (size,
                         time) and stops (on a terminal: asks)
  --catch-up-limit N     ledgers a resume reads without --catch-up (default ${DEFAULT_CATCH_UP_LIMIT})
Control plane and health
  --flowctl MODE         off | embedded | URL (host:port or http(s)://...). embedded starts flowctl
                         in this process (on FLOWCTL_ENDPOINT, default localhost:8080); a URL
                         registers the source, processor and sink with that flowctl.
                         Default: the environment, then the --config file, then off.
  --flowctl-heartbeat-interval DURATION
                         how often components send heartbeats (Go syntax: 500ms, 10s; default 10s)
  --config FILE          YAML file: flowctl: {enabled, endpoint, heartbeat_interval}
  --health-host H        address of the components' /health and /metrics (default 127.0.0.1)
  --health-ports LIST    ports of source,processor,sink, e.g. 8088,8089,8090 (the default), 0 for
                         any free port, or off
  --processes            run flowctl, source, processor and sink as child processes streaming Arrow
                         IPC over HTTP (bun run source|processor|sink), restarted when one dies
  -h, --help             show this help

Environment (flags win; a component's variables win over the global ones)
  ENABLE_FLOWCTL, FLOWCTL_ENDPOINT, FLOWCTL_HEARTBEAT_INTERVAL, FLOWCTL_TOKEN, and the same
  names prefixed with STELLAR_ARROW_SOURCE_, TTP_ARROW_PROCESSOR_ or ARROW_ANALYTICS_SINK_;
  <PREFIX>HEALTH_PORT and <PREFIX>COMPONENT_ID for each component.
  STELLAR_FLOW_API_TOKEN (every route of the components' servers but /livez wants it),
  STELLAR_FLOW_CORS_ORIGINS, and the servers' limits: STELLAR_FLOW_IDLE_TIMEOUT (${SERVER_LIMIT_DEFAULTS.idleTimeoutSeconds}s),
  STELLAR_FLOW_MAX_REQUEST_BYTES (${SERVER_LIMIT_DEFAULTS.maxRequestBytes}), STELLAR_FLOW_MAX_EVENT_STREAMS (${SERVER_LIMIT_DEFAULTS.maxEventStreams}),
  STELLAR_FLOW_MAX_DATA_STREAMS (${SERVER_LIMIT_DEFAULTS.maxDataStreams}), STELLAR_FLOW_MAX_FILTER_VALUES (${SERVER_LIMIT_DEFAULTS.maxFilterValues}); see the README's
  Security model.

Examples
  bun run pipeline --datalake ../shared/ledgers/pubnet --start 30822015 --end 30822025
  bun run query "SELECT event_type, count(*) FROM ttp_events GROUP BY ALL"`;

/** Values of a repeatable, comma-separated flag. */
function list(values: string[] | undefined): string[] | undefined {
  const items = values?.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  return items && items.length > 0 ? items : undefined;
}

function decoderName(value: string | undefined): DecoderName {
  if (value === undefined) return "fast";
  if (!(DECODER_NAMES as readonly string[]).includes(value)) throw new UsageError(`--decoder must be one of ${DECODER_NAMES.join(", ")}, got "${value}"`);
  return value as DecoderName;
}

/**
 * Workers worth running on `cores` cores. The main thread (source and sink) and DuckDB's own threads
 * keep about two cores busy; workers only help on the cores left over. Measured on 2 cores
 * (`bun run bench`, 10,002 ledgers): main thread 234 MB/s at 364 MB peak RSS, 1 worker 226 MB/s at
 * 396 MB, 2 workers 229 MB/s at 432 MB: no faster, more memory. Decode + extract is ~40% of the CPU
 * time (60% on pubnet), so beyond 4 workers the serial rest is the limit.
 */
export function defaultWorkerCount(cores: number): number {
  return Math.max(0, Math.min(4, cores - 2));
}

function workerCount(value: string | undefined): number {
  if (value === undefined) return defaultWorkerCount(navigator.hardwareConcurrency);
  if (!/^\d+$/.test(value) || Number(value) > 256) throw new UsageError(`--workers must be a number of threads (0 to 256), got "${value}"`);
  return Number(value);
}

/** The flags of `bun run pipeline` (--processes is the supervisor's: pipeline.ts routes on it). */
export const PIPELINE_OPTIONS = {
  help: { type: "boolean", short: "h" },
  ...SOURCE_OPTIONS,
  db: { type: "string" },
  dataset: { type: "string" },
  network: { type: "string" },
  "ttp-mode": { type: "string" },
  verify: { type: "boolean" },
  "no-tx-set-check": { type: "boolean" },
  "export-json": { type: "string" },
  "export-parquet": { type: "string" },
  "event-types": { type: "string", multiple: true },
  assets: { type: "string", multiple: true },
  accounts: { type: "string", multiple: true },
  contracts: { type: "string", multiple: true },
  "operation-types": { type: "string", multiple: true },
  "batch-size": { type: "string" },
  decoder: { type: "string" },
  workers: { type: "string" },
  "duckdb-memory-limit": { type: "string" },
  "max-ledgers-per-second": { type: "string" },
  "catch-up": { type: "boolean" },
  "catch-up-limit": { type: "string" },
  flowctl: { type: "string" },
  "flowctl-heartbeat-interval": { type: "string" },
  config: { type: "string" },
  "health-host": { type: "string" },
  "health-ports": { type: "string" },
  ...QUERY_LIMIT_OPTIONS,
} as const;

/** `command`: how messages name the command (the stage commands read their share of these flags too). */
export function parsePipelineArgs(argv: readonly string[], command = "bun run pipeline"): PipelineArgs {
  const parsed = readFlags(command, argv, PIPELINE_OPTIONS);
  const v = parsed.values;
  const help = v.help ?? false;
  const mode = (v["ttp-mode"] ?? "auto") as TtpMode;
  if (!TTP_MODES.includes(mode)) throw new UsageError(`--ttp-mode must be one of ${TTP_MODES.join(", ")}, got "${v["ttp-mode"]}"`);
  let source: SourceArgs;
  try {
    source = parseSourceArgs(v);
  } catch (error) {
    throw error instanceof SourceArgsError ? new UsageError(error.message) : error;
  }
  return {
    help,
    source,
    db: databasePath(v.db),
    dataset: datasetPath(v.dataset),
    duckdbMemoryLimit: memorySize("duckdb-memory-limit", v["duckdb-memory-limit"]),
    network: v.network ?? null,
    ttpMode: mode,
    verify: v.verify ?? false,
    checkTxSets: !(v["no-tx-set-check"] ?? false),
    exportJson: v["export-json"] ?? null,
    exportParquet: v["export-parquet"] ?? null,
    filters: {
      eventTypes: list(v["event-types"]),
      assets: list(v.assets),
      accounts: list(v.accounts),
      contracts: list(v.contracts),
      operationTypes: list(v["operation-types"]),
    },
    batchSize: positive("batch-size", v["batch-size"], 100_000),
    decoder: decoderName(v.decoder),
    workers: workerCount(v.workers),
    maxLedgersPerSecond: positiveRate("max-ledgers-per-second", v["max-ledgers-per-second"]),
    catchUp: { allowed: v["catch-up"] ?? false, limit: positive("catch-up-limit", v["catch-up-limit"], 0xffffffff) ?? DEFAULT_CATCH_UP_LIMIT },
    flowctl: flowctlMode(v.flowctl),
    flowctlHeartbeatInterval: checkedDuration("flowctl-heartbeat-interval", v["flowctl-heartbeat-interval"]),
    config: v.config ?? null,
    healthHost: v["health-host"] ?? "127.0.0.1",
    healthPorts: healthPorts(v["health-ports"]),
    query: queryFlags(v),
  };
}

/** --db: a file; "" and ":memory:" would make DuckDB keep everything in memory and drop it at exit. */
function databasePath(value: string | undefined): string {
  if (value === undefined) return DEFAULT_DB_PATH;
  if (value.trim() === "" || value === ":memory:") {
    throw new UsageError(`--db must be a database file, got "${value}": that would keep the database in memory and lose everything at exit`);
  }
  return value;
}

/** --dataset: a folder (an S3 dataset is read with DuckDB's httpfs, not by the sink). */
function datasetPath(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.trim() === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new UsageError(`--dataset must be the folder of a backfill dataset, got "${value}"`);
  return value;
}

function queryFlags(values: Readonly<Record<string, unknown>>): Partial<QueryLimits> {
  try {
    return queryLimitFlags(values);
  } catch (error) {
    throw error instanceof QueryLimitError ? new UsageError(error.message) : error;
  }
}

/** A DuckDB size such as 64MB, or a UsageError naming the flag. */
export function memorySize(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) throw new UsageError(`--${flag} must be a size such as 64MB or 1GB, got "${value}"`);
  return value;
}

function positiveRate(flag: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0 || Number(value) > 1_000_000) {
    throw new UsageError(`--${flag} must be a number above 0 (e.g. 0.5 or 20), got "${value}"`);
  }
  return Number(value);
}

function positive(flag: string, value: string | undefined, max: number): number | null {
  return value === undefined ? null : integerFlag(flag, value, 1, max);
}

function flowctlMode(value: string | undefined): FlowctlMode {
  if (value === undefined) return { kind: "default" };
  if (value === "off") return { kind: "off" };
  if (value === "embedded") return { kind: "embedded" };
  try {
    return { kind: "url", endpoint: normalizeEndpoint(value, "--flowctl") };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${error.message}, or off, or embedded`);
    throw error;
  }
}

function checkedDuration(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseDuration(value);
  } catch (error) {
    throw new UsageError(`--${flag}: ${messageOf(error)}`);
  }
  return value;
}

function healthPorts(value: string | undefined): readonly [number, number, number] | null | undefined {
  if (value === undefined) return undefined;
  if (value === "off") return null;
  const ports = value.split(",").map((p) => p.trim());
  if (ports.length !== 3 || ports.some((p) => !/^\d+$/.test(p) || Number(p) > 65535)) {
    throw new UsageError(`--health-ports must be three ports (source,processor,sink) from 0 to 65535, or off, got "${value}"`);
  }
  const [source, processor, sink] = ports.map(Number) as [number, number, number];
  const fixed = [source, processor, sink].filter((p) => p !== 0);
  if (new Set(fixed).size !== fixed.length) throw new UsageError(`--health-ports gives two components the same port: "${value}"`);
  return [source, processor, sink];
}
