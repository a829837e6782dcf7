// Worker thread entry: decodes and extracts one raw-ledger batch at a time with a TtpProcessor
// and hands back the `ledgers` and `ttp_events` Arrow batches.
import type { RecordBatch, Schema } from "apache-arrow";
import { rawLedgerSchema, xdrBytesOf } from "../arrow/ledger-batch.ts";
import { ledgerSummarySchema } from "../arrow/ledger-summary-batch.ts";
import { ttpEventSchema } from "../arrow/event-batch.ts";
import { packBatch, unpackBatch, type WireColumn } from "../arrow/wire-batch.ts";
import { eventPredicate } from "../ttp/event-filter.ts";
import { ledgerDecoder } from "./ledger-decoders.ts";
import { TtpProcessor } from "./ttp-processor.ts";
import { GarbagePacer } from "../timing/garbage-pacer.ts";
import type { TtpWorkerConfig, TtpWorkerRequest, TtpWorkerResponse } from "./ttp-worker-protocol.ts";

declare const self: { onmessage: ((event: MessageEvent<TtpWorkerRequest>) => void) | null; postMessage(message: unknown, transfer?: Transferable[]): void };

let processor: TtpProcessor | null = null;
let configured: string | null = null;

// A worker's garbage is mostly the XDR it was sent (several MB per batch) and the ledger model
// decoded from it. JSC counts such buffers as "extra memory" and lets them pile up to ~100 MB per
// worker before it collects; a full collection every 32 MB of XDR keeps each worker near 30 MB
// (standalone-p23, 2 workers: peak RSS 415-432 -> 396-400 MB for 3-8% of throughput, with the
// JSC heap sized as package.json's scripts do).
const garbage = new GarbagePacer(32 * 2 ** 20);

function processorFor(config: TtpWorkerConfig): TtpProcessor {
  const key = JSON.stringify(config);
  if (processor === null || configured !== key) {
    processor = new TtpProcessor({
      networkPassphrase: config.networkPassphrase,
      decoder: ledgerDecoder(config.decoder, config.networkPassphrase, { checkHashes: config.checkHashes }),
      mode: config.mode,
      verify: config.verify,
      filter: config.filter ? eventPredicate(config.filter) : null,
    });
    configured = key;
  }
  return processor;
}

/** A result batch for the main thread: its buffers, all moved (this thread is done with them). */
function send(batch: RecordBatch, schema: Schema, transfer: ArrayBuffer[]): readonly WireColumn[] | Uint8Array {
  const packed = packBatch(batch, schema, () => true);
  transfer.push(...packed.transfer);
  return packed.payload;
}

self.onmessage = (event) => {
  const { id, config, rawLedgers } = event.data;
  let response: TtpWorkerResponse;
  try {
    const batch = unpackBatch(rawLedgerSchema, rawLedgers);
    if (!batch) throw new Error("empty raw-ledger batch");
    const result = processorFor(config).process(batch);
    const transfer: ArrayBuffer[] = [];
    const ledgers = send(result.ledgers, ledgerSummarySchema, transfer);
    const events = send(result.events, ttpEventSchema, transfer);
    const failure = result.failure;
    // ProcessorError appends " (ledger N[, location])" to its message: split it back into parts.
    const marker = failure ? ` (ledger ${failure.ledger}` : "";
    const suffix = failure ? failure.message.lastIndexOf(marker) : -1;
    const tail = failure && suffix >= 0 ? failure.message.slice(suffix + marker.length, -1) : "";
    response = {
      id,
      ok: true,
      ledgers,
      events,
      firstLedger: result.firstLedger,
      lastLedger: result.lastLedger,
      stats: result.stats,
      failure: failure
        ? {
            message: suffix >= 0 ? failure.message.slice(0, suffix) : failure.message,
            ledger: failure.ledger,
            location: tail.startsWith(", ") ? tail.slice(2) : null,
          }
        : null,
    };
    self.postMessage(response, transfer);
    garbage.handedOn(xdrBytesOf(batch));
  } catch (error) {
    response = { id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    self.postMessage(response);
  }
};
