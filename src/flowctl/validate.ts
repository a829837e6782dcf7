// Request checks of the control plane: a bad field is an InvalidArgument error naming it.
import { Code, ConnectError } from "@connectrpc/connect";
import { ServiceType, type ServiceInfo } from "../gen/flowctl/v1/flowctl_pb.ts";

export const LIMITS = {
  idChars: 128,
  urlChars: 2048,
  eventTypes: 32,
  eventTypeChars: 128,
  metadataKeyChars: 128,
  metadataValueChars: 4096,
  metrics: 256,
  metricNameChars: 128,
  maxInflight: 1_000_000,
} as const;

/** How much metadata one registration may carry (configurable: bun run flowctl --max-metadata-entries, --max-metadata-bytes). */
export interface MetadataLimits {
  readonly maxMetadataEntries: number;
  /** UTF-8 bytes of every key and value together. */
  readonly maxMetadataBytes: number;
}

export const METADATA_DEFAULTS: MetadataLimits = { maxMetadataEntries: 64, maxMetadataBytes: 8 * 1024 };

// C0, DEL and C1 controls, format characters (bidirectional overrides, zero-width characters) and
// line/paragraph separators: they break or disguise what a log line or the dashboard shows
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function invalid(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
}

function checkText(field: string, value: string, max: number, required = false): void {
  if (required && value === "") throw invalid(field, "required");
  if (value.length > max) throw invalid(field, `at most ${max} characters, got ${value.length}`);
  const control = CONTROL.exec(value);
  if (control) throw invalid(field, `control and format characters are not allowed (U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at ${control.index})`);
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
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") throw invalid(field, `must be an http(s) URL, got "${value.slice(0, 100)}"`);
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

export function checkServiceInfo(info: ServiceInfo | undefined, limits: MetadataLimits = METADATA_DEFAULTS): ServiceInfo {
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
  // discovery hands the endpoint to downstream components, which fetch it: only http(s)
  checkUrl("service.endpoint", info.endpoint);
  if (info.maxInflight > LIMITS.maxInflight) throw invalid("service.max_inflight", `at most ${LIMITS.maxInflight}, got ${info.maxInflight}`);
  const metadata = Object.entries(info.metadata);
  if (metadata.length > limits.maxMetadataEntries) throw invalid("service.metadata", `at most ${limits.maxMetadataEntries} entries, got ${metadata.length} (flowctl --max-metadata-entries)`);
  let bytes = 0;
  const encoder = new TextEncoder();
  for (const [key, value] of metadata) {
    checkText("service.metadata key", key, LIMITS.metadataKeyChars, true);
    checkText(`service.metadata["${key}"]`, value, LIMITS.metadataValueChars);
    bytes += encoder.encode(key).byteLength + encoder.encode(value).byteLength;
  }
  if (bytes > limits.maxMetadataBytes) throw invalid("service.metadata", `at most ${limits.maxMetadataBytes} bytes of keys and values, got ${bytes} (flowctl --max-metadata-bytes)`);
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
