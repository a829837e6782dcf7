// What the three stage commands share: usage errors, flowctl settings, the component, signals.
import { readYamlConfig } from "../flowctl/config-file.ts";
import { ConfigError, resolveFlowctlConfig, type FlowctlConfig, type FlowctlFlags } from "../flowctl/config.ts";
import { LEDGER_EVENT_TYPE, TTP_EVENT_TYPE } from "../flowctl/event-types.ts";
import { Component, type ComponentKind } from "../component/component.ts";
import { serveComponent, type ComponentServer, type ServeComponentOptions } from "../component/serve-component.ts";
import { PROCESSOR_KIND, SINK_KIND, SOURCE_KIND } from "../component/kinds.ts";
import { apiTokenFromEnv } from "../http/api-token.ts";
import { serverLimitsFromEnv, type ServerLimits } from "../http/server-limits.ts";
import { DiscoveredUpstream, fixedUpstream, type Upstream } from "../stages/http/upstream.ts";
import { PIPELINE_HELP } from "./pipeline-args.ts";
import { parseFlags } from "./command.ts";
import { parseStageArgs, stageHelp, type StageArgs, type StageName } from "./stage-args.ts";
import { stopOnSignals } from "./interrupts.ts";

export const KIND_OF: Record<StageName, ComponentKind> = { source: SOURCE_KIND, processor: PROCESSOR_KIND, sink: SINK_KIND };

export interface StageSetup {
  readonly args: StageArgs;
  readonly flowctl: FlowctlConfig;
  readonly component: Component;
  readonly port: number;
  /** STELLAR_FLOW_API_TOKEN: the stage's server wants it, and its upstream stream is asked with it. */
  readonly token: string | null;
  readonly limits: ServerLimits;
  readonly abort: AbortController;
  readonly log: (message: string) => void;
}

/** Parses and resolves; a number is the exit code (help printed, or a usage/config error). */
export async function setUpStage(stage: StageName, argv: readonly string[], metadata: Record<string, string> = {}): Promise<StageSetup | number> {
  const parsed = parseFlags(() => {
    const stageArgs = parseStageArgs(stage, argv);
    return { stageArgs, help: stageArgs.pipeline.help };
  }, stageHelp(stage, PIPELINE_HELP));
  if (typeof parsed === "number") return parsed;
  const args: StageArgs = parsed.stageArgs;
  const kind = KIND_OF[stage];
  const mode = args.pipeline.flowctl;
  const flags: FlowctlFlags = {
    heartbeatInterval: args.pipeline.flowctlHeartbeatInterval,
    ...(mode.kind === "off" ? { enabled: false } : {}),
    ...(mode.kind === "url" ? { enabled: true, endpoint: mode.endpoint } : {}),
  };
  let flowctl: FlowctlConfig;
  let port: number;
  let limits: ServerLimits;
  try {
    limits = serverLimitsFromEnv(process.env);
    flowctl = resolveFlowctlConfig({ flags, env: process.env, envPrefix: kind.envPrefix, file: args.pipeline.config ? await readYamlConfig(args.pipeline.config) : null });
    const envPort = process.env[`${kind.envPrefix}HEALTH_PORT`]?.trim();
    if (envPort && (!/^\d+$/.test(envPort) || Number(envPort) > 65535)) throw new ConfigError(`${kind.envPrefix}HEALTH_PORT must be a port from 0 to 65535, got "${envPort}"`);
    port = args.port ?? (envPort ? Number(envPort) : kind.defaultPort);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const id = process.env[`${kind.envPrefix}COMPONENT_ID`]?.trim() || kind.componentId;
  const component = new Component(kind, id, metadata);
  const abort = new AbortController();
  stopOnSignals(abort, { forcedNote: `this ${stage} stops without finishing what it was doing`, log: (message) => console.error(message) });
  return { args, flowctl, component, port, token: apiTokenFromEnv(process.env), limits, abort, log: (message) => console.error(message) };
}

/** The upstream of a processor (stellar.ledger.v1) or sink (stellar.ttp_event.v1): --upstream, else flowctl; null: neither. */
export function upstreamOf(setup: StageSetup): Upstream | null {
  if (setup.args.upstream) return fixedUpstream(setup.args.upstream, setup.token);
  if (!setup.flowctl.enabled) return null;
  return new DiscoveredUpstream({
    flowctl: setup.flowctl.endpoint,
    eventType: setup.args.stage === "processor" ? LEDGER_EVENT_TYPE : TTP_EVENT_TYPE,
    token: setup.flowctl.token,
    streamToken: setup.token,
    log: setup.log,
  });
}

/** Resolves when the abort signal fires. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}

/** Serves the stage's component on its --host and --port with its token, limits and flowctl settings. */
export function serveStage(setup: StageSetup, options: Pick<ServeComponentOptions, "dataPath" | "healthExtra" | "routes" | "websocket">): ComponentServer {
  return serveComponent(setup.component, { host: setup.args.host, port: setup.port, flowctl: setup.flowctl, token: setup.token, limits: setup.limits, log: setup.log, ...options });
}
