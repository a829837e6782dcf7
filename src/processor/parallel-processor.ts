// Parallel backfill: raw-ledger batches are decoded and turned into rows by a pool of worker
// threads, several batches in flight at once, and come back in source order.
//
// Use: `const parallel = new ParallelTtpProcessor({...});`
//      `runPipeline({ source: parallel.readAhead(source), processor: parallel, sink, range })`
//      `parallel.close()` when done.
// readAhead() pulls batches from the source ahead of the pipeline (at most `maxInFlight` of them)
// and hands each to a worker at once; process(batch) then waits for that batch's result. The
// pipeline still sees one batch at a time, in order, and commits them in order.
import type { RecordBatch } from "apache-arrow";
import { ledgerSummaryBatch, ledgerSummarySchema } from "../arrow/ledger-summary-batch.ts";
import { ttpEventBatch, ttpEventSchema } from "../arrow/event-batch.ts";
import { packBatch, unpackBatch } from "../arrow/wire-batch.ts";
import type { LedgerBatchesOptions, LedgerRange, LedgerSource } from "../source/ledger-source.ts";
import type { EventFilterSpec } from "../ttp/event-filter.ts";
import type { TtpMode } from "../ttp/ledger-events.ts";
import type { BatchProcessor, ProcessedResult } from "./batch-processor.ts";
import type { DecoderName } from "./ledger-decoders.ts";
import { ProcessorError } from "./ttp-processor.ts";
import type { TtpWorkerConfig, TtpWorkerRequest, TtpWorkerResponse } from "./ttp-worker-protocol.ts";
import { rawLedgerSchema } from "../arrow/ledger-batch.ts";

export interface ParallelTtpProcessorOptions {
  readonly networkPassphrase: string;
  readonly mode: TtpMode;
  readonly workers: number;
  readonly decoder?: DecoderName;
  readonly verify?: boolean;
  /** Check each ledger's txSetHash and txSetResultHash (default true; see ledger-decoders.ts). */
  readonly checkHashes?: boolean;
  readonly filter?: EventFilterSpec | null;
  /** Batches pulled ahead of the pipeline, at most (default: 2 per worker). */
  readonly maxInFlight?: number;
}

interface Task {
  readonly id: number;
  readonly rawLedgers: TtpWorkerRequest["rawLedgers"];
  readonly transfer: ArrayBuffer[];
  readonly resolve: (result: ProcessedResult) => void;
  readonly reject: (error: unknown) => void;
}

const WORKER_URL = new URL("./ttp-worker.ts", import.meta.url).href;

/** Batches sent to one worker at a time: the one it works on and the next. */
const TASKS_PER_WORKER = 2;

/**
 * A raw-ledger batch for the worker, without an IPC copy: its columns' buffers. The XDR bytes
 * (nearly all of it) are transferred when `handOver` gives the batch away (its XDR column is
 * unreadable afterwards), otherwise cloned.
 */
function wireBatch(batch: RecordBatch, handOver: boolean): { rawLedgers: TtpWorkerRequest["rawLedgers"]; transfer: ArrayBuffer[] } {
  const { payload, transfer } = packBatch(batch, rawLedgerSchema, (column) => handOver && column === "xdr");
  return { rawLedgers: payload, transfer };
}

function resultOf(response: Extract<TtpWorkerResponse, { ok: true }>): ProcessedResult {
  const failure = response.failure;
  return {
    ledgers: unpackBatch(ledgerSummarySchema, response.ledgers) ?? ledgerSummaryBatch([]),
    events: unpackBatch(ttpEventSchema, response.events) ?? ttpEventBatch([]),
    firstLedger: response.firstLedger,
    lastLedger: response.lastLedger,
    stats: response.stats,
    failure: failure ? new ProcessorError(failure.message, failure.ledger, failure.location) : null,
  };
}

export class ParallelTtpProcessor implements BatchProcessor {
  readonly #config: TtpWorkerConfig;
  readonly #maxInFlight: number;
  readonly #workers: Worker[] = [];
  readonly #queued: Task[] = [];
  /** Tasks sent to each worker, oldest first: a worker answers in the order it was sent them. */
  readonly #running = new Map<Worker, Task[]>();
  readonly #submitted = new WeakMap<RecordBatch, Promise<ProcessedResult>>();
  #nextId = 0;
  #broken: Error | null = null;

