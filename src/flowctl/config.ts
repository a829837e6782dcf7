// Which flowctl a component talks to, from (highest first): flags, the component's environment
// (STELLAR_ARROW_SOURCE_ENABLE_FLOWCTL...), the global environment (ENABLE_FLOWCTL...), a YAML file
// (`flowctl: {enabled, endpoint, heartbeat_interval}`), defaults. Pure: the caller reads env and file.
import { parseDuration } from "./duration.ts";
import { messageOf } from "../common/message-of.ts";

export interface FlowctlConfig {
  readonly enabled: boolean;
  /** Base URL, e.g. "http://localhost:8080". */
  readonly endpoint: string;
  readonly heartbeatIntervalMs: number;
  readonly token: string | null;
}

export const FLOWCTL_CONFIG_DEFAULTS: FlowctlConfig = { enabled: false, endpoint: "http://localhost:8080", heartbeatIntervalMs: 10_000, token: null };

export interface FlowctlFlags {
  readonly enabled?: boolean;
  readonly endpoint?: string;
  readonly heartbeatInterval?: string;
}

export interface FlowctlConfigSources {
  readonly flags?: FlowctlFlags;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** e.g. "STELLAR_ARROW_SOURCE_"; the same names without it are the global environment. */
  readonly envPrefix?: string;
  /** The parsed YAML document (its `flowctl` key is read), and where it came from. */
  readonly file?: { readonly path: string; readonly document: unknown } | null;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** "localhost:8080", "http://host:port" or "https://host/path" as a base URL without a trailing slash. */
export function normalizeEndpoint(value: string, where: string): string {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`${where}: "${value}" is not a flowctl endpoint (use host:port or an http(s) URL)`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "" || url.search || url.hash) {
    throw new ConfigError(`${where}: "${value}" is not a flowctl endpoint (use host:port or an http(s) URL)`);
  }
  return url.href.replace(/\/+$/, "");
}

/** true/false, 1/0, yes/no, on/off; anything else is a ConfigError naming `where`. */
export function parseBoolean(value: unknown, where: string): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(text)) return true;
  if (["0", "false", "no", "off"].includes(text)) return false;
  throw new ConfigError(`${where}: "${value}" is not true or false`);
}

function parseInterval(value: unknown, where: string): number {
  let ms: number;
  try {
    ms = parseDuration(String(value));
  } catch (error) {
    throw new ConfigError(`${where}: ${messageOf(error)}`);
  }
  if (!(ms >= 10) || ms > 3_600_000) throw new ConfigError(`${where}: the heartbeat interval must be from 10ms to 1h, got "${value}"`);
  return ms;
}

/** The `flowctl` section of a YAML document, checked. */
function fileSection(file: NonNullable<FlowctlConfigSources["file"]>): Record<string, unknown> {
  const { path, document } = file;
  if (document === null || document === undefined) return {};
  if (typeof document !== "object" || Array.isArray(document)) throw new ConfigError(`${path}: the config file must be a YAML mapping`);
  const section = (document as Record<string, unknown>).flowctl;
  if (section === undefined || section === null) return {};
  if (typeof section !== "object" || Array.isArray(section)) throw new ConfigError(`${path}: "flowctl" must be a mapping of enabled, endpoint, heartbeat_interval`);
  for (const key of Object.keys(section)) {
    if (!["enabled", "endpoint", "heartbeat_interval", "token"].includes(key)) {
      throw new ConfigError(`${path}: unknown key flowctl.${key} (expected enabled, endpoint, heartbeat_interval)`);
    }
  }
  return section as Record<string, unknown>;
}

export function resolveFlowctlConfig(sources: FlowctlConfigSources): FlowctlConfig {
  const env = sources.env ?? {};
  const prefix = sources.envPrefix ?? "";
  const flags = sources.flags ?? {};
  const file = sources.file ? fileSection(sources.file) : {};
  const filePath = sources.file?.path ?? "";

  /** The first source that sets `name`, with where it came from. */
  function pick(flag: unknown, flagName: string, envName: string, fileKey: string): { value: unknown; where: string } | null {
    if (flag !== undefined) return { value: flag, where: flagName };
    for (const name of prefix ? [`${prefix}${envName}`, envName] : [envName]) {
      const value = env[name];
      if (value !== undefined && value.trim() !== "") return { value, where: name };
    }
    if (file[fileKey] !== undefined && file[fileKey] !== null) return { value: file[fileKey], where: `${filePath}: flowctl.${fileKey}` };
    return null;
  }

  const enabled = pick(flags.enabled, "--flowctl", "ENABLE_FLOWCTL", "enabled");
  const endpoint = pick(flags.endpoint, "--flowctl", "FLOWCTL_ENDPOINT", "endpoint");
  const interval = pick(flags.heartbeatInterval, "--flowctl-heartbeat-interval", "FLOWCTL_HEARTBEAT_INTERVAL", "heartbeat_interval");
  const token = pick(undefined, "", "FLOWCTL_TOKEN", "token");
  return {
    enabled: enabled ? parseBoolean(enabled.value, enabled.where) : FLOWCTL_CONFIG_DEFAULTS.enabled,
    endpoint: endpoint ? normalizeEndpoint(String(endpoint.value), endpoint.where) : FLOWCTL_CONFIG_DEFAULTS.endpoint,
    heartbeatIntervalMs: interval ? parseInterval(interval.value, interval.where) : FLOWCTL_CONFIG_DEFAULTS.heartbeatIntervalMs,
    token: token ? String(token.value).trim() : null,
  };
}
