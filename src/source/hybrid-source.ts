// Backfill from a data lake, then follow the tip over RPC: the lake serves the range up to its
// newest object (as listed when the run starts), the RPC everything after it. The hand-over
// ledger's previous-hash is checked against the lake's last ledger, so there is no gap and no
// duplicate between the two.
import type { RecordBatch } from "apache-arrow";
import type { LedgerBatchesOptions, LedgerRange, LedgerSize, LedgerSource } from "./ledger-source.ts";
import { SourceError } from "./source-error.ts";

type ListedSource = LedgerSource & Required<Pick<LedgerSource, "latestLedger">>;

export class HybridSource implements LedgerSource {
  readonly description: string;
  readonly networkPassphrase: string;

  constructor(
    readonly backfill: ListedSource,
    readonly tip: ListedSource,
  ) {
    if (backfill.networkPassphrase !== tip.networkPassphrase) {
      throw new SourceError(`wrong network: ${backfill.description} holds "${backfill.networkPassphrase}" but ${tip.description} serves "${tip.networkPassphrase}"`, null, null);
    }
    this.networkPassphrase = tip.networkPassphrase;
    this.description = `${backfill.description}, then ${tip.description}`;
  }

  latestLedger(options?: { signal?: AbortSignal }): Promise<number> {
    return this.tip.latestLedger(options);
  }

  /** The lake's sizes (RPC has no objects to weigh). */
  async ledgerSizes(sequences: readonly number[], options?: { signal?: AbortSignal }): Promise<(LedgerSize | null)[]> {
    return this.backfill.ledgerSizes ? this.backfill.ledgerSizes(sequences, options) : sequences.map(() => null);
  }

  async *batches(range: LedgerRange, options: LedgerBatchesOptions = {}): AsyncGenerator<RecordBatch> {
    const { signal } = options;
    let next = range.start;
    let previousHash = options.expectedPreviousHash;
    const lakeEnd = Math.min(range.end, await this.backfill.latestLedger({ signal }));
    if (next <= lakeEnd) {
      for await (const batch of this.backfill.batches({ start: next, end: lakeEnd }, { signal, expectedPreviousHash: previousHash, onObjectFetched: options.onObjectFetched })) {
        yield batch;
        if (batch.numRows > 0) {
          previousHash = batch.getChild("hash")!.get(batch.numRows - 1) as string;
          next = (batch.getChild("sequence")!.get(batch.numRows - 1) as number) + 1;
        }
      }
    }
    if (next <= range.end) yield* this.tip.batches({ start: next, end: range.end }, { signal, expectedPreviousHash: previousHash, onObjectFetched: options.onObjectFetched });
  }
}
