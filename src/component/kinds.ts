// The three components of the pipeline, with the names, ports and heartbeat metrics of the originals
// (stellar-arrow-source, ttp-arrow-processor, arrow-analytics-sink). flowctl itself is on 8080.
// In Prometheus, one family per meaning: `stellarflow_ledgers_processed_total{component=...}` for
// all three, the component in the labels (README: the table from the seed's names to these).
import { ServiceType } from "../gen/flowctl/v1/flowctl_pb.ts";
import { LEDGER_EVENT_TYPE, TTP_EVENT_TYPE } from "../flowctl/event-types.ts";
import { TTP_EVENT_TYPES } from "../ttp/event.ts";
import type { CounterSpec } from "./component-metrics.ts";
import type { ComponentKind } from "./component.ts";

const LEDGERS_HELP = "Ledgers the component finished: read and validated (source), turned into events (processor), committed (sink).";
const ERRORS_HELP = "Failures of the component's stage, by kind: validation (source), processing (processor), write (sink).";
const EVENTS_HELP = "TTP events by type: extracted and handed on (processor), committed to ttp_events (sink).";
const BY_EVENT_TYPE = { event_type: TTP_EVENT_TYPES };

const ledgers = (help: string): CounterSpec => ({ name: "ledgers_processed_total", help, metricHelp: LEDGERS_HELP });
const errors = (kind: string, help: string): CounterSpec => ({ name: `${kind}_errors_total`, help, metric: "stellarflow_errors_total", metricHelp: ERRORS_HELP, labels: { kind } });

export const SOURCE_KIND: ComponentKind = {
  componentId: "stellar-arrow-source",
  serviceType: ServiceType.SOURCE,
  envPrefix: "STELLAR_ARROW_SOURCE_",
  defaultPort: 8088,
  inputEventTypes: [],
  outputEventTypes: [LEDGER_EVENT_TYPE],
  counters: [
    ledgers("Ledgers read and validated."),
    { name: "batches_processed_total", help: "Arrow record batches of raw ledgers handed on." },
    { name: "bytes_read_total", help: "Bytes of LedgerCloseMeta XDR read (decompressed).", metric: "stellarflow_read_bytes_total" },
    errors("validation", "Ledgers or objects that failed validation (missing, corrupt, wrong network, broken hash chain)."),
  ],
};

export const PROCESSOR_KIND: ComponentKind = {
  componentId: "ttp-arrow-processor",
  serviceType: ServiceType.PROCESSOR,
  envPrefix: "TTP_ARROW_PROCESSOR_",
  defaultPort: 8089,
  inputEventTypes: [LEDGER_EVENT_TYPE],
  outputEventTypes: [TTP_EVENT_TYPE],
  counters: [
    ledgers("Ledgers turned into TTP events."),
    { name: "transactions_processed_total", help: "Transactions processed (successful and failed)." },
    { name: "operations_processed_total", help: "Operations processed." },
    { name: "events_extracted_total", help: "TTP events extracted and handed on.", metric: "stellarflow_events_total", metricHelp: EVENTS_HELP, labelValues: BY_EVENT_TYPE },
    { name: "events_filtered_total", help: "TTP events dropped by the event filter." },
    errors("processing", "Ledgers that could not be processed."),
  ],
};

export const SINK_KIND: ComponentKind = {
  componentId: "arrow-analytics-sink",
  serviceType: ServiceType.SINK,
  envPrefix: "ARROW_ANALYTICS_SINK_",
  defaultPort: 8090,
  inputEventTypes: [TTP_EVENT_TYPE],
  outputEventTypes: [],
  counters: [
    ledgers("Ledgers committed to DuckDB."),
    { name: "batches_committed_total", help: "Processed batches committed (a transaction holds one or more)." },
    { name: "rows_written_total", help: "Rows committed, by table (ledgers, ttp_events).", labelValues: { table: ["ledgers", "ttp_events"] } },
    { name: "events_written_total", help: "ttp_events rows committed.", metric: "stellarflow_events_total", metricHelp: EVENTS_HELP, labelValues: BY_EVENT_TYPE },
    { name: "files_written_total", help: "Export files written (NDJSON, Parquet).", metric: "stellarflow_export_files_total" },
    { name: "bytes_written_total", help: "Bytes of export files written.", metric: "stellarflow_export_bytes_total" },
    errors("write", "Write transactions that failed and were rolled back."),
  ],
};

export const PIPELINE_KINDS = [SOURCE_KIND, PROCESSOR_KIND, SINK_KIND] as const;
