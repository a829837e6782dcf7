// What passes each stage, counted into its component's metrics: the one place the counters move,
// for the in-process pipeline's components and the stage processes alike.
import type { ProcessedBatch, ProcessedStats } from "../arrow/processed-batch.ts";
import { LATENCY_BUCKETS_SECONDS } from "../metrics/registry.ts";
import { LedgerGapError } from "../sink/ledger-continuity.ts";
import type { ProcessorMeter, SinkMeter, SourceMeter } from "../stages/meters.ts";
import type { Component } from "./component.ts";

export interface MeterOptions {
  /**
   * A failure of the stage is the component's (the in-process pipeline: the run stops with it); a
   * stage process serves other streams after one fails, so its component goes on.
   */
  readonly failsComponent?: boolean;
}

function onFailure(component: Component, counter: string | null, options: MeterOptions): (error: unknown) => void {
  return (error) => {
    if (counter) component.metrics.add(counter, 1);
    if (options.failsComponent) component.fail(error);
  };
}

/** The histograms each stage observes; declared when its meter is made, so /metrics shows them from the start. */
export function stageHistograms(component: Component) {
  const registry = component.metrics.registry;
  const histogram = (name: string, help: string) => {
    const made = registry.histogram(name, help, { buckets: LATENCY_BUCKETS_SECONDS });
    made.count(); // the series exists (0 observations) before the first
    return made;
  };
  return {
    fetch: () => histogram("stellarflow_fetch_duration_seconds", "Time to fetch one data-lake object (compressed), from the request to its last byte."),
    decode: () => histogram("stellarflow_decode_duration_seconds", "Time to decode one ledger's LedgerCloseMeta XDR."),
    extract: () => histogram("stellarflow_extract_duration_seconds", "Time to derive one ledger's TTP events from its decoded model."),
    commit: () => histogram("stellarflow_commit_duration_seconds", "Time of one DuckDB write transaction (rows and cursor), from the first append to COMMIT."),
  };
}

export function sourceMeter(component: Component, options: MeterOptions = {}): SourceMeter {
  const fetches = stageHistograms(component).fetch();
  return {
    batch({ ledgers, lastLedger, xdrBytes }) {
      component.status = "running";
      component.metrics.add("ledgers_processed_total", ledgers);
      component.metrics.add("batches_processed_total", 1);
      component.metrics.add("bytes_read_total", xdrBytes);
      component.metrics.processed(lastLedger, ledgers);
    },
    objectFetched({ seconds }) {
      fetches.observe(seconds);
    },
    failed: onFailure(component, "validation_errors_total", options),
  };
}

function addEventsByType(component: Component, counter: string, eventsByType: Readonly<Record<string, number>>): void {
  for (const [eventType, count] of Object.entries(eventsByType)) if (count > 0) component.metrics.add(counter, count, { event_type: eventType });
}

export function processorMeter(component: Component, options: MeterOptions = {}): ProcessorMeter {
  const histograms = stageHistograms(component);
  const decode = histograms.decode();
  const extract = histograms.extract();
  return {
    processed(batch) {
      component.status = "running";
      const ledgers = batch.ledgers.numRows;
      component.metrics.add("ledgers_processed_total", ledgers);
      component.metrics.add("transactions_processed_total", batch.stats.transactions);
      component.metrics.add("operations_processed_total", batch.stats.operations);
      addEventsByType(component, "events_extracted_total", batch.stats.eventsByType);
      component.metrics.add("events_filtered_total", batch.stats.eventsFiltered);
      for (const seconds of batch.stats.decodeSeconds ?? []) decode.observe(seconds);
      for (const seconds of batch.stats.extractSeconds ?? []) extract.observe(seconds);
      if (ledgers > 0) component.metrics.processed(batch.lastLedger, ledgers, batch.events.numRows);
    },
    failed: onFailure(component, "processing_errors_total", options),
  };
}

/** The batch's events by type: from the processor's stats when they came with it (and add up), else counted in its event_type column. */
function eventsByTypeOf(batch: ProcessedBatch & { readonly stats?: ProcessedStats }): Readonly<Record<string, number>> {
  const stated = batch.stats?.eventsByType;
  if (stated && Object.values(stated).reduce((sum, n) => sum + n, 0) === batch.events.numRows) return stated;
  const counts: Record<string, number> = {};
  const column = batch.events.getChild("event_type");
  for (let i = 0; i < batch.events.numRows; i++) {
    const type = column?.get(i) as string | null;
    if (type) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

export function sinkMeter(component: Component, options: MeterOptions = {}): SinkMeter {
  const writeFailed = onFailure(component, "write_errors_total", options);
  const refused = onFailure(component, null, options);
  const commits = stageHistograms(component).commit();
  return {
    committed(batch) {
      component.status = "running";
      component.metrics.add("ledgers_processed_total", batch.ledgers.numRows);
      component.metrics.add("batches_committed_total", 1);
      component.metrics.add("rows_written_total", batch.ledgers.numRows, { table: "ledgers" });
      component.metrics.add("rows_written_total", batch.events.numRows, { table: "ttp_events" });
      addEventsByType(component, "events_written_total", eventsByTypeOf(batch));
      component.metrics.processed(batch.lastLedger, batch.ledgers.numRows, batch.events.numRows);
    },
    transaction({ seconds }) {
      commits.observe(seconds);
    },
    // a batch the gap rule refused was never written: no write error
    failed: (error) => (error instanceof LedgerGapError ? refused(error) : writeFailed(error)),
  };
}
