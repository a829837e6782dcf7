// Components and their health, live from flowctl's WatchServices (through the server's proxy).
import { createClient, type Transport } from "@connectrpc/connect";
import { ChangeType, ControlPlaneService, HealthStatus, ServiceType, type ServiceStatus } from "../gen/flowctl/v1/flowctl_pb.ts";
import { byId, cell, row } from "./dom.ts";
import { messageOf } from "../common/message-of.ts";

export type MetricsListener = (service: ServiceStatus) => void;

export function startComponentsPanel(transport: Transport, onMetrics: MetricsListener): void {
  const client = createClient(ControlPlaneService, transport);
  const services = new Map<string, ServiceStatus>();
  const body = byId<HTMLTableElement>("components").tBodies[0]!;
  const note = byId("components-note");
  const render = () => {
    const sorted = [...services.values()].sort((a, b) => (a.service?.serviceType ?? 0) - (b.service?.serviceType ?? 0));
    body.replaceChildren(
      ...sorted.map((s) => {
        const health = HealthStatus[s.status]?.toLowerCase() ?? "unknown";
        const last = s.lastHeartbeat ? new Date(Number(s.lastHeartbeat.seconds) * 1000).toLocaleTimeString() : "";
        const tr = row(
          cell(s.service?.componentId ?? s.service?.serviceId ?? "?"),
          cell(ServiceType[s.service?.serviceType ?? 0]?.toLowerCase() ?? ""),
          cell(health, `health-${health}`),
          cell(String(s.metrics["current_ledger"] ?? ""), "num"),
          cell((s.metrics["ledgers_per_second"] ?? 0).toFixed(1), "num"),
          cell((s.metrics["events_per_second"] ?? 0).toFixed(1), "num"),
          cell(last),
        );
        tr.dataset["health"] = health;
        return tr;
      }),
    );
    note.textContent = `${sorted.filter((s) => s.status === HealthStatus.HEALTHY).length} of ${sorted.length} healthy`;
  };
  const watch = async () => {
    for (;;) {
      try {
        for await (const change of client.watchServices({})) {
          if (change.change === ChangeType.SNAPSHOT) {
            services.clear();
            for (const s of change.services) services.set(s.service!.serviceId, s);
          } else if (change.service?.service) {
            const id = change.service.service.serviceId;
            if (change.change === ChangeType.UNREGISTERED || change.change === ChangeType.EVICTED) services.delete(id);
            else services.set(id, change.service);
            onMetrics(change.service);
          }
          render();
        }
      } catch (error) {
        note.textContent = `flowctl: ${messageOf(error)}; retrying`;
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  void watch();
}
