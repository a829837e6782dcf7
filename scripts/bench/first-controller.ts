// `bun scripts/bench/first-controller.ts FLOWCTL_URL`: what a component's flowctl reporting costs a
// fresh process: the modules (the component's, connect and the flowctl schemas: the component
// module imports the controller's), then one controller registered and heartbeating. Prints
// {"modulesHeapMb","modulesRssMb","heapMb","rssMb"}. Nothing but ./settled-memory.ts is imported before the first measurement.
import { settledMemory as settle } from "./settled-memory.ts";

const flowctl = Bun.argv[2]!;
const bare = await settle();
const { Component } = await import("../../src/component/component.ts");
const { PROCESSOR_KIND } = await import("../../src/component/kinds.ts");
const { FlowctlController } = await import("../../src/flowctl/controller.ts");
const loadedModules = await settle();
const component = new Component(PROCESSOR_KIND, "first-controller", {});
component.metrics.processed(59_999_990, 30_000_000, 4_000_000_000);
const controller = new FlowctlController({ endpoint: flowctl, heartbeatIntervalMs: 200, service: component.serviceInfo(), metrics: () => component.heartbeatMetrics(), log: () => undefined });
controller.start();
const deadline = performance.now() + 15_000;
while (!controller.state.connected) {
  if (performance.now() > deadline) throw new Error("the controller did not register");
  await Bun.sleep(20);
}
await Bun.sleep(1000); // a few heartbeats
const running = await settle();
await controller.stop();
const mb = (bytes: number) => bytes / 2 ** 20;
console.log(
  JSON.stringify({
    modulesHeapMb: mb(loadedModules.heap - bare.heap),
    modulesRssMb: mb(loadedModules.rss - bare.rss),
    heapMb: mb(running.heap - loadedModules.heap),
    rssMb: mb(running.rss - loadedModules.rss),
  }),
);
