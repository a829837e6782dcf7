// The outside of the in-process pipeline: each of its three components serves /health and /metrics
// on its own port and reports to flowctl (an external one, or one embedded in this process).
import type { WebSocketHandler } from "bun";
import type { Hono } from "hono";
import type { MetricRegistry } from "../metrics/registry.ts";
import { resolveFlowctlConfig, type FlowctlConfig, type FlowctlConfigSources, type FlowctlFlags, ConfigError } from "../flowctl/config.ts";
import { FLOWCTL_DEFAULTS, startFlowctlServer, type FlowctlServer } from "../flowctl/serve-flowctl.ts";
import { apiTokenFromEnv } from "../http/api-token.ts";
import { serverLimitsFromEnv } from "../http/server-limits.ts";
import { Component, type ComponentKind } from "../component/component.ts";
import { PROCESSOR_KIND, SINK_KIND, SOURCE_KIND } from "../component/kinds.ts";
import { processorMeter, sinkMeter, sourceMeter } from "../component/stage-meters.ts";
import type { PipelineObserver } from "./run-pipeline.ts";
import { serveComponent, type ComponentServer } from "../component/serve-component.ts";
import { pipelineHeartbeat, registerPipeline } from "./pipeline-registration.ts";

/** `--flowctl`: off, embedded (a flowctl in this process), a URL, or unset (environment and file decide). */
export type FlowctlMode = { readonly kind: "default" } | { readonly kind: "off" } | { readonly kind: "embedded" } | { readonly kind: "url"; readonly endpoint: string };

export interface PipelineServicesOptions {
  readonly flowctl: FlowctlMode;
  readonly heartbeatInterval?: string;
  readonly configFile: FlowctlConfigSources["file"];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly healthHost: string;
  /** Ports of source, processor and sink (0: any free port); null: no HTTP servers. Unset: env or defaults. */
  readonly healthPorts: readonly [number, number, number] | null | undefined;
  readonly metadata: { readonly source: Record<string, string>; readonly processor: Record<string, string>; readonly sink: Record<string, string> };
  /** Last ledger of the run, for lag. */
  readonly targetLedger: number;
  readonly log: (message: string) => void;
  /** Routes the sink component serves besides /health and /metrics (its client services). */
  readonly sinkRoutes?: { readonly mount: (app: Hono, metrics: MetricRegistry) => void; readonly websocket?: WebSocketHandler<any> };
}

export interface PipelineComponents {
  readonly source: Component;
  readonly processor: Component;
  readonly sink: Component;
}

export interface PipelineServices extends PipelineComponents {
  readonly observer: PipelineObserver;
  /** The embedded flowctl's URL, when there is one. */
  readonly embeddedFlowctl: string | null;
  /** The flowctl the components report to (embedded or not); null: flowctl is off. */
  readonly flowctlEndpoint: string | null;
  /** The token the components present to it. */
  readonly flowctlToken: string | null;
  /** Marks every component finished (or failed), unregisters them and closes the servers. */
  stop(): Promise<void>;
}

/** The port from <PREFIX>HEALTH_PORT, or null when it is not set. */
function portFromEnv(kind: ComponentKind, env: PipelineServicesOptions["env"]): number | null {
  const name = `${kind.envPrefix}HEALTH_PORT`;
  const value = env[name];
  if (value === undefined || value.trim() === "") return null;
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535) throw new ConfigError(`${name} must be a port from 0 to 65535, got "${value}"`);
  return Number(value);
}

