// The source flags of `bun run pipeline` (where ledgers come from and which ones), parsed and
// checked without side effects. pipeline-args.ts merges them into the other flags.

import { DEFAULT_LATEST_COUNT, type RangeSpec, type StartSpec } from "../pipeline/plan-range.ts";
import type { SourceSpec } from "../source/open-source.ts";
import type { LedgerRange } from "../source/ledger-source.ts";

export { DEFAULT_LATEST_COUNT, type StartSpec };

/** The source flags: where ledgers come from, and which ones. */
export interface SourceArgs extends SourceSpec, RangeSpec {
  /** --ledgers: ranges in ascending order, none overlapping; null: one range from --start/--end. */
  readonly ledgerList: readonly LedgerRange[] | null;
}

export const DEFAULT_CONCURRENCY = 8;

export const SOURCE_OPTIONS = {
  datalake: { type: "string" },
  "rpc-url": { type: "string" },
  "s3-endpoint": { type: "string" },
  concurrency: { type: "string" },
  "max-object-bytes": { type: "string" },
  follow: { type: "boolean" },
  start: { type: "string" },
  end: { type: "string" },
  ledgers: { type: "string" },
} as const;

export const SOURCE_HELP = `Source (default: the public pubnet data lake over HTTPS, or $STELLAR_FLOW_DATALAKE)
  --datalake LAKE        a SEP-54 / galexie data lake: a folder, an https:// URL (read anonymously)
                         or s3://bucket/prefix (Bun's S3 client; AWS_ACCESS_KEY_ID,
                         AWS_SECRET_ACCESS_KEY, AWS_REGION from the environment)
  --s3-endpoint URL      endpoint of an S3-compatible store for s3:// lakes (MinIO, R2, ...)
  --rpc-url URL          Stellar RPC (getLedgers). With --datalake too: the lake backfills, then
                         RPC serves the ledgers after the lake's newest
  --concurrency N        data-lake objects fetched at once (default ${DEFAULT_CONCURRENCY})
  --max-object-bytes SIZE
                         a data-lake object that could decompress to more (e.g. 256MiB) is refused
                         before it is decompressed (default 64 MiB per ledger it holds)
  --start N|latest|latest-N
                         first ledger; latest-N starts N ledgers before the newest. Default: the
                         ledger after the database's cursor (the hash chain is checked across the
                         restart), or the latest ${DEFAULT_LATEST_COUNT} ledgers in a new database
  --end M                last ledger, inclusive (default: --start N alone reads ledger N; otherwise
                         the source's newest ledger)
  --ledgers LIST         several ranges in one run, e.g. 6154623,7320888,30822015-30822025: each
                         an explicit start (the database holds the ranges asked for, as ledgers
                         shows), read in ascending order, with a summary per range and overall
  --follow               keep reading new ledgers as they close (until Ctrl-C)
  --network NAME         pubnet | testnet | futurenet | standalone | "<passphrase>"
                         (default: the lake's or the RPC's; a mismatch stops the run)`;

export class SourceArgsError extends Error {
  override readonly name = "SourceArgsError";
}

type SourceValues = { [K in keyof typeof SOURCE_OPTIONS]?: (typeof SOURCE_OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

function ledgerNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 0xffffffff) {
    throw new SourceArgsError(`--${flag} must be a ledger sequence (a positive integer), got "${value}"`);
  }
  return Number(value);
}

function startSpec(value: string | undefined): StartSpec {
  if (value === undefined) return { kind: "resume" };
  const latest = /^latest(?:-(\d+))?$/.exec(value);
  if (latest) return { kind: "latest", back: Number(latest[1] ?? 0) };
  if (!/^\d+$/.test(value)) throw new SourceArgsError(`--start must be a ledger sequence (a positive integer), latest or latest-N, got "${value}"`);
  return { kind: "ledger", sequence: ledgerNumber("start", value) };
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** Bytes of a size such as 64MiB, 100MB or 1048576. */
function byteSize(flag: string, value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? "?"];
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : NaN;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) throw new SourceArgsError(`--${flag} must be a size such as 64MiB, 100MB or 1048576, got "${value}"`);
  return bytes;
}

/**
 * --ledgers: "N" or "N-M" items, comma-separated, sorted ascending; an item that is not a ledger or
 * a range, a range that ends before it starts, and two items that overlap are named.
 */
export function ledgerList(value: string): LedgerRange[] {
  const items = value.split(",").map((item) => item.trim());
  const ranges = items.map((item, i): LedgerRange & { readonly item: string } => {
    const where = `item ${i + 1} of ${items.length}`;
    if (item === "") throw new SourceArgsError(`--ledgers: ${where} is empty (a stray comma?) in "${value}"`);
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    const [start, end] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [NaN, NaN];
    if (!match || start < 1 || end > 0xffffffff) throw new SourceArgsError(`--ledgers: "${item}" (${where}) is not a ledger N or a range N-M of positive ledger sequences`);
    if (end < start) throw new SourceArgsError(`--ledgers: "${item}" (${where}) ends before it starts`);
    return { start, end, item };
  });
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start <= ranges[i - 1]!.end) throw new SourceArgsError(`--ledgers: "${ranges[i - 1]!.item}" and "${ranges[i]!.item}" overlap`);
  }
  return ranges.map(({ start, end }) => ({ start, end }));
}

export function parseSourceArgs(values: SourceValues): SourceArgs {
  if (values.ledgers !== undefined) {
    for (const flag of ["start", "end", "follow"] as const) if (values[flag] !== undefined) throw new SourceArgsError(`--ledgers gives the ranges: leave out --${flag}`);
  }
  const start = startSpec(values.start);
  const end = values.end === undefined ? null : ledgerNumber("end", values.end);
  if (start.kind === "ledger" && end !== null && end < start.sequence) throw new SourceArgsError(`--end (${end}) is before --start (${start.sequence})`);
  if (values.follow && end !== null) throw new SourceArgsError("--follow reads without end: leave out --end");
  const concurrency = values.concurrency ?? String(DEFAULT_CONCURRENCY);
  if (!/^\d+$/.test(concurrency) || Number(concurrency) < 1 || Number(concurrency) > 256) {
    throw new SourceArgsError(`--concurrency must be an integer from 1 to 256, got "${concurrency}"`);
  }
  for (const [flag, url] of [["rpc-url", values["rpc-url"]], ["s3-endpoint", values["s3-endpoint"]]] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new SourceArgsError(`--${flag} must be an http(s):// URL, got "${url}"`);
  }
  if (values["s3-endpoint"] !== undefined && !values.datalake?.startsWith("s3://")) throw new SourceArgsError("--s3-endpoint goes with --datalake s3://bucket/prefix");
  return {
    datalake: values.datalake ?? null,
    rpcUrl: values["rpc-url"] ?? null,
    s3Endpoint: values["s3-endpoint"] ?? null,
    concurrency: Number(concurrency),
    maxObjectBytes: values["max-object-bytes"] === undefined ? null : byteSize("max-object-bytes", values["max-object-bytes"]),
    follow: values.follow ?? false,
    start,
    end,
    ledgerList: values.ledgers === undefined ? null : ledgerList(values.ledgers),
  };
}
