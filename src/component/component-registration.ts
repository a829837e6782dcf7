// A component's registration with flowctl, shared by the in-process pipeline's components and the
// stage processes: the controller started when flowctl is enabled, its state shown on /health.
import type { FlowctlConfig } from "../flowctl/config.ts";
import { FlowctlController } from "../flowctl/controller.ts";
import type { Component } from "./component.ts";

/** Starts `component`'s flowctl controller (null when flowctl is off). `endpoint` overrides the registered one. */
export function registerComponent(component: Component, flowctl: FlowctlConfig, log?: (message: string) => void, endpoint?: string): FlowctlController | null {
  if (!flowctl.enabled) return null;
  const controller = new FlowctlController({
    endpoint: flowctl.endpoint,
    heartbeatIntervalMs: flowctl.heartbeatIntervalMs,
    token: flowctl.token,
    service: endpoint === undefined ? component.serviceInfo() : { ...component.serviceInfo(), endpoint },
    metrics: () => component.heartbeatMetrics(),
    log,
  });
  component.flowctlState = () => controller.state;
  controller.start();
  return controller;
}

/** Stops a component: marked stopping (unless it failed), unregistered, its server closed. */
export async function stopComponent(component: Component, controller: FlowctlController | null, server: { stop(): Promise<void> } | null): Promise<void> {
  if (component.status !== "failed") component.status = "stopping";
  await controller?.stop();
  await server?.stop();
}
