// Counts what passes through the in-process pipeline into each component's metrics.
import type { PipelineObserver } from "./run-pipeline.ts";
import type { Component } from "../component/component.ts";

export interface PipelineComponents {
  readonly source: Component;
  readonly processor: Component;
  readonly sink: Component;
}

export function pipelineObserver({ source, processor, sink }: PipelineComponents): PipelineObserver {
  return {
    sourceBatch({ ledgers, lastLedger, xdrBytes }) {
      source.status = "running";
      source.metrics.add("ledgers_processed_total", ledgers);
      source.metrics.add("batches_processed_total", 1);
      source.metrics.add("bytes_read_total", xdrBytes);
      source.metrics.processed(lastLedger, ledgers);
    },
    processed(batch) {
      processor.status = "running";
      const ledgers = batch.ledgers.numRows;
      processor.metrics.add("ledgers_processed_total", ledgers);
      processor.metrics.add("transactions_processed_total", batch.stats.transactions);
      processor.metrics.add("operations_processed_total", batch.stats.operations);
      processor.metrics.add("events_extracted_total", batch.events.numRows);
      processor.metrics.add("events_filtered_total", batch.stats.eventsFiltered);
      if (ledgers > 0) processor.metrics.processed(batch.lastLedger, ledgers, batch.events.numRows);
    },
    committed(batch) {
      sink.status = "running";
      sink.metrics.add("ledgers_processed_total", batch.ledgers.numRows);
      sink.metrics.add("batches_committed_total", 1);
      sink.metrics.add("rows_written_total", batch.ledgers.numRows + batch.events.numRows);
      sink.metrics.add("events_written_total", batch.events.numRows);
      sink.metrics.processed(batch.lastLedger, batch.ledgers.numRows, batch.events.numRows);
    },
    failed(stage, error) {
      if (stage === "source") source.metrics.add("validation_errors_total", 1);
      if (stage === "processor") processor.metrics.add("processing_errors_total", 1);
      if (stage === "sink") sink.metrics.add("write_errors_total", 1);
      ({ source, processor, sink })[stage].fail(error);
    },
  };
}
