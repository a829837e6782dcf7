// The SQL surface's limits as flags of `bun run pipeline` and `bun run sink`, and as environment
// variables (flags win), over the defaults of QUERY_DEFAULTS.
import { parseDuration } from "../flowctl/duration.ts";
import { QUERY_DEFAULTS, type QueryLimits } from "../sink/services/query-limits.ts";
import { queryConcurrency } from "../sink/services/native-threads.ts";

export type QueryLimitName = Exclude<keyof QueryLimits, "maxSqlLength">;

interface LimitSpec {
  readonly flag: string;
  readonly env: string;
  readonly parse: (text: string) => number | null;
  readonly expected: string;
}

const MAX_BYTES = 1024 ** 4;

export const QUERY_LIMIT_SPECS: Readonly<Record<QueryLimitName, LimitSpec>> = {
  timeoutMs: { flag: "query-timeout", env: "STELLAR_FLOW_QUERY_TIMEOUT", parse: durationMs, expected: "a duration such as 10s or 1m (at least 1ms)" },
  maxRows: { flag: "query-max-rows", env: "STELLAR_FLOW_QUERY_MAX_ROWS", parse: (t) => integer(t, 1, 10_000_000), expected: "an integer from 1 to 10000000" },
  maxResultBytes: { flag: "query-max-result-bytes", env: "STELLAR_FLOW_QUERY_MAX_RESULT_BYTES", parse: byteSize, expected: "a size such as 16MiB or 1048576 (1KiB to 1TiB)" },
  concurrency: { flag: "query-concurrency", env: "STELLAR_FLOW_QUERY_CONCURRENCY", parse: (t) => integer(t, 1, 64), expected: "an integer from 1 to 64" },
  maxWaiting: { flag: "query-queue", env: "STELLAR_FLOW_QUERY_QUEUE", parse: (t) => integer(t, 0, 10_000), expected: "an integer from 0 to 10000" },
};

/** The flags, for parseArgs. */
export const QUERY_LIMIT_OPTIONS = Object.fromEntries(Object.values(QUERY_LIMIT_SPECS).map((spec) => [spec.flag, { type: "string" as const }]));

export const QUERY_LIMITS_HELP = `SQL surface (QueryService, /download/parquet of the sink; environment: STELLAR_FLOW_QUERY_...)
  --query-timeout DURATION     a query's whole time, waiting for a connection included (default 10s)
  --query-max-rows N           rows per response, beyond: truncated (default ${QUERY_DEFAULTS.maxRows})
  --query-max-result-bytes SIZE  value text per response and size of a Parquet download, beyond:
                               ResourceExhausted (default 16MiB)
  --query-concurrency N        queries that run at once (default ${QUERY_DEFAULTS.concurrency})
  --query-queue N              queries that may wait for one of them, beyond: ResourceExhausted (default ${QUERY_DEFAULTS.maxWaiting})`;

/** A flag's or variable's value that is not what it should be. */
export class QueryLimitError extends Error {
  override readonly name = "QueryLimitError";
}

/** The limits given by flags (`values`, as parseArgs gives them), checked. */
export function queryLimitFlags(values: Readonly<Record<string, unknown>>): Partial<QueryLimits> {
  const limits: Partial<Record<QueryLimitName, number>> = {};
  for (const [name, spec] of Object.entries(QUERY_LIMIT_SPECS) as [QueryLimitName, LimitSpec][]) {
    const text = values[spec.flag];
    if (typeof text === "string") limits[name] = checked(spec, text, `--${spec.flag}`);
  }
  return limits;
}

/** Flags over environment over defaults. */
export function resolveQueryLimits(flags: Partial<QueryLimits>, env: Readonly<Record<string, string | undefined>>): QueryLimits {
  const fromEnv: Partial<Record<QueryLimitName, number>> = {};
  for (const [name, spec] of Object.entries(QUERY_LIMIT_SPECS) as [QueryLimitName, LimitSpec][]) {
    const text = env[spec.env]?.trim();
    if (text) fromEnv[name] = checked(spec, text, spec.env);
  }
  return { ...QUERY_DEFAULTS, ...fromEnv, ...flags };
}

function checked(spec: LimitSpec, text: string, where: string): number {
  const value = spec.parse(text.trim());
  if (value === null) throw new QueryLimitError(`${where} must be ${spec.expected}, got "${text}"`);
  return value;
}

function integer(text: string, min: number, max: number): number | null {
  return /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : null;
}

function durationMs(text: string): number | null {
  try {
    const ms = parseDuration(text);
    return ms >= 1 && ms <= 86_400_000 ? Math.round(ms) : null;
  } catch {
    return null;
  }
}

const UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

function byteSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = UNITS[match?.[2]?.toLowerCase() ?? "?"];
  if (!match || unit === undefined) return null;
  const bytes = Math.floor(Number(match[1]) * unit);
  return bytes >= 1024 && bytes <= MAX_BYTES ? bytes : null;
}

/**
 * The limits of the sink's SQL surface for this process: flags over environment over defaults, the
 * concurrency lowered to what Bun's native thread pool has room for (said through `log` only when
 * it was asked for: a default lowered stays silent). Throws QueryLimitError on a bad value.
 */
export function sinkQueryLimits(flags: Partial<QueryLimits>, env: Readonly<Record<string, string | undefined>>, cores: number, log: (message: string) => void): QueryLimits {
  const limits = resolveQueryLimits(flags, env);
  const concurrency = queryConcurrency(limits.concurrency, env, cores);
  if (concurrency.note && (flags.concurrency !== undefined || env["STELLAR_FLOW_QUERY_CONCURRENCY"] !== undefined)) log(`sink: ${concurrency.note}`);
  return { ...limits, concurrency: concurrency.concurrency };
}
