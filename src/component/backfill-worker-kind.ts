// A backfill worker as flowctl sees it: a PROCESSOR (it turns ledgers into TTP events) that
// consumes and produces nothing other components stream, registered while it writes a shard, with
// the shard and the dataset in its metadata (see src/cli/backfill-worker.ts).
import { ServiceType } from "../gen/flowctl/v1/flowctl_pb.ts";
import type { ComponentKind } from "./component.ts";

export const BACKFILL_WORKER_KIND: ComponentKind = {
  componentId: "backfill-worker",
  serviceType: ServiceType.PROCESSOR,
  metricPrefix: "backfill_worker",
  envPrefix: "BACKFILL_WORKER_",
  defaultPort: 0,
  // its rows go to a dataset, not to a stream: nothing should discover it as a producer
  inputEventTypes: [],
  outputEventTypes: [],
  counters: [
    { name: "ledgers_processed_total", help: "Ledgers of the shard written." },
    { name: "events_extracted_total", help: "TTP events of the shard written." },
  ],
};
