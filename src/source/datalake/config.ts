// The data-lake manifest (`.config.json` at the lake root, written by galexie; SEP-54).
import { SourceError } from "../source-error.ts";
import type { ObjectStore } from "./object-store.ts";
import { messageOf } from "../../common/message-of.ts";

export const DATA_LAKE_CONFIG_KEY = ".config.json";

export interface DataLakeConfig {
  readonly networkPassphrase: string;
  /** Manifest format version as galexie writes it ("1.0"); not interpreted. */
  readonly version: string | null;
  /** Only zstd is defined by SEP-54. */
  readonly compression: "zstd";
  readonly ledgersPerBatch: number;
  readonly batchesPerPartition: number;
}

function positiveUint32(manifest: Record<string, unknown>, field: string, location: string): number {
  const value = manifest[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw new SourceError(`invalid data lake manifest: ${field} must be an integer >= 1, got ${JSON.stringify(value)}`, null, location);
  }
  return value;
}

/** Validates the manifest text; `location` names the file in errors. */
export function parseDataLakeConfig(text: string, location: string): DataLakeConfig {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new SourceError(`malformed data lake manifest: ${messageOf(error)}`, null, location, { cause: error });
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw new SourceError("malformed data lake manifest: expected a JSON object", null, location);
  }
  const m = manifest as Record<string, unknown>;
  if (typeof m.networkPassphrase !== "string" || m.networkPassphrase === "") {
    throw new SourceError(`invalid data lake manifest: networkPassphrase must be a non-empty string, got ${JSON.stringify(m.networkPassphrase)}`, null, location);
  }
  if (m.version !== undefined && typeof m.version !== "string") {
    throw new SourceError(`invalid data lake manifest: version must be a string, got ${JSON.stringify(m.version)}`, null, location);
  }
  if (m.compression !== "zstd") {
    throw new SourceError(`unsupported data lake compression ${JSON.stringify(m.compression)}: only "zstd" is supported`, null, location);
  }
  return {
    networkPassphrase: m.networkPassphrase,
    version: m.version ?? null,
    compression: "zstd",
    ledgersPerBatch: positiveUint32(m, "ledgersPerBatch", location),
    batchesPerPartition: positiveUint32(m, "batchesPerPartition", location),
  };
}

/** Reads and validates `.config.json` from the lake root. */
export async function readDataLakeConfig(store: ObjectStore, options?: { signal?: AbortSignal }): Promise<DataLakeConfig> {
  const location = store.describe(DATA_LAKE_CONFIG_KEY);
  let bytes: Uint8Array | null;
  try {
    bytes = await store.get(DATA_LAKE_CONFIG_KEY, options);
  } catch (error) {
    throw new SourceError(`cannot read the data lake manifest: ${messageOf(error)}`, null, location, { cause: error });
  }
  if (bytes === null) throw new SourceError("data lake manifest not found", null, location);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SourceError("malformed data lake manifest: not UTF-8 text", null, location, { cause: error });
  }
  return parseDataLakeConfig(text, location);
}
