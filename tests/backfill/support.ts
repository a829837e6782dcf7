// Helpers for the backfill tests: temporary folders, and reading Parquet back with DuckDB.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

export function tempDir(prefix = "stellar-flow-backfill-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Rows (as JSON values: big numbers as strings) of one query in a fresh in-memory DuckDB. */
export async function duck(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The partition folder of the pubnet lake's one run of consecutive ledgers (30822015-30822025). */
export const PUBNET_PARTITION = "FE2A45FF--30784000-30847999";

export interface CorruptLake {
  readonly lake: string;
  /** Path of the damaged object (ledger 30822017's). */
  readonly object: string;
  /** Puts the object's good bytes back. */
  fix(): void;
}

/** A copy of the pubnet lake's consecutive ledgers in `parent/name`, ledger 30822017's object replaced by zstd of junk. */
export function corruptPubnetLake(parent: string, name: string): CorruptLake {
  const lake = join(parent, name);
  cpSync(join(lakePath("pubnet"), ".config.json"), join(lake, ".config.json"));
  cpSync(join(lakePath("pubnet"), PUBNET_PARTITION), join(lake, PUBNET_PARTITION), { recursive: true });
  const object = join(lake, PUBNET_PARTITION, "FE29B17E--30822017.xdr.zst");
  const good = readFileSync(object);
  writeFileSync(object, Bun.zstdCompressSync(new Uint8Array(500).fill(7)));
  return { lake, object, fix: () => writeFileSync(object, good) };
}
