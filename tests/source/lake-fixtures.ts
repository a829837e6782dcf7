// Helpers for data-lake tests: list the objects of the shared sample lakes, and build throwaway
// lakes in the OS temp folder from copies of individual sample objects.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "bun:test";
import type { RawLedger } from "../../src/arrow/ledger-batch.ts";
import { rawLedgersOf } from "../../src/arrow/ledger-batch.ts";
import type { LedgerSource } from "../../src/source/ledger-source.ts";
import { SourceError } from "../../src/source/source-error.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";

export const LAKES = ["pubnet", "testnet", "standalone-p23", "standalone-p24"] as const;

export const PUBNET_MANIFEST = {
  networkPassphrase: "Public Global Stellar Network ; September 2015",
  version: "1.0",
  compression: "zstd",
  ledgersPerBatch: 1,
  batchesPerPartition: 64000,
};

/** Object keys (paths relative to the lake) of every ledger object in a sample lake, sorted. */
export async function lakeObjectKeys(lake: string): Promise<string[]> {
  const entries = await readdir(lakePath(lake), { recursive: true });
  return entries.filter((e) => /\.xdr\.zstd?$/.test(e)).sort();
}

/** The ledger sequence in an object key's file name (`XXXXXXXX--seq[-end].xdr.zst`). */
export function sequenceOfKey(key: string): number {
  const match = /([0-9A-F]{8})--(\d+)(?:-\d+)?\.xdr\.zstd?$/.exec(key);
  if (!match) throw new Error(`not a ledger object key: ${key}`);
  return Number(match[2]);
}

/** Decompressed bytes of one sample object. */
export async function sampleBatchXdr(lake: string, key: string): Promise<Uint8Array> {
  return Bun.zstdDecompressSync(await Bun.file(join(lakePath(lake), key)).bytes());
}

/** LedgerCloseMetaBatch XDR of the given LedgerCloseMetas. */
export function batchXdr(startSequence: number, endSequence: number, ledgerCloseMetas: readonly Uint8Array[]): Uint8Array {
  const size = 12 + ledgerCloseMetas.reduce((n, l) => n + l.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, startSequence);
  view.setUint32(4, endSequence);
  view.setUint32(8, ledgerCloseMetas.length);
  let offset = 12;
  for (const lcm of ledgerCloseMetas) {
    out.set(lcm, offset);
    offset += lcm.length;
  }
  return out;
}

export class TempLake {
  private constructor(readonly dir: string) {}

  static async create(manifest: Record<string, unknown> | null = PUBNET_MANIFEST): Promise<TempLake> {
    const lake = new TempLake(await mkdtemp(join(tmpdir(), "stellar-flow-lake-")));
    if (manifest) await lake.put(".config.json", JSON.stringify(manifest));
    return lake;
  }

  async put(key: string, bytes: Uint8Array | string): Promise<void> {
    const path = join(this.dir, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }

  /** Copies a sample object from a shared lake, under the same key or another one. */
  async copy(lake: string, key: string, as: string = key): Promise<void> {
    const path = join(this.dir, as);
    await mkdir(dirname(path), { recursive: true });
    await copyFile(join(lakePath(lake), key), path);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface ReadOutcome {
  readonly ledgers: RawLedger[];
  readonly batchSizes: number[];
  readonly error: unknown;
}

/** Reads a range to its end or first error, keeping what was yielded before the error. */
export async function readRange(source: LedgerSource, start: number, end: number, signal?: AbortSignal): Promise<ReadOutcome> {
  const ledgers: RawLedger[] = [];
  const batchSizes: number[] = [];
  try {
    for await (const batch of source.batches({ start, end }, { signal })) {
      batchSizes.push(batch.numRows);
      ledgers.push(...rawLedgersOf(batch));
    }
  } catch (error) {
    return { ledgers, batchSizes, error };
  }
  return { ledgers, batchSizes, error: null };
}

/** Asserts a SourceError naming the ledger (field and message) and the object key or file. */
export function expectSourceError(error: unknown, ledger: number | null, location: string, message: RegExp): SourceError {
  expect(error).toBeInstanceOf(SourceError);
  const e = error as SourceError;
  expect(e.ledger).toBe(ledger);
  if (ledger !== null) expect(e.message).toContain(`ledger ${ledger}`);
  expect(e.message).toContain(location);
  expect(e.message).toMatch(message);
  return e;
}
