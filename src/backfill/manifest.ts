// A shard's manifest: what the shard holds (ledgers, rows, files with sizes and SHA-256 checksums)
// and how it chains (its first ledger's previous hash, its last ledger's hash). Written last: a shard
// is done when its manifest exists. And the dataset's descriptor (network, schema version). Pure.
import type { DatasetTable } from "./dataset-layout.ts";
import type { ShardRange } from "./shard-plan.ts";
import { messageOf } from "../common/message-of.ts";

/**
 * Version of the files' schema (the `ttp_events` and `ledgers` columns and their types). A dataset
 * holds one version; a writer of another refuses it.
 */
export const SCHEMA_VERSION = 1;

export const MANIFEST_FORMAT = "stellar-flow/backfill-shard";
export const DATASET_FORMAT = "stellar-flow/backfill-dataset";

export interface ShardFile {
  readonly table: DatasetTable;
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  /** lowercase hex */
  readonly sha256: string;
}

export interface ShardManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly schemaVersion: number;
  /** Network passphrase. */
  readonly network: string;
  readonly start: number;
  readonly end: number;
  readonly ledgers: number;
  readonly rows: Readonly<Record<DatasetTable, number>>;
  readonly firstPreviousHash: string;
  readonly lastHash: string;
  readonly files: readonly ShardFile[];
  readonly writtenAt: string;
}

export interface DatasetDescriptor {
  readonly format: typeof DATASET_FORMAT;
  readonly schemaVersion: number;
  readonly network: string;
}

/** A manifest or descriptor that does not parse; names the file. */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

const HASH = /^[0-9a-f]{64}$/;

export function manifestRange(manifest: ShardManifest): ShardRange {
  return { start: manifest.start, end: manifest.end };
}

export function encodeJson(value: ShardManifest | DatasetDescriptor): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

function parseObject(bytes: Uint8Array, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ManifestError(`${where} is not JSON: ${messageOf(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ManifestError(`${where} is not a JSON object`);
  return value as Record<string, unknown>;
}

function field<T>(object: Record<string, unknown>, name: string, where: string, check: (v: unknown) => v is T, what: string): T {
  const value = object[name];
  if (!check(value)) throw new ManifestError(`${where}: "${name}" should be ${what}, got ${JSON.stringify(value) ?? "nothing"}`);
  return value;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isLedger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 0xffff_ffff;
const isString = (v: unknown): v is string => typeof v === "string" && v !== "";
const isHash = (v: unknown): v is string => typeof v === "string" && HASH.test(v);

export function parseDescriptor(bytes: Uint8Array, where: string): DatasetDescriptor {
  const object = parseObject(bytes, where);
  if (object.format !== DATASET_FORMAT) throw new ManifestError(`${where}: not a ${DATASET_FORMAT} descriptor (format ${JSON.stringify(object.format)})`);
  return {
    format: DATASET_FORMAT,
    schemaVersion: field(object, "schemaVersion", where, isCount, "a schema version"),
    network: field(object, "network", where, isString, "a network passphrase"),
  };
}

/** Parses and checks a manifest read from `where` (the key as the store describes it). */
export function parseManifest(bytes: Uint8Array, where: string): ShardManifest {
  const object = parseObject(bytes, where);
  if (object.format !== MANIFEST_FORMAT) throw new ManifestError(`${where}: not a ${MANIFEST_FORMAT} manifest (format ${JSON.stringify(object.format)})`);
  const start = field(object, "start", where, isLedger, "a ledger sequence");
  const end = field(object, "end", where, isLedger, "a ledger sequence");
  if (start > end) throw new ManifestError(`${where}: start ${start} is after end ${end}`);
  const ledgers = field(object, "ledgers", where, isCount, "a count");
  if (ledgers !== end - start + 1) throw new ManifestError(`${where}: ${ledgers} ledgers do not fill ${start}-${end}`);
  const rows = field(object, "rows", where, (v): v is Record<string, unknown> => typeof v === "object" && v !== null, "row counts");
  const files = field(object, "files", where, Array.isArray, "a list of files").map((f, i) => {
    const at = `${where} file ${i + 1}`;
    if (typeof f !== "object" || f === null) throw new ManifestError(`${at} is not an object`);
    const file = f as Record<string, unknown>;
    return {
      table: field(file, "table", at, (v): v is DatasetTable => v === "ttp_events" || v === "ledgers", "ttp_events or ledgers"),
      key: field(file, "key", at, isString, "a key"),
      rows: field(file, "rows", at, isCount, "a count"),
      bytes: field(file, "bytes", at, isCount, "a size"),
      sha256: field(file, "sha256", at, isHash, "a SHA-256 in hex"),
    };
  });
  return {
    format: MANIFEST_FORMAT,
    schemaVersion: field(object, "schemaVersion", where, isCount, "a schema version"),
    network: field(object, "network", where, isString, "a network passphrase"),
    start,
    end,
    ledgers,
    rows: {
      ttp_events: field(rows, "ttp_events", `${where} rows`, isCount, "a count"),
      ledgers: field(rows, "ledgers", `${where} rows`, isCount, "a count"),
    },
    firstPreviousHash: field(object, "firstPreviousHash", where, isHash, "a ledger hash"),
    lastHash: field(object, "lastHash", where, isHash, "a ledger hash"),
    files,
    writtenAt: field(object, "writtenAt", where, isString, "a time"),
  };
}
