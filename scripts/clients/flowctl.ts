// scripts/clients/flowctl.ts: what is registered with flowctl, and the pipeline's health per stage
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ControlPlaneService, HealthStatus, ServiceType } from "../../src/gen/flowctl/v1/flowctl_pb.ts";

const token = process.env.FLOWCTL_TOKEN;
const transport = createConnectTransport({
  baseUrl: process.env.FLOWCTL_URL ?? "http://127.0.0.1:8080",
  interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
});
const flowctl = createClient(ControlPlaneService, transport);
// filters take enum values: ServiceType.SINK, or UNSPECIFIED for every type
for (const { service, status, metrics } of (await flowctl.listServices({ serviceType: ServiceType.UNSPECIFIED })).services) {
  console.log(service?.componentId, ServiceType[service?.serviceType ?? 0], HealthStatus[status], `ledger ${metrics["current_ledger"] ?? "-"}`);
}
const health = await flowctl.getPipelineHealth({});
for (const stage of health.stages) console.log(`${ServiceType[stage.stage]}: ${HealthStatus[stage.status]}, ledger ${stage.currentLedger}, ${stage.ledgersPerSecond.toFixed(1)} ledgers/s`);
