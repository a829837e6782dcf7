// The pipeline as a whole in flowctl: one PIPELINE registration beside its stages' own, naming them
// in its metadata (component ids, endpoints), with the pipeline's position and throughput (the
// sink's: what is committed is what the pipeline has done) in its heartbeats. It produces and
// consumes no event type, so discovery never hands it out as an upstream. In one process
// (`bun run pipeline`) and for the supervised processes (`--processes`) alike.
import { ServiceType } from "../gen/flowctl/v1/flowctl_pb.ts";
import type { FlowctlConfig } from "../flowctl/config.ts";
import { FlowctlController } from "../flowctl/controller.ts";

export const PIPELINE_COMPONENT_ID = "stellar-flow-pipeline";

export interface PipelineStage {
  /** "source", "processor", "sink". */
  readonly stage: string;
  readonly componentId: string;
  /** Where the stage is served (its /health, /metrics and data endpoint); null: not served. */
  readonly url: string | null;
}

export interface PipelineRegistration {
  readonly flowctl: FlowctlConfig;
  /** "in-process" or "processes". */
  readonly mode: string;
  readonly stages: readonly PipelineStage[];
  /** The pipeline's own /health (the supervisor's); null: none of its own. */
  readonly healthUrl?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Its heartbeat metrics (the seed's names: current_ledger, ledgers_per_second, ...). */
  readonly metrics: () => Record<string, number> | Promise<Record<string, number>>;
  readonly componentId?: string;
  readonly log?: (message: string) => void;
}

/** The stages as metadata: `stages`, then `<stage>.component_id` and `<stage>.endpoint` for each. */
export function stageMetadata(stages: readonly PipelineStage[]): Record<string, string> {
  const metadata: Record<string, string> = { stages: stages.map((s) => s.stage).join(",") };
  for (const stage of stages) {
    metadata[`${stage.stage}.component_id`] = stage.componentId;
    if (stage.url) metadata[`${stage.stage}.endpoint`] = stage.url;
  }
  return metadata;
}

/** Registers the pipeline and heartbeats until stopped (which unregisters it); null when flowctl is off. */
export function registerPipeline(options: PipelineRegistration): FlowctlController | null {
  if (!options.flowctl.enabled) return null;
  const healthUrl = options.healthUrl ?? null;
  const controller = new FlowctlController({
    endpoint: options.flowctl.endpoint,
    heartbeatIntervalMs: options.flowctl.heartbeatIntervalMs,
    token: options.flowctl.token,
    service: {
      componentId: options.componentId ?? PIPELINE_COMPONENT_ID,
      serviceType: ServiceType.PIPELINE,
      endpoint: healthUrl ? new URL(healthUrl).origin : "",
      healthEndpoint: healthUrl ?? "",
      metadata: { mode: options.mode, ...stageMetadata(options.stages), ...options.metadata },
    },
    metrics: options.metrics,
    log: options.log,
  });
  controller.start();
  return controller;
}

const SINK_FIGURES = ["current_ledger", "target_ledger", "lag_ledgers", "ledgers_per_second", "events_per_second", "ledgers_processed_total", "events_written_total"] as const;

/**
 * A pipeline's heartbeat from its sink's figures (position, rates) and how many of its stages are
 * healthy; a figure the sink did not give is left out, never sent as 0.
 */
export function pipelineHeartbeat(sink: Readonly<Record<string, number | null | undefined>>, stagesHealthy: number, stages: number): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const name of SINK_FIGURES) {
    const value = sink[name];
    if (typeof value === "number" && Number.isFinite(value)) figures[name] = value;
  }
  return {
    ...figures,
    stages,
    stages_healthy: stagesHealthy,
    service_status: stagesHealthy === stages ? 1 : 0,
  };
}
