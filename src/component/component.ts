// A component as the outside sees it: identity, status, metrics, its flowctl controller, and the
// /health report. The runtime parts (HTTP server, flowctl connection) are attached by the caller.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ServiceType, type ServiceInfoSchema } from "../gen/flowctl/v1/flowctl_pb.ts";
import { DISABLED_FLOWCTL_STATE, type FlowctlState } from "../flowctl/controller.ts";
import { ComponentMetrics, METRIC_NAMESPACE, type CounterSpec } from "./component-metrics.ts";
import type { MetricFamily } from "../metrics/prometheus.ts";
import { buildInfoFamily, processFamilies } from "../metrics/process-metrics.ts";
import { messageOf } from "../common/message-of.ts";

export const STELLAR_FLOW_VERSION = "0.1.0";

/** What a kind of component is: the same for every instance of it. */
export interface ComponentKind {
  /** Default component_id, e.g. "stellar-arrow-source". */
  readonly componentId: string;
  readonly serviceType: ServiceType;
  /**
   * @deprecated The seed's prefix of its Prometheus metrics: metrics now carry the component as
   * labels (component, component_id, type); ignored, kept so that kinds declared elsewhere still compile.
   */
  readonly metricPrefix?: string;
  /** Prefix of its environment variables, e.g. "STELLAR_ARROW_SOURCE_". */
  readonly envPrefix: string;
  /** Default port of its /health and /metrics. */
  readonly defaultPort: number;
  readonly inputEventTypes: readonly string[];
  readonly outputEventTypes: readonly string[];
  readonly counters: readonly CounterSpec[];
}

export type ComponentStatus = "starting" | "running" | "finished" | "stopping" | "failed";

export interface HealthReport {
  readonly status: "healthy" | "unhealthy";
  readonly state: ComponentStatus;
  readonly component: string;
  readonly service_type: string;
  readonly version: string;
  readonly uptime_seconds: number;
  readonly flowctl: {
    readonly enabled: boolean;
    readonly connected: boolean;
    readonly service_id: string | null;
    readonly last_heartbeat: string | null;
    readonly last_error: string | null;
  };
  readonly pipeline: {
    readonly last_ledger: number | null;
    readonly target_ledger: number | null;
    readonly lag_ledgers: number | null;
    readonly seconds_since_last_processed: number;
  };
  readonly error?: string;
}

export class Component {
  readonly metrics: ComponentMetrics;
  status: ComponentStatus = "starting";
  error: string | null = null;
  /** Where its /health and /metrics are served, once they are. */
  baseUrl: string | null = null;
  flowctlState: () => FlowctlState = () => DISABLED_FLOWCTL_STATE;

  constructor(
    readonly kind: ComponentKind,
    readonly componentId: string,
    /** Facts for flowctl: network, backend, batch size, formats... */
    readonly metadata: Record<string, string>,
    now: () => number = Date.now,
  ) {
    this.metrics = new ComponentMetrics(kind.counters, now, { component: kind.componentId, component_id: componentId, type: this.typeName });
  }

  /** "source", "processor", "sink", "pipeline": the `type` label of its metrics. */
  get typeName(): string {
    return ServiceType[this.kind.serviceType]!.toLowerCase();
  }

  get healthy(): boolean {
    return this.status === "starting" || this.status === "running" || this.status === "finished";
  }

  fail(error: unknown): void {
    this.status = "failed";
    this.error = messageOf(error);
  }

  serviceInfo(): MessageInitShape<typeof ServiceInfoSchema> {
    return {
      componentId: this.componentId,
      serviceType: this.kind.serviceType,
      inputEventTypes: [...this.kind.inputEventTypes],
      outputEventTypes: [...this.kind.outputEventTypes],
      healthEndpoint: this.baseUrl ? `${this.baseUrl}/health` : "",
      endpoint: this.baseUrl ?? "",
      metadata: { ...this.metadata },
    };
  }

  /** Heartbeat metrics: the counters and gauges under their bare names. */
  heartbeatMetrics(): Record<string, number> {
    const values = this.metrics.snapshot(this.healthy);
    values.flowctl_connected = this.flowctlState().connected ? 1 : 0;
    return values;
  }

  health(): HealthReport {
    const flowctl = this.flowctlState();
    const snapshot = this.metrics.snapshot(this.healthy);
    return {
      status: this.healthy ? "healthy" : "unhealthy",
      state: this.status,
      component: this.componentId,
      service_type: this.typeName,
      version: STELLAR_FLOW_VERSION,
      uptime_seconds: Math.round(this.metrics.uptimeSeconds * 1000) / 1000,
      flowctl: {
        enabled: flowctl.enabled,
        connected: flowctl.connected,
        service_id: flowctl.serviceId,
        last_heartbeat: flowctl.lastHeartbeat?.toISOString() ?? null,
        last_error: flowctl.lastError,
      },
      pipeline: {
        last_ledger: this.metrics.currentLedger,
        target_ledger: snapshot.target_ledger || null,
        lag_ledgers: this.metrics.lagLedgers,
        seconds_since_last_processed: snapshot.seconds_since_last_processed!,
      },
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Its /metrics: the component's families, build_info and the process_* figures. */
  prometheus(): MetricFamily[] {
    const flowctl = this.flowctlState();
    const gauge = (name: string, help: string, value: number | null): MetricFamily => ({ name: `${METRIC_NAMESPACE}_${name}`, help, type: "gauge", samples: value === null ? [] : [{ value }] });
    return [
      ...this.metrics.families(this.healthy, [
        gauge("flowctl_enabled", "1 when the component reports to flowctl.", flowctl.enabled ? 1 : 0),
        gauge("flowctl_connected", "1 when flowctl accepted the last registration or heartbeat.", flowctl.connected ? 1 : 0),
        gauge("flowctl_last_heartbeat_timestamp_seconds", "When flowctl last accepted a registration or heartbeat, in seconds since the epoch (no sample before).", flowctl.lastHeartbeat ? flowctl.lastHeartbeat.getTime() / 1000 : null),
      ]),
      buildInfoFamily(METRIC_NAMESPACE, STELLAR_FLOW_VERSION, this.metrics.registry.constantLabels),
      ...processFamilies(),
    ];
  }
}