  constructor(options: ParallelTtpProcessorOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error(`workers must be a positive integer, got ${options.workers}`);
    this.#config = {
      networkPassphrase: options.networkPassphrase,
      decoder: options.decoder ?? "fast",
      mode: options.mode,
      verify: options.verify ?? false,
      checkHashes: options.checkHashes ?? true,
      filter: options.filter ?? null,
    };
    this.#maxInFlight = options.maxInFlight ?? options.workers * 2;
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(WORKER_URL);
      worker.onmessage = (event: MessageEvent<TtpWorkerResponse>) => this.#finished(worker, event.data);
      worker.onerror = (event) => this.#crashed(worker, event);
      this.#workers.push(worker);
      this.#running.set(worker, []);
    }
  }

  /** The result of a batch: the one already submitted by readAhead(), else submitted now. */
  process(batch: RecordBatch): Promise<ProcessedResult> {
    return this.#submitted.get(batch) ?? this.#submit(batch);
  }

  /** A source that yields `source`'s batches while keeping up to `maxInFlight` of them in the workers. */
  readAhead(source: LedgerSource): LedgerSource {
    return {
      description: source.description,
      networkPassphrase: source.networkPassphrase,
      ...(source.latestLedger ? { latestLedger: source.latestLedger.bind(source) } : {}),
      batches: (range: LedgerRange, options?: LedgerBatchesOptions) => this.#readAhead(source, range, options),
    };
  }

  /** Stops the worker threads; batches still in flight are rejected. */
  close(): void {
    this.#broken ??= new Error("the parallel processor is closed");
    for (const worker of this.#workers) worker.terminate();
    for (const task of [...this.#queued, ...[...this.#running.values()].flat()]) task.reject(this.#broken);
    this.#queued.length = 0;
    for (const tasks of this.#running.values()) tasks.length = 0;
  }

  async *#readAhead(source: LedgerSource, range: LedgerRange, options?: LedgerBatchesOptions): AsyncGenerator<RecordBatch> {
    type Item = { batch: RecordBatch } | { error: unknown } | { done: true };
    const ready: Item[] = [];
    const wake: { consumer: (() => void) | null; producer: (() => void) | null } = { consumer: null, producer: null };
    const wakeUp = (side: "consumer" | "producer") => {
      const resolve = wake[side];
      wake[side] = null;
      resolve?.();
    };
    let stopped = false;
    const push = (item: Item) => {
      ready.push(item);
      wakeUp("consumer");
    };
    const pump = (async () => {
      try {
        for await (const batch of source.batches(range, options)) {
          if (stopped) return;
          const result = this.#submit(batch, true); // the pipeline reads no XDR of a batch it got from here
          result.catch(() => {}); // a batch abandoned after a failure must not raise an unhandled rejection
          this.#submitted.set(batch, result);
          push({ batch });
          while (ready.length >= this.#maxInFlight && !stopped) await new Promise<void>((resolve) => (wake.producer = resolve));
          if (stopped) return;
        }
        push({ done: true });
      } catch (error) {
        push({ error });
      }
    })();
    try {
      for (;;) {
        while (ready.length === 0) await new Promise<void>((resolve) => (wake.consumer = resolve));
        const item = ready.shift()!;
        wakeUp("producer");
        if ("done" in item) return;
        if ("error" in item) throw item.error;
        yield item.batch;
      }
    } finally {
      stopped = true;
      wakeUp("producer");
      await pump;
    }
  }

  #submit(batch: RecordBatch, handOver = false): Promise<ProcessedResult> {
    if (this.#broken) return Promise.reject(this.#broken);
    const { rawLedgers, transfer } = wireBatch(batch, handOver);
    return new Promise<ProcessedResult>((resolve, reject) => {
      this.#queued.push({ id: this.#nextId++, rawLedgers, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Sends queued tasks to the least busy workers, up to TASKS_PER_WORKER each: a worker that has its
   * next batch waiting in its own queue starts on it at once, instead of idling until this thread
   * gets round to handling its result and sending another.
   */
  #dispatch(): void {
    while (this.#queued.length > 0) {
      let worker: Worker | null = null;
      for (const candidate of this.#workers) {
        const load = this.#running.get(candidate)!.length;
        if (load < TASKS_PER_WORKER && (worker === null || load < this.#running.get(worker)!.length)) worker = candidate;
      }
      if (worker === null) return;
      const task = this.#queued.shift()!;
      this.#running.get(worker)!.push(task);
      const request: TtpWorkerRequest = { id: task.id, config: this.#config, rawLedgers: task.rawLedgers };
      worker.postMessage(request, task.transfer);
    }
  }

  #finished(worker: Worker, response: TtpWorkerResponse): void {
    const task = this.#running.get(worker)?.shift();
    this.#dispatch();
    if (!task || task.id !== response.id) return;
    if (response.ok) task.resolve(resultOf(response));
    else task.reject(new Error(`TTP worker failed: ${response.error}`));
  }

  #crashed(worker: Worker, event: Event): void {
    const message = (event as ErrorEvent).message ?? "unknown error";
    this.#broken = new Error(`a TTP worker thread crashed: ${message}`);
    this.close(); // rejects this worker's tasks with the others
  }
}
