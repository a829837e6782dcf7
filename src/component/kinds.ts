// The three components of the pipeline, with the names, ports and metrics of the originals
// (stellar-arrow-source, ttp-arrow-processor, arrow-analytics-sink). flowctl itself is on 8080.
import { ServiceType } from "../gen/flowctl/v1/flowctl_pb.ts";
import { LEDGER_EVENT_TYPE, TTP_EVENT_TYPE } from "../flowctl/event-types.ts";
import type { ComponentKind } from "./component.ts";

export const SOURCE_KIND: ComponentKind = {
  componentId: "stellar-arrow-source",
  serviceType: ServiceType.SOURCE,
  metricPrefix: "stellar_arrow_source",
  envPrefix: "STELLAR_ARROW_SOURCE_",
  defaultPort: 8088,
  inputEventTypes: [],
  outputEventTypes: [LEDGER_EVENT_TYPE],
  counters: [
    { name: "ledgers_processed_total", help: "Ledgers read and validated." },
    { name: "batches_processed_total", help: "Arrow record batches of raw ledgers handed on." },
    { name: "bytes_read_total", help: "Bytes of LedgerCloseMeta XDR read." },
    { name: "validation_errors_total", help: "Ledgers or objects that failed validation (missing, corrupt, wrong network, broken hash chain)." },
  ],
};

export const PROCESSOR_KIND: ComponentKind = {
  componentId: "ttp-arrow-processor",
  serviceType: ServiceType.PROCESSOR,
  metricPrefix: "ttp_arrow_processor",
  envPrefix: "TTP_ARROW_PROCESSOR_",
  defaultPort: 8089,
  inputEventTypes: [LEDGER_EVENT_TYPE],
  outputEventTypes: [TTP_EVENT_TYPE],
  counters: [
    { name: "ledgers_processed_total", help: "Ledgers turned into TTP events." },
    { name: "transactions_processed_total", help: "Transactions processed (successful and failed)." },
    { name: "operations_processed_total", help: "Operations processed." },
    { name: "events_extracted_total", help: "TTP events extracted and handed on." },
    { name: "events_filtered_total", help: "TTP events dropped by the event filter." },
    { name: "processing_errors_total", help: "Ledgers that could not be processed." },
  ],
};

export const SINK_KIND: ComponentKind = {
  componentId: "arrow-analytics-sink",
  serviceType: ServiceType.SINK,
  metricPrefix: "arrow_analytics_sink",
  envPrefix: "ARROW_ANALYTICS_SINK_",
  defaultPort: 8090,
  inputEventTypes: [TTP_EVENT_TYPE],
  outputEventTypes: [],
  counters: [
    { name: "ledgers_processed_total", help: "Ledgers committed to DuckDB." },
    { name: "batches_committed_total", help: "Write transactions committed." },
    { name: "rows_written_total", help: "Rows committed (ledgers and ttp_events)." },
    { name: "events_written_total", help: "ttp_events rows committed." },
    { name: "files_written_total", help: "Export files written (NDJSON, Parquet)." },
    { name: "bytes_written_total", help: "Bytes of export files written." },
    { name: "write_errors_total", help: "Write transactions that failed and were rolled back." },
  ],
};

export const PIPELINE_KINDS = [SOURCE_KIND, PROCESSOR_KIND, SINK_KIND] as const;
