// Command-line flags of `bun run backfill` and its subcommands (verify, worker, status), parsed and
// checked without side effects: a range that cannot be planned is a usage error, before anything runs.
import { parseDuration } from "../flowctl/duration.ts";
import { BackfillInputError, DEFAULT_SHARD_SIZE, planShards, type ShardRange } from "../backfill/shard-plan.ts";
import { messageOf } from "../common/message-of.ts";
import { integerFlag, readFlags, UsageError } from "./flags.ts";

export const BACKFILL_HELP = `Usage:
  bun run backfill --datalake LAKE --start A --end B --out DIR|s3://bucket/prefix [options]
  bun run backfill --nats URL --datalake LAKE --start A --end B --out OUT [options]   (plan, and return)
  bun run backfill worker --nats URL --datalake LAKE [--out OUT] [options]
  bun run backfill status --nats URL [--queue NAME] [--json]
  bun run backfill verify --out DIR|s3://bucket/prefix [--json]

Writes ledgers A..B of a data lake as a Parquet dataset: per shard of --shard-size ledgers (aligned
to multiples of it), ttp_events/ and ledgers/ files (the columns of the DuckDB tables, zstd, sorted
by ledger and event index) and a manifest (ledgers, rows, hash chain ends, file sizes and SHA-256),
written last: a shard is done once its manifest exists. Shards already in --out are skipped; a shard
written again replaces itself. Read the dataset with bun run query --dataset DIR, or DuckDB's
read_parquet('DIR/ttp_events/*.parquet').

Backfill (local: --parallel child processes; with --nats: put the shards on a JetStream queue)
  --datalake LAKE        a folder, https:// URL or s3://bucket/prefix (SEP-54 / galexie layout)
  --start A, --end B     the inclusive ledger range
  --out DIR|s3://...     the dataset: a folder, or a prefix in S3 (credentials from AWS_* variables)
  --shard-size N         ledgers per shard (default ${DEFAULT_SHARD_SIZE})
  --parallel N           child processes writing shards at once (default: cores)
  --max-attempts N       attempts per shard before it is failed (default 3)
  --network NAME         pubnet | testnet | futurenet | standalone | "<passphrase>" (default: the lake's)
  --no-tx-set-check      do not check each ledger's txSetHash and txSetResultHash (the shared
                         standalone load-test lakes need it, as bun run pipeline does)
  --verify               reconcile every transaction's events with its balance changes
  --s3-endpoint URL      endpoint of an S3-compatible store (lake and dataset)
  --concurrency N        data-lake objects fetched at once per process (default 8)
  --plain                progress as plain lines (the default when stderr is not a terminal)
NATS JetStream (many machines)
  --nats URL             nats://host:port: plan the shards on its work queue and return
  --queue NAME           names the stream, consumer and KV bucket (default backfill)
  --max-deliver N        deliveries of a shard before it is failed (default: the queue's, 3 when new)
  --ack-wait DURATION    a delivery without word from its worker this long is redelivered
                         (default: the queue's, 60s when new)
Worker (pulls one shard at a time until stopped; acks once the shard's manifest is durable)
  --out OUT              where this worker writes (default: the --out each shard was planned with);
                         a shard planned for another dataset is failed, naming both
  --flowctl URL|off      register with flowctl while writing a shard (type PROCESSOR, metadata
                         shard and dataset); default: FLOWCTL_ENDPOINT / ENABLE_FLOWCTL, else off
  --exit-when-idle       stop once the queue has nothing for a while, instead of waiting for more
Other
  -h, --help             this text

Exit codes: 0 done, 1 a shard failed or a command could not complete, 2 bad input.`;

export type BackfillCommand = "run" | "worker" | "status" | "verify";

export interface LakeArgs {
  readonly datalake: string;
  readonly network: string | null;
  readonly checkTxSets: boolean;
  readonly verify: boolean;
  readonly s3Endpoint: string | null;
  readonly concurrency: number;
}

export interface QueueArgs {
  readonly nats: string;
  readonly queue: string;
  readonly maxDeliver: number | null;
  readonly ackWaitMs: number | null;
}

