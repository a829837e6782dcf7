// Registry entries as the wire messages of flowctl.v1.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ServiceStatusSchema, type ServiceStatus } from "../gen/flowctl/v1/flowctl_pb.ts";
import type { ServiceEntry } from "./registry.ts";

export function serviceStatusOf(entry: ServiceEntry): ServiceStatus {
  return create(ServiceStatusSchema, {
    service: entry.info,
    status: entry.status,
    registeredAt: timestampFromMs(entry.registeredAt),
    lastHeartbeat: timestampFromMs(entry.lastHeartbeat),
    metrics: { ...entry.metrics },
  });
}
