// Command-line flags of `bun run pipeline`, parsed and checked without side effects.
import { parseArgs } from "node:util";
import { TTP_MODES, type TtpMode } from "../ttp/ledger-events.ts";
import type { EventFilterSpec } from "../ttp/event-filter.ts";

export interface PipelineArgs {
  readonly help: boolean;
  readonly datalake: string;
  readonly start: number;
  readonly end: number;
  readonly db: string;
  readonly network: string | null;
  readonly ttpMode: TtpMode;
  readonly verify: boolean;
  readonly exportJson: string | null;
  readonly exportParquet: string | null;
  readonly filters: EventFilterSpec;
}

export const DEFAULT_DB_PATH = "./data/stellar.duckdb";

export const PIPELINE_HELP = `Usage: bun run pipeline --datalake PATH --start N [--end M] [options]

Reads Stellar ledgers from a SEP-54 data lake, extracts Token Transfer Protocol events
(CAP-67 semantics) and commits them to DuckDB.

Source
  --datalake PATH        folder holding a SEP-54 / galexie data lake (.config.json + objects)
  --start N              first ledger to read
  --end M                last ledger to read, inclusive (default: --start)
  --network NAME         pubnet | testnet | futurenet | standalone | "<passphrase>"
                         (default: the lake manifest's passphrase; a mismatch stops the run)
Processor
  --ttp-mode MODE        auto | unified | classic (default auto)
                           classic: derive events from operations, results and ledger changes
                           unified: read CAP-67 events from TransactionMeta v4
                           auto:    unified where the meta carries CAP-67 events, else classic
  --verify               check every transaction's events against its balance changes
Filters (comma-separated lists; an event must match every filter given)
  --event-types LIST     transfer, mint, burn, clawback, fee
  --assets LIST          native or CODE:ISSUER
  --accounts LIST        G/M/C/L/B addresses, matched against from and to
  --contracts LIST       contract addresses (C...), e.g. a token's SAC
  --operation-types LIST Stellar operation names, e.g. payment,path_payment_strict_send
                         (fee events belong to no operation and are left out by this filter)
Sink
  --db PATH              DuckDB database file (default ${DEFAULT_DB_PATH})
  --export-json FILE     after the run, write the range's events as NDJSON
  --export-parquet DIR   after the run, write the range's events and ledgers as Parquet
  -h, --help             show this help

Examples
  bun run pipeline --datalake ../shared/ledgers/pubnet --start 30822015 --end 30822025
  bun run query "SELECT event_type, count(*) FROM ttp_events GROUP BY ALL"`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

function ledgerNumber(flag: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 0xffffffff) {
    throw new UsageError(`--${flag} must be a ledger sequence (a positive integer), got "${value}"`);
  }
  return Number(value);
}

/** Values of a repeatable, comma-separated flag. */
function list(values: string[] | undefined): string[] | undefined {
  const items = values?.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  return items && items.length > 0 ? items : undefined;
}

export function parsePipelineArgs(argv: readonly string[]): PipelineArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        datalake: { type: "string" },
        start: { type: "string" },
        end: { type: "string" },
        db: { type: "string" },
        network: { type: "string" },
        "ttp-mode": { type: "string" },
        verify: { type: "boolean" },
        "export-json": { type: "string" },
        "export-parquet": { type: "string" },
        "event-types": { type: "string", multiple: true },
        assets: { type: "string", multiple: true },
        accounts: { type: "string", multiple: true },
        contracts: { type: "string", multiple: true },
        "operation-types": { type: "string", multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const help = v.help ?? false;
  const mode = (v["ttp-mode"] ?? "auto") as TtpMode;
  if (!TTP_MODES.includes(mode)) throw new UsageError(`--ttp-mode must be one of ${TTP_MODES.join(", ")}, got "${v["ttp-mode"]}"`);
  if (!help && !v.datalake) throw new UsageError("--datalake PATH is required (a folder holding a SEP-54 data lake)");
  const start = ledgerNumber("start", v.start);
  if (!help && start === null) throw new UsageError("--start N is required");
  const end = ledgerNumber("end", v.end) ?? start;
  if (start !== null && end !== null && end < start) throw new UsageError(`--end (${end}) is before --start (${start})`);
  return {
    help,
    datalake: v.datalake ?? "",
    start: start ?? 0,
    end: end ?? 0,
    db: v.db ?? DEFAULT_DB_PATH,
    network: v.network ?? null,
    ttpMode: mode,
    verify: v.verify ?? false,
    exportJson: v["export-json"] ?? null,
    exportParquet: v["export-parquet"] ?? null,
    filters: {
      eventTypes: list(v["event-types"]),
      assets: list(v.assets),
      accounts: list(v.accounts),
      contracts: list(v.contracts),
      operationTypes: list(v["operation-types"]),
    },
  };
}
