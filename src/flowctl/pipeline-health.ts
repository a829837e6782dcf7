// GetPipelineHealth (pure): per stage, how many services are alive, where they are and how fast.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  GetPipelineHealthResponseSchema,
  HealthStatus,
  ServiceType,
  StageHealthSchema,
  type GetPipelineHealthResponse,
  type StageHealth,
} from "../gen/flowctl/v1/flowctl_pb.ts";
import type { ServiceEntry } from "./registry.ts";

const STAGES = [ServiceType.SOURCE, ServiceType.PROCESSOR, ServiceType.SINK, ServiceType.PIPELINE] as const;

/** Metric names components report and this summary reads. */
export const CURRENT_LEDGER_METRIC = "current_ledger";
export const LEDGERS_PER_SECOND_METRIC = "ledgers_per_second";
export const EVENTS_PER_SECOND_METRIC = "events_per_second";

const metric = (entry: ServiceEntry, name: string) => {
  const value = entry.metrics[name];
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
};

/** Endpoints of the healthy producers of what the stage's services consume, sorted. */
function upstreamEndpoints(members: readonly ServiceEntry[], entries: readonly ServiceEntry[]): string[] {
  const consumed = new Set(members.flatMap((entry) => entry.info.inputEventTypes));
  const producers = entries.filter(
    (entry) => entry.status === HealthStatus.HEALTHY && entry.info.endpoint !== "" && entry.info.outputEventTypes.some((type) => consumed.has(type)),
  );
  return [...new Set(producers.map((entry) => entry.info.endpoint))].sort();
}

function statusOf(services: number, healthy: number): HealthStatus {
  if (services === 0) return HealthStatus.UNKNOWN;
  if (healthy === services) return HealthStatus.HEALTHY;
  return healthy === 0 ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED;
}

/**
 * Source, processor and sink are always listed (UNKNOWN when nothing of the stage is registered),
 * PIPELINE only when something registered as one. Lag is counted from the furthest stage.
 */
export function pipelineHealth(entries: readonly ServiceEntry[]): GetPipelineHealthResponse {
  const stages: StageHealth[] = [];
  for (const stage of STAGES) {
    const members = entries.filter((entry) => entry.info.serviceType === stage);
    if (members.length === 0 && stage === ServiceType.PIPELINE) continue;
    const healthy = members.filter((entry) => entry.status === HealthStatus.HEALTHY);
    const lastHeartbeat = Math.max(0, ...members.map((entry) => entry.lastHeartbeat));
    stages.push(
      create(StageHealthSchema, {
        stage,
        status: statusOf(members.length, healthy.length),
        services: members.length,
        healthyServices: healthy.length,
        currentLedger: BigInt(Math.max(0, ...members.map((entry) => Math.trunc(metric(entry, CURRENT_LEDGER_METRIC))))),
        ledgersPerSecond: healthy.reduce((sum, entry) => sum + metric(entry, LEDGERS_PER_SECOND_METRIC), 0),
        eventsPerSecond: healthy.reduce((sum, entry) => sum + metric(entry, EVENTS_PER_SECOND_METRIC), 0),
        lastHeartbeat: lastHeartbeat > 0 ? timestampFromMs(lastHeartbeat) : undefined,
        upstreamEndpoints: upstreamEndpoints(members, entries),
      }),
    );
  }
  const furthest = stages.reduce((max, stage) => (stage.currentLedger > max ? stage.currentLedger : max), 0n);
  for (const stage of stages) if (stage.currentLedger > 0n) stage.lagLedgers = furthest - stage.currentLedger;

  const present = stages.filter((stage) => stage.services > 0);
  let status = HealthStatus.UNKNOWN;
  if (present.length > 0) {
    if (present.every((stage) => stage.status === HealthStatus.HEALTHY)) status = HealthStatus.HEALTHY;
    else if (present.every((stage) => stage.status === HealthStatus.UNHEALTHY)) status = HealthStatus.UNHEALTHY;
    else status = HealthStatus.DEGRADED;
  }
  return create(GetPipelineHealthResponseSchema, { status, stages });
}
