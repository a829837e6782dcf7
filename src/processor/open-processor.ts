// From the processor flags to a BatchProcessor, as openSource and openSink do for their seams: TTP
// rules in this thread, or in a pool of worker threads reading the source ahead.
import type { LedgerSource } from "../source/ledger-source.ts";
import { eventPredicate, type EventFilterSpec } from "../ttp/event-filter.ts";
import type { TtpMode } from "../ttp/ledger-events.ts";
import type { BatchProcessor } from "./batch-processor.ts";
import { ledgerDecoder, type DecoderName } from "./ledger-decoders.ts";
import { ParallelTtpProcessor } from "./parallel-processor.ts";
import { TtpProcessor } from "./ttp-processor.ts";

export interface ProcessorSpec {
  readonly decoder: DecoderName;
  readonly mode: TtpMode;
  readonly verify: boolean;
  /** Check each ledger's txSetHash and txSetResultHash (see ledger-decoders.ts). */
  readonly checkHashes: boolean;
  readonly filter: EventFilterSpec | null;
  /** 0: in this thread; N: N worker threads. */
  readonly workers: number;
}

export interface OpenedProcessor {
  readonly processor: BatchProcessor;
  /** The source to run it on: `source` itself, or read ahead into the workers. */
  readAhead(source: LedgerSource): LedgerSource;
  /** Stops the worker threads, if any. */
  close(): void;
}

/** A processor of ledgers of `networkPassphrase`; throws FilterError on a bad filter. */
export function openProcessor(networkPassphrase: string, spec: ProcessorSpec): OpenedProcessor {
  if (spec.workers > 0) {
    const parallel = new ParallelTtpProcessor({ networkPassphrase, decoder: spec.decoder, mode: spec.mode, verify: spec.verify, checkHashes: spec.checkHashes, filter: spec.filter, workers: spec.workers });
    return { processor: parallel, readAhead: (source) => parallel.readAhead(source), close: () => parallel.close() };
  }
  const decoder = ledgerDecoder(spec.decoder, networkPassphrase, { checkHashes: spec.checkHashes });
  const processor = new TtpProcessor({ networkPassphrase, decoder, mode: spec.mode, verify: spec.verify, filter: spec.filter ? eventPredicate(spec.filter) : null });
  return { processor, readAhead: (source) => source, close: () => {} };
}
