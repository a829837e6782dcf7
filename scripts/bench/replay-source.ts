// A LedgerSource that replays a lake's compressed objects (from memory or from disk) as ledgers
// 1..N: each object is decompressed and split as the data lake source does, and its header's
// ledgerSeq is rewritten to the replayed sequence so that the sink sees distinct ledgers, its
// txSetHash and txSetResultHash to what it carries (./recommit-ledger.ts: the production path's
// hash check passes on the load-test ledgers assembled from several), and it is chained:
// previousLedgerHash is the ledger before's hash and the hash is the header's sha256 again, as the
// sink checks (it commits no ledger that does not follow the one before it).
import type { RecordBatch } from "apache-arrow";
import { rawLedgerBatch, type RawLedger } from "../../src/arrow/ledger-batch.ts";
import type { LedgerRange, LedgerSource } from "../../src/source/ledger-source.ts";
import { sha256, toHex } from "../../src/stellar/hash.ts";
import { readLedgerHeader, splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import type { LakeObject } from "./lake-objects.ts";
import type { StageClock } from "./stage-clock.ts";
import { applyHeaderPatch, headerPatch, type HeaderPatch } from "./recommit-ledger.ts";

/** Offset of LedgerHeader.ledgerSeq in a LedgerCloseMeta (it sits a fixed distance before the header's end). */
function ledgerSeqOffset(lcm: Uint8Array): number {
  const header = readLedgerHeader(lcm);
  const headerEnd = header.headerBytes.byteOffset - lcm.byteOffset + header.headerBytes.byteLength;
  const view = new DataView(lcm.buffer, lcm.byteOffset, lcm.byteLength);
  // After ledgerSeq: totalCoins, feePool, inflationSeq, idPool, baseFee, baseReserve, maxTxSetSize,
  // skipList[4] (168 bytes), then ext: v0 (4 bytes) or v1 { flags; ext } (12 bytes).
  for (const ext of [4, 12]) {
    const at = headerEnd - ext - 168 - 4;
    if (at > 0 && view.getUint32(at) === header.sequence) return at;
  }
  throw new Error(`ledger ${header.sequence}: ledgerSeq not found where the header layout puts it`);
}

const PREFETCH = 8;

export interface ReplayOptions {
  readonly objects: readonly LakeObject[];
  readonly networkPassphrase: string;
  /** Read each object from disk (page cache) instead of memory, as part of the run. */
  readonly fromDisk: boolean;
  readonly ledgersPerBatch: number;
  readonly clock: StageClock;
}

export class ReplaySource implements LedgerSource {
  readonly description = "in-memory replay";
  readonly networkPassphrase: string;
  /** XDR bytes handed on so far. */
  xdrBytes = 0;
  readonly #offsets: number[];
  readonly #patches: HeaderPatch[];

  constructor(private readonly options: ReplayOptions) {
    this.networkPassphrase = options.networkPassphrase;
    const lcms = options.objects.map((o) => splitLedgerCloseMetaBatch(Bun.zstdDecompressSync(o.compressed)).ledgerCloseMetas[0]!);
    this.#offsets = lcms.map(ledgerSeqOffset);
    this.#patches = lcms.map((lcm) => headerPatch(lcm, options.networkPassphrase));
  }

  async *batches(range: LedgerRange): AsyncGenerator<RecordBatch> {
    const { objects, clock, ledgersPerBatch } = this.options;
    let pending: RawLedger[] = [];
    // As the data lake source does: objects read and decompressed (on Bun's thread pool) up to
    // PREFETCH ahead; "zstd" ("read+zstd" from disk) times what the main thread still waits for.
    const waitStage = this.options.fromDisk ? "read+zstd" : "zstd";
    const ahead: Promise<Uint8Array>[] = [];
    let next = range.start;
    const fill = () => {
      for (; ahead.length < PREFETCH && next <= range.end; next++) {
        const object = objects[(next - 1) % objects.length]!;
        const compressed = this.options.fromDisk ? Bun.file(object.path).bytes() : Promise.resolve(object.compressed);
        ahead.push(compressed.then((bytes) => Bun.zstdDecompress(bytes)));
      }
    };
    let previousHash: Uint8Array = new Uint8Array(32); // the ledger before the range is not replayed
    for (let sequence = range.start; sequence <= range.end; sequence++) {
      const index = (sequence - 1) % objects.length;
      const object = objects[index]!;
      fill();
      const xdr = await clock.timeAsync(waitStage, () => ahead.shift()!);
      pending.push(
        clock.time("split", () => {
          const lcm = splitLedgerCloseMetaBatch(xdr).ledgerCloseMetas[0]!;
          new DataView(lcm.buffer, lcm.byteOffset, lcm.byteLength).setUint32(this.#offsets[index]!, sequence);
          applyHeaderPatch(lcm, this.#patches[index]!);
          const header = readLedgerHeader(lcm);
          const headerAt = header.headerBytes.byteOffset - lcm.byteOffset;
          lcm.set(previousHash, headerAt + 4); // LedgerHeader.previousLedgerHash follows ledgerVersion
          const hash = sha256(header.headerBytes);
          lcm.set(hash, headerAt - 32); // LedgerHeaderHistoryEntry.hash precedes the header
          const chained = { ...header, hash: toHex(hash), previousHash: toHex(previousHash) };
          previousHash = hash;
          this.xdrBytes += lcm.byteLength;
          return { ...chained, closedAt: header.closeTime, xdr: lcm, location: object.path };
        }),
      );
      if (pending.length === ledgersPerBatch || sequence === range.end) {
        const ledgers = pending;
        pending = [];
        yield clock.time("split", () => rawLedgerBatch(ledgers));
      }
    }
  }
}
