// A folder data lake of N consecutive, hash-chained ledgers made from one real ledger of a shared
// lake: each copy gets its own ledgerSeq and previousLedgerHash, and its header hash is computed
// again, so the pipeline validates and commits them as it would a real history. For tests that
// need more contiguous ledgers (or more data) than the shared lakes hold.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ledgerObjectKey } from "../../src/source/datalake/object-keys.ts";
import { sha256 } from "../../src/stellar/hash.ts";
import { readLedgerHeader, splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import { batchXdr } from "../source/lake-fixtures.ts";
import { lakePath } from "../../scripts/fixtures/shared-ledgers.ts";
import { recommitLedger } from "../../scripts/bench/recommit-ledger.ts";

export interface ChainedLake {
  readonly dir: string;
  readonly start: number;
  readonly end: number;
  remove(): Promise<void>;
}

const KEYS = { ledgersPerBatch: 1, batchesPerPartition: 64000 };

/** Offset of LedgerHeader.ledgerSeq: right after ledgerVersion ... bucketListHash, found by its value. */
function ledgerSeqOffset(lcm: Uint8Array, headerStart: number, headerEnd: number, sequence: number): number {
  const view = new DataView(lcm.buffer, lcm.byteOffset, lcm.byteLength);
  // after ledgerSeq: totalCoins .. skipList[4] (168 bytes), then ext v0 (4 bytes) or v1 (12 bytes)
  for (const ext of [4, 12]) {
    const at = headerEnd - ext - 168 - 4;
    if (at > headerStart && view.getUint32(at) === sequence) return at;
  }
  throw new Error(`ledger ${sequence}: ledgerSeq not where the header layout puts it`);
}

/**
 * Writes ledgers start..start+count-1 (copies of `template` of the shared `lake`) to a new temporary
 * folder lake with the template lake's manifest.
 */
export async function chainedLake(options: { lake: string; template: number; start: number; count: number; into?: string }): Promise<ChainedLake> {
  const dir = options.into ?? (await mkdtemp(join(tmpdir(), "stellar-flow-chained-")));
  const source = lakePath(options.lake);
  const manifest = await readFile(join(source, ".config.json"));
  await writeFile(join(dir, ".config.json"), manifest);
  const object = await readFile(join(source, ledgerObjectKey(options.template, KEYS)));
  // the header made to commit to the transaction set and results it carries (the load-test ledgers
  // were assembled from several, which the pipeline's tx-set check refuses as they are)
  const template = recommitLedger(splitLedgerCloseMetaBatch(Bun.zstdDecompressSync(object)).ledgerCloseMetas[0]!, JSON.parse(manifest.toString()).networkPassphrase);
  const header = readLedgerHeader(template);
  const headerStart = header.headerBytes.byteOffset - template.byteOffset;
  const headerEnd = headerStart + header.headerBytes.byteLength;
  const seqAt = ledgerSeqOffset(template, headerStart, headerEnd, header.sequence);
  let previous: Uint8Array = new Uint8Array(32); // the ledger before `start` is not in the lake: any hash will do
  for (let i = 0; i < options.count; i++) {
    const sequence = options.start + i;
    const lcm = new Uint8Array(template); // a copy (Buffer#slice would share the bytes)
    const view = new DataView(lcm.buffer, lcm.byteOffset, lcm.byteLength);
    view.setUint32(seqAt, sequence);
    lcm.set(previous, headerStart + 4); // LedgerHeader.previousLedgerHash follows ledgerVersion
    const hash = sha256(lcm.subarray(headerStart, headerEnd));
    lcm.set(hash, headerStart - 32); // LedgerHeaderHistoryEntry.hash precedes the header
    previous = hash;
    const key = join(dir, ledgerObjectKey(sequence, KEYS));
    await mkdir(dirname(key), { recursive: true });
    await writeFile(key, Bun.zstdCompressSync(batchXdr(sequence, sequence, [lcm]), { level: 1 }));
  }
  return { dir, start: options.start, end: options.start + options.count - 1, remove: () => rm(dir, { recursive: true, force: true }) };
}

