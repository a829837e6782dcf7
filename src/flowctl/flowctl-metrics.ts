// flowctl's own /metrics: registrations by service type and health, RPCs by method and code, open
// watches, registry changes, build_info and the process_* figures.
import { HealthStatus, ServiceType } from "../gen/flowctl/v1/flowctl_pb.ts";
import type { MetricFamily } from "../metrics/prometheus.ts";
import { buildInfoFamily, processFamilies } from "../metrics/process-metrics.ts";
import { MetricRegistry } from "../metrics/registry.ts";
import { rpcMetrics, type RpcObserver } from "../http/rpc-meter.ts";
import type { StreamSlots } from "../http/stream-slots.ts";
import type { ServiceRegistry } from "./registry.ts";

export const FLOWCTL_METRIC_PREFIX = "flowctl";

const TYPES = [ServiceType.SOURCE, ServiceType.PROCESSOR, ServiceType.SINK, ServiceType.PIPELINE] as const;
const STATUSES = [HealthStatus.HEALTHY, HealthStatus.UNHEALTHY] as const;
const nameOf = (value: string | undefined) => (value ?? "unspecified").toLowerCase();

export interface FlowctlMetrics {
  /** Counts each RPC (mountConnect's observe). */
  readonly observeRpc: RpcObserver;
  /** Every family, for /metrics. */
  families(): MetricFamily[];
}

export function flowctlMetrics(options: { readonly registry: ServiceRegistry; readonly watchers: StreamSlots; readonly version: string; readonly startedAt: number }): FlowctlMetrics {
  const metrics = new MetricRegistry();
  const observeRpc = rpcMetrics(metrics, FLOWCTL_METRIC_PREFIX);
  const changes = metrics.counter(`${FLOWCTL_METRIC_PREFIX}_registry_changes_total`, "Changes to the registry, by kind: registered, updated (a heartbeat or a health change), unregistered, evicted.", ["change"]);
  for (const change of ["registered", "updated", "unregistered", "evicted"]) changes.inc(0, { change });
  options.registry.watch((change) => changes.inc(1, { change: change.kind }));
  options.watchers.counts("watch");
  metrics.collect(() => {
    const counts = new Map<string, number>();
    const key = (type: string, status: string) => `${type}\u0000${status}`;
    for (const type of TYPES) for (const status of STATUSES) counts.set(key(nameOf(ServiceType[type]), nameOf(HealthStatus[status])), 0);
    for (const entry of options.registry.list()) {
      const k = key(nameOf(ServiceType[entry.info.serviceType]), nameOf(HealthStatus[entry.status]));
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [
      {
        name: `${FLOWCTL_METRIC_PREFIX}_services`,
        help: "Registered services, by service type and health (healthy: a heartbeat within the TTL).",
        type: "gauge",
        samples: [...counts].map(([k, value]) => {
          const [service_type, status] = k.split("\u0000") as [string, string];
          return { labels: { service_type, status }, value };
        }),
      },
      { name: `${FLOWCTL_METRIC_PREFIX}_start_time_seconds`, help: "When flowctl started, in seconds since the epoch.", type: "gauge", samples: [{ value: options.startedAt / 1000 }] },
      ...options.watchers.families(`${FLOWCTL_METRIC_PREFIX}_watches`, "WatchServices streams"),
    ];
  });
  return {
    observeRpc,
    families: () => [...metrics.families(), buildInfoFamily(FLOWCTL_METRIC_PREFIX, options.version), ...processFamilies()],
  };
}