export type BackfillArgs =
  | { readonly command: "help" }
  | ({ readonly command: "run"; readonly range: ShardRange; readonly shardSize: number; readonly shards: readonly ShardRange[]; readonly out: string; readonly parallel: number; readonly maxAttempts: number; readonly plain: boolean; readonly queue: QueueArgs | null } & LakeArgs)
  | ({ readonly command: "worker"; readonly out: string | null; readonly flowctl: string | null; readonly flowctlHeartbeatInterval: string | undefined; readonly exitWhenIdle: boolean; readonly queue: QueueArgs } & LakeArgs)
  | { readonly command: "status"; readonly queue: QueueArgs; readonly json: boolean }
  | { readonly command: "verify"; readonly out: string; readonly s3Endpoint: string | null; readonly json: boolean };

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  datalake: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  out: { type: "string" },
  "shard-size": { type: "string" },
  parallel: { type: "string" },
  "max-attempts": { type: "string" },
  network: { type: "string" },
  "no-tx-set-check": { type: "boolean" },
  verify: { type: "boolean" },
  "s3-endpoint": { type: "string" },
  concurrency: { type: "string" },
  plain: { type: "boolean" },
  nats: { type: "string" },
  queue: { type: "string" },
  "max-deliver": { type: "string" },
  "ack-wait": { type: "string" },
  flowctl: { type: "string" },
  "flowctl-heartbeat-interval": { type: "string" },
  "exit-when-idle": { type: "boolean" },
  json: { type: "boolean" },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

/** Flags each command takes (the others are refused, naming the command). */
const ALLOWED: Record<BackfillCommand, readonly (keyof typeof OPTIONS)[]> = {
  run: ["datalake", "start", "end", "out", "shard-size", "parallel", "max-attempts", "network", "no-tx-set-check", "verify", "s3-endpoint", "concurrency", "plain", "nats", "queue", "max-deliver", "ack-wait"],
  worker: ["datalake", "out", "network", "no-tx-set-check", "verify", "s3-endpoint", "concurrency", "nats", "queue", "flowctl", "flowctl-heartbeat-interval", "exit-when-idle"],
  status: ["nats", "queue", "json"],
  verify: ["out", "s3-endpoint", "json"],
};

function required(values: Values, flag: "datalake" | "start" | "end" | "out" | "nats", command: string): string {
  const value = values[flag];
  if (value === undefined || value.trim() === "") throw new UsageError(`${command} needs --${flag}`);
  return value;
}

function integer(flag: string, value: string | undefined, min: number, max: number, fallback: number): number {
  return value === undefined ? fallback : integerFlag(flag, value, min, max);
}

function ledger(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 0xffff_ffff) throw new UsageError(`--${flag} must be a ledger sequence (1 to 4294967295), got "${value}"`);
  return Number(value);
}

function httpUrl(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^https?:\/\/[^/]/.test(value)) throw new UsageError(`--${flag} must be an http(s):// URL, got "${value}"`);
  return value;
}

function natsUrl(value: string): string {
  for (const url of value.split(",")) {
    if (!/^(nats|tls|ws|wss):\/\/[^/\s]+$/.test(url.trim()) && !/^[^:/\s]+:\d+$/.test(url.trim())) throw new UsageError(`--nats must be nats://host:port (or several, comma-separated), got "${value}"`);
  }
  return value;
}

function queueArgs(values: Values, command: string): QueueArgs {
  const queue = values.queue ?? "backfill";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(queue)) throw new UsageError(`--queue must be letters, digits, - and _ (at most 64), got "${queue}"`);
  let ackWaitMs: number | null = null;
  if (values["ack-wait"] !== undefined) {
    try {
      ackWaitMs = parseDuration(values["ack-wait"]);
    } catch (error) {
      throw new UsageError(`--ack-wait: ${messageOf(error)}`);
    }
    if (!(ackWaitMs >= 1000)) throw new UsageError(`--ack-wait must be at least 1s, got "${values["ack-wait"]}"`);
  }
  return {
    nats: natsUrl(required(values, "nats", command)),
    queue,
    maxDeliver: values["max-deliver"] === undefined ? null : integer("max-deliver", values["max-deliver"], 1, 1000, 3),
    ackWaitMs,
  };
}

