// A live sink that continues a backfill dataset (`bun run pipeline --dataset DIR`): its rows go to
// the live sink, but where it goes on is decided with the dataset: after the dataset's last ledger,
// chained to the hash that ledger's manifest records, unless the live sink holds later ledgers (then
// after its own cursor). A start inside the dataset is refused: those ledgers are the dataset's.
import type { ProcessedBatch } from "../../arrow/processed-batch.ts";
import type { LedgerSink, ResumePoint, SinkCursor } from "../ledger-sink.ts";
import { continuationPoint, describeSnapshot, type DatasetSnapshot } from "./dataset-views.ts";

/** A start the operator asked for lies within the dataset. */
export class StartInDatasetError extends Error {
  override readonly name = "StartInDatasetError";
}

export class DatasetContinuedSink implements LedgerSink {
  readonly description: string;

  constructor(
    private readonly live: LedgerSink,
    private readonly dataset: DatasetSnapshot,
  ) {
    this.description = `${live.description} continuing ${describeSnapshot(dataset)}`;
  }

  get location(): string {
    return this.live.location;
  }

  /** The highest ledger of the two: the live sink's when it is past the dataset's. */
  async cursor(): Promise<SinkCursor | null> {
    const live = await this.live.cursor();
    const last = this.dataset.last;
    if (last && (live === null || live.sequence < last.sequence)) return { sequence: last.sequence, hash: last.hash };
    return live;
  }

  async resumePoint(): Promise<ResumePoint> {
    const point = await this.live.resumePoint();
    const last = this.dataset.last;
    if (!last) return point;
    if (point.startPending) {
      if (point.next !== null && point.next <= last.sequence) {
        throw new StartInDatasetError(
          `ledger ${point.next} is held by ${describeSnapshot(this.dataset)}: ${this.live.description} continues it from ledger ${last.sequence + 1} (leave out --start)`,
        );
      }
      return point.next === last.sequence + 1 ? { ...point, previousHash: last.hash } : point;
    }
    if (point.cursor !== null && point.cursor >= last.sequence) return point;
    return continuationPoint(this.dataset)!;
  }

  startOver(at: number | null): Promise<void> {
    return this.live.startOver(at);
  }

  write(batch: ProcessedBatch): Promise<void> {
    return this.live.write(batch);
  }

  writeMany(batches: readonly ProcessedBatch[]): Promise<void> {
    return this.live.writeMany(batches);
  }

  close(): Promise<void> {
    return this.live.close();
  }
}
