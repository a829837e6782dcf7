// A LedgerSource that replays a lake's compressed objects (from memory or from disk) as ledgers
// 1..N: each object is decompressed and split as the data lake source does, then stamped as a
// ledger of a chain (../fixtures/chained-ledgers/ledger-template.ts: its own ledgerSeq, the ledger
// before's hash, its header committing to what it carries; the transaction set kept as it is, so
// that a ledger costs one sha256 of its header), as the sink checks (it commits no ledger that does
// not follow the one before it).
import type { RecordBatch } from "apache-arrow";
import { rawLedgerBatch, type RawLedger } from "../../src/arrow/ledger-batch.ts";
import type { LedgerRange, LedgerSource } from "../../src/source/ledger-source.ts";
import { toHex } from "../../src/stellar/hash.ts";
import { readLedgerHeader, splitLedgerCloseMetaBatch } from "../../src/stellar/xdr/ledger-header-reader.ts";
import type { LakeObject } from "./lake-objects.ts";
import type { StageClock } from "./stage-clock.ts";
import { ledgerTemplate, stampLedger, type LedgerTemplate } from "../fixtures/chained-ledgers/ledger-template.ts";

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
  readonly #templates: LedgerTemplate[];

  constructor(private readonly options: ReplayOptions) {
    this.networkPassphrase = options.networkPassphrase;
    this.#templates = options.objects.map((o) => ledgerTemplate(Bun.zstdDecompressSync(o.compressed), o.path));
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
          const template = this.#templates[index]!;
          const { hash } = stampLedger(template, sequence, previousHash, template.closeTime, { into: xdr, txSet: "keep" });
          const lcm = splitLedgerCloseMetaBatch(xdr).ledgerCloseMetas[0]!;
          const header = readLedgerHeader(lcm);
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
