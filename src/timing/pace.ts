// Paces record batches to at most N ledgers per second (for demos, gentle reads and tests).
import type { RecordBatch } from "apache-arrow";
import { pause } from "./abortable-sleep.ts";

export async function* paced(batches: AsyncIterable<RecordBatch>, ledgersPerSecond: number | null, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  const started = performance.now();
  let ledgers = 0;
  for await (const batch of batches) {
    yield batch;
    ledgers += batch.numRows;
    if (!ledgersPerSecond) continue;
    const due = (ledgers * 1000) / ledgersPerSecond - (performance.now() - started);
    if (due > 0) await pause(due, signal);
  }
}
