// Request checks of the control plane: a bad field is an InvalidArgument error naming it.
import { Code, ConnectError } from "@connectrpc/connect";
import { ServiceType, type ServiceInfo } from "../gen/flowctl/v1/flowctl_pb.ts";

export const LIMITS = {
  idChars: 128,
  urlChars: 2048,
  eventTypes: 32,
  eventTypeChars: 128,
  metadataEntries: 64,
  metadataKeyChars: 128,
  metadataValueChars: 4096,
  metrics: 256,
  metricNameChars: 128,
  maxInflight: 1_000_000,
} as const;

const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
}

function checkText(field: string, value: string, max: number, required = false): void {
  if (required && value === "") throw invalid(field, "required");
  if (value.length > max) throw invalid(field, `at most ${max} characters, got ${value.length}`);
  if (CONTROL.test(value)) throw invalid(field, "control characters are not allowed");
}

function checkUrl(field: string, value: string): void {
  checkText(field, value, LIMITS.urlChars);
  if (value === "") return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, `not a URL: "${value.slice(0, 100)}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(field, `must be an http(s) URL, got "${value.slice(0, 100)}"`);
}

export function checkServiceId(field: string, value: string): void {
  checkText(field, value, LIMITS.idChars, true);
}

export function checkServiceType(field: string, value: ServiceType, allowUnspecified: boolean): void {
  if (ServiceType[value] === undefined) throw invalid(field, `unknown service type ${value}`);
  if (!allowUnspecified && value === ServiceType.UNSPECIFIED) throw invalid(field, "required (SOURCE, PROCESSOR, SINK or PIPELINE)");
}

export function checkEventType(field: string, value: string, required: boolean): void {
  checkText(field, value, LIMITS.eventTypeChars, required);
}

export function checkServiceInfo(info: ServiceInfo | undefined): ServiceInfo {
  if (!info) throw invalid("service", "required");
  if (info.serviceId !== "") checkServiceId("service.service_id", info.serviceId);
  checkText("service.component_id", info.componentId, LIMITS.idChars);
  checkServiceType("service.service_type", info.serviceType, false);
  for (const field of ["input_event_types", "output_event_types"] as const) {
    const list = field === "input_event_types" ? info.inputEventTypes : info.outputEventTypes;
    if (list.length > LIMITS.eventTypes) throw invalid(`service.${field}`, `at most ${LIMITS.eventTypes} entries, got ${list.length}`);
    list.forEach((type, i) => checkEventType(`service.${field}[${i}]`, type, true));
  }
  checkUrl("service.health_endpoint", info.healthEndpoint);
  checkText("service.endpoint", info.endpoint, LIMITS.urlChars);
  if (info.maxInflight > LIMITS.maxInflight) throw invalid("service.max_inflight", `at most ${LIMITS.maxInflight}, got ${info.maxInflight}`);
  const metadata = Object.entries(info.metadata);
  if (metadata.length > LIMITS.metadataEntries) throw invalid("service.metadata", `at most ${LIMITS.metadataEntries} entries, got ${metadata.length}`);
  for (const [key, value] of metadata) {
    checkText("service.metadata key", key, LIMITS.metadataKeyChars, true);
    checkText(`service.metadata["${key}"]`, value, LIMITS.metadataValueChars);
  }
  return info;
}

export function checkMetrics(metrics: Readonly<Record<string, number>>): void {
  const entries = Object.entries(metrics);
  if (entries.length > LIMITS.metrics) throw invalid("metrics", `at most ${LIMITS.metrics} entries, got ${entries.length}`);
  for (const [name, value] of entries) {
    checkText("metrics key", name, LIMITS.metricNameChars, true);
    if (!Number.isFinite(value)) throw invalid(`metrics["${name}"]`, `must be a finite number, got ${value}`);
  }
}