function lakeArgs(values: Values, command: string): LakeArgs {
  return {
    datalake: required(values, "datalake", command),
    network: values.network ?? null,
    checkTxSets: !(values["no-tx-set-check"] ?? false),
    verify: values.verify ?? false,
    s3Endpoint: httpUrl("s3-endpoint", values["s3-endpoint"]),
    concurrency: integer("concurrency", values.concurrency, 1, 256, 8),
  };
}

export function parseBackfillArgs(argv: readonly string[], cores: number = navigator.hardwareConcurrency): BackfillArgs {
  const first = argv[0];
  const command: BackfillCommand = first === "worker" || first === "status" || first === "verify" ? first : "run";
  const rest = command === "run" ? argv : argv.slice(1);
  const name = command === "run" ? "backfill" : `backfill ${command}`;
  const values = readFlags(`bun run ${name}`, rest, OPTIONS).values as Values;
  if (values.help) return { command: "help" };
  const given = Object.keys(values) as (keyof typeof OPTIONS)[];
  const foreign = given.find((flag) => !ALLOWED[command].includes(flag));
  if (foreign) throw new UsageError(`${name} takes no --${foreign}`);

  switch (command) {
    case "status":
      return { command, queue: queueArgs(values, name), json: values.json ?? false };
    case "verify":
      return { command, out: required(values, "out", name), s3Endpoint: httpUrl("s3-endpoint", values["s3-endpoint"]), json: values.json ?? false };
    case "worker":
      if (values.flowctl !== undefined && values.flowctl !== "off" && !/^(https?:\/\/)?[^/\s]+(:\d+)?\/?$/.test(values.flowctl)) throw new UsageError(`--flowctl must be a URL (host:port or http(s)://...) or off, got "${values.flowctl}"`);
      if (values["flowctl-heartbeat-interval"] !== undefined) {
        try {
          parseDuration(values["flowctl-heartbeat-interval"]);
        } catch (error) {
          throw new UsageError(`--flowctl-heartbeat-interval: ${messageOf(error)}`);
        }
      }
      return {
        command,
        ...lakeArgs(values, name),
        queue: queueArgs(values, name),
        out: values.out ?? null,
        flowctl: values.flowctl ?? null,
        flowctlHeartbeatInterval: values["flowctl-heartbeat-interval"],
        exitWhenIdle: values["exit-when-idle"] ?? false,
      };
    case "run": {
      const natsOnly = (["queue", "max-deliver", "ack-wait"] as const).find((flag) => values[flag] !== undefined);
      if (natsOnly && values.nats === undefined) throw new UsageError(`--${natsOnly} goes with --nats (a local backfill has no JetStream queue)`);
      const lake = lakeArgs(values, name);
      const range = { start: ledger("start", required(values, "start", name)), end: ledger("end", required(values, "end", name)) };
      const out = required(values, "out", name);
      const shardSize = values["shard-size"] === undefined ? DEFAULT_SHARD_SIZE : Number(/^\d+$/.test(values["shard-size"]) ? values["shard-size"] : NaN);
      let shards: ShardRange[];
      try {
        shards = planShards(range, shardSize);
      } catch (error) {
        if (!(error instanceof BackfillInputError)) throw error;
        throw new UsageError(values["shard-size"] !== undefined && !Number.isSafeInteger(shardSize) ? `--shard-size must be a whole number of ledgers, at least 1 (got "${values["shard-size"]}")` : error.message);
      }
      return {
        command,
        ...lake,
        range,
        shardSize,
        shards,
        out,
        parallel: integer("parallel", values.parallel, 1, 256, Math.max(1, cores)),
        maxAttempts: integer("max-attempts", values["max-attempts"], 1, 100, 3),
        plain: values.plain ?? false,
        queue: values.nats === undefined ? null : queueArgs(values, name),
      };
    }
  }
}
