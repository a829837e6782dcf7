// What passes each stage, counted into its component's metrics: the one place the counters move,
// for the in-process pipeline's components and the stage processes alike.
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

export function sourceMeter(component: Component, options: MeterOptions = {}): SourceMeter {
  return {
    batch({ ledgers, lastLedger, xdrBytes }) {
      component.status = "running";
      component.metrics.add("ledgers_processed_total", ledgers);
      component.metrics.add("batches_processed_total", 1);
      component.metrics.add("bytes_read_total", xdrBytes);
      component.metrics.processed(lastLedger, ledgers);
    },
    failed: onFailure(component, "validation_errors_total", options),
  };
}

export function processorMeter(component: Component, options: MeterOptions = {}): ProcessorMeter {
  return {
    processed(batch) {
      component.status = "running";
      const ledgers = batch.ledgers.numRows;
      component.metrics.add("ledgers_processed_total", ledgers);
      component.metrics.add("transactions_processed_total", batch.stats.transactions);
      component.metrics.add("operations_processed_total", batch.stats.operations);
      component.metrics.add("events_extracted_total", batch.events.numRows);
      component.metrics.add("events_filtered_total", batch.stats.eventsFiltered);
      if (ledgers > 0) component.metrics.processed(batch.lastLedger, ledgers, batch.events.numRows);
    },
    failed: onFailure(component, "processing_errors_total", options),
  };
}

export function sinkMeter(component: Component, options: MeterOptions = {}): SinkMeter {
  const writeFailed = onFailure(component, "write_errors_total", options);
  const refused = onFailure(component, null, options);
  return {
    committed(batch) {
      component.status = "running";
      component.metrics.add("ledgers_processed_total", batch.ledgers.numRows);
      component.metrics.add("batches_committed_total", 1);
      component.metrics.add("rows_written_total", batch.ledgers.numRows + batch.events.numRows);
      component.metrics.add("events_written_total", batch.events.numRows);
      component.metrics.processed(batch.lastLedger, batch.ledgers.numRows, batch.events.numRows);
    },
    // a batch the gap rule refused was never written: no write error
    failed: (error) => (error instanceof LedgerGapError ? refused(error) : writeFailed(error)),
  };
}