/** Resolves every component's configuration first, so that a bad value stops startup before anything runs. */
export async function startPipelineServices(options: PipelineServicesOptions): Promise<PipelineServices> {
  const { env } = options;
  const flags: FlowctlFlags = {
    heartbeatInterval: options.heartbeatInterval,
    ...(options.flowctl.kind === "off" ? { enabled: false } : {}),
    ...(options.flowctl.kind === "embedded" ? { enabled: true } : {}),
    ...(options.flowctl.kind === "url" ? { enabled: true, endpoint: options.flowctl.endpoint } : {}),
  };
  // the servers' token and limits (a bad value stops startup, as a ConfigError)
  const token = apiTokenFromEnv(env);
  const limits = serverLimitsFromEnv(env);
  const kinds = [SOURCE_KIND, PROCESSOR_KIND, SINK_KIND] as const;
  const configs = kinds.map((kind) => resolveFlowctlConfig({ flags, env, envPrefix: kind.envPrefix, file: options.configFile }));
  // the pipeline's own registration: the settings without a component's prefix
  const pipelineConfig = resolveFlowctlConfig({ flags, env, file: options.configFile });
  // ports asked for by flag or environment (null: none, the default applies); null as a whole: no servers
  const asked = options.healthPorts === null ? null : kinds.map((kind, i) => options.healthPorts?.[i] ?? portFromEnv(kind, env));
  const ids = kinds.map((kind) => env[`${kind.envPrefix}COMPONENT_ID`]?.trim() || kind.componentId);

  let embedded: FlowctlServer | null = null;
  if (options.flowctl.kind === "embedded") {
    const listen = new URL(resolveFlowctlConfig({ flags: {}, env, file: options.configFile }).endpoint);
    embedded = startFlowctlServer({
      ...FLOWCTL_DEFAULTS,
      host: listen.hostname === "localhost" ? "127.0.0.1" : listen.hostname.replace(/^\[|\]$/g, ""),
      port: listen.port === "" ? FLOWCTL_DEFAULTS.port : Number(listen.port),
      dbPath: null,
      token: configs[0]!.token,
      openReads: true,
      corsOrigins: [],
    });
    options.log(`flowctl: embedded control plane at ${embedded.url}`);
  }
  const effective = (config: FlowctlConfig): FlowctlConfig => (embedded ? { ...config, enabled: true, endpoint: embedded.url } : config);

  const metadata = [options.metadata.source, options.metadata.processor, options.metadata.sink];
  const components = kinds.map((kind, i) => new Component(kind, ids[i]!, { ...metadata[i] }));
  const runtimes: ComponentServer[] = [];
  try {
    for (const [i, component] of components.entries()) {
      component.metrics.setTarget(options.targetLedger);
      // the processor's source is the source component's endpoint
      if (i === 1 && components[0]!.baseUrl) component.metadata.source_endpoint = components[0]!.baseUrl;
      const port = asked === null ? null : asked[i] ?? component.kind.defaultPort;
      const portIsDefault = asked !== null && asked[i] === null;
      const sinkRoutes = i === 2 && options.sinkRoutes ? { routes: options.sinkRoutes.mount, websocket: options.sinkRoutes.websocket } : {};
      runtimes.push(serveComponent(component, { host: options.healthHost, port, portIsDefault, flowctl: effective(configs[i]!), token, limits, log: options.log, ...sinkRoutes }));
    }
  } catch (error) {
    await Promise.all(runtimes.map((r) => r.stop()));
    await embedded?.stop();
    throw error;
  }
  const [source, processor, sink] = components as [Component, Component, Component];
  const served = components.filter((c) => c.baseUrl).map((c) => `${c.componentId} ${c.baseUrl}/health`);
  if (served.length > 0) options.log(`health: ${served.join(", ")}`);
  // the pipeline as a whole, beside its three components
  const pipeline = registerPipeline({
    flowctl: effective(pipelineConfig),
    mode: "in-process",
    stages: components.map((c) => ({ stage: c.typeName, componentId: c.componentId, url: c.baseUrl })),
    metadata: { ...(Number.isFinite(options.targetLedger) && options.targetLedger > 0 ? { end_ledger: String(options.targetLedger) } : {}) },
    metrics: () => pipelineHeartbeat(sink.heartbeatMetrics(), components.filter((c) => c.healthy).length, components.length),
    log: options.log,
  });

  return {
    source,
    processor,
    sink,
    // a stage's failure stops the run: its component is failed with it
    observer: { source: sourceMeter(source, { failsComponent: true }), processor: processorMeter(processor, { failsComponent: true }), sink: sinkMeter(sink, { failsComponent: true }) },
    embeddedFlowctl: embedded?.url ?? null,
    flowctlEndpoint: effective(configs[2]!).enabled ? effective(configs[2]!).endpoint : null,
    flowctlToken: configs[2]!.token,
    async stop() {
      for (const component of components) if (component.status !== "failed") component.status = "finished";
      await Promise.all([pipeline?.stop(), ...runtimes.map((runtime) => runtime.stop())]);
      await embedded?.stop();
    },
  };
}
