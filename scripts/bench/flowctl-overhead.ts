// `bun run bench --flowctl`: what reporting to flowctl costs a component, measured, beside the seed's
// promised figures (~1-2 MB of memory per controller, ~10 us of metric calculation per heartbeat,
// ~500 B-1 KB per heartbeat, ~6 KB per minute). flowctl runs as a child process (`bun run flowctl`),
// so that this process holds only the components and their controllers; the bytes are counted on
// the wire by a TCP relay between them (HTTP headers, both directions).
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { join } from "node:path";
import type { Socket } from "bun";
import { HeartbeatRequestSchema } from "../../src/gen/flowctl/v1/flowctl_pb.ts";
import { Component } from "../../src/component/component.ts";
import { PIPELINE_KINDS } from "../../src/component/kinds.ts";
import { FlowctlController } from "../../src/flowctl/controller.ts";
import { settledMemory } from "./settled-memory.ts";

const REPO = join(import.meta.dir, "..", "..");
const SEED = { memoryMb: "~1-2", calcUs: "~10", bytesPerHeartbeat: "~500-1,000", kbPerMinute: "~6" };
const DEFAULT_INTERVAL_S = 10;

/** A component as it looks deep into a long run: every counter at a realistic size. */
function busyComponent(kindIndex: number, id: string): Component {
  const kind = PIPELINE_KINDS[kindIndex % PIPELINE_KINDS.length]!;
  const component = new Component(kind, id, { network: "pubnet", batch_size: "16" });
  component.status = "running";
  component.metrics.setTarget(60_000_000);
  for (const counter of kind.counters) {
    const labels = counter.labelValues ? Object.fromEntries(Object.entries(counter.labelValues).map(([name, values]) => [name, values[0]!])) : {};
    component.metrics.add(counter.name, 123_456_789, labels);
  }
  component.metrics.processed(59_999_990, 30_000_000, 4_000_000_000);
  return component;
}

async function startFlowctl(): Promise<{ url: string; stop: () => Promise<void> }> {
  const proc = Bun.spawn(["bun", "src/cli/flowctl.ts", "--port", "0", "--db", ":memory:", "--max-services", "1000", "--heartbeat-interval", "1s", "--ttl", "30s"], { cwd: REPO, stdout: "ignore", stderr: "pipe" });
  const reader = proc.stderr.getReader();
  let text = "";
  const deadline = performance.now() + 15_000;
  while (!/listening on (\S+)/.test(text) && performance.now() < deadline) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  const url = /listening on (\S+)/.exec(text)?.[1];
  if (!url) throw new Error(`flowctl did not start: ${text}`);
  return { url, stop: async () => (proc.kill("SIGTERM"), void (await proc.exited)) };
}

/** A TCP relay to `target` counting the bytes each way. */
function countingRelay(target: URL) {
  const counts = { up: 0, down: 0 };
  type Side = { upstream: Socket<unknown> | null; pending: Uint8Array[] };
  const listener = Bun.listen<Side>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        client.data = { upstream: null, pending: [] };
        void Bun.connect({
          hostname: target.hostname,
          port: Number(target.port),
          socket: {
            data(_, chunk) {
              counts.down += chunk.byteLength;
              client.write(chunk);
            },
            close() {
              client.end();
            },
          },
        }).then((upstream) => {
          client.data.upstream = upstream;
          for (const chunk of client.data.pending.splice(0)) upstream.write(chunk);
        });
      },
      data(client, chunk) {
        counts.up += chunk.byteLength;
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return { url: `http://127.0.0.1:${listener.port}`, counts, stop: () => listener.stop(true) };
}

async function waitUntil(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

interface KindFigures {
  readonly component: string;
  readonly metrics: number;
  readonly calcUs: number;
  readonly encodeUs: number;
  readonly messageBytes: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

/** Microseconds per call of `work`: the median of 7 rounds of 5,000 calls, after 5,000 to warm up (the JIT, the machine's load). */
function microsPerCall(work: () => void): number {
  for (let i = 0; i < 5000; i++) work();
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = performance.now();
    for (let i = 0; i < 5000; i++) work();
    rounds.push(((performance.now() - started) * 1000) / 5000);
  }
  return rounds.sort((x, y) => x - y)[3]!;
}

/** CPU of the metric calculation (heartbeatMetrics) and of the message's encoding, per heartbeat. */
function cpuPerHeartbeat(component: Component): { calcUs: number; encodeUs: number; messageBytes: number; metrics: number } {
  const metrics = component.heartbeatMetrics();
  const encode = () => toBinary(HeartbeatRequestSchema, create(HeartbeatRequestSchema, { serviceId: "ttp-arrow-processor-1a2b3c4d", timestamp: timestampNow(), metrics }));
  return {
    calcUs: microsPerCall(() => component.heartbeatMetrics()),
    encodeUs: microsPerCall(encode),
    messageBytes: encode().byteLength,
    metrics: Object.keys(metrics).length,
  };
}

/** Bytes on the wire per heartbeat, each way, over `heartbeats` heartbeats of one controller. */
async function wirePerHeartbeat(flowctl: string, component: Component, heartbeats: number): Promise<{ requestBytes: number; responseBytes: number }> {
  const relay = countingRelay(new URL(flowctl));
  let calls = 0;
  const controller = new FlowctlController({
    endpoint: relay.url,
    heartbeatIntervalMs: 50,
    service: component.serviceInfo(),
    metrics: () => (calls++, component.heartbeatMetrics()),
    log: () => undefined,
  });
  controller.start();
  await waitUntil("the registration", () => controller.state.connected && calls >= 1);
  const before = { ...relay.counts, calls };
  await waitUntil(`${heartbeats} heartbeats`, () => calls >= before.calls + heartbeats);
  // the last heartbeat counted has been answered once the next one is asked for
  const sent = calls - 1 - before.calls;
  const result = { requestBytes: (relay.counts.up - before.up) / sent, responseBytes: (relay.counts.down - before.down) / sent };
  await controller.stop();
  relay.stop();
  return result;
}

/** Memory of `count` registered, heartbeating controllers (with their components), per controller. */
async function memoryPerController(flowctl: string, count: number): Promise<{ heapMb: number; rssMb: number }> {
  // one controller first, so that what every component loads once (connect, the schemas) is not counted
  const warm = new FlowctlController({ endpoint: flowctl, heartbeatIntervalMs: 1000, service: busyComponent(0, "warm-up").serviceInfo(), metrics: () => ({}), log: () => undefined });
  warm.start();
  await waitUntil("the warm-up registration", () => warm.state.connected);
  const base = await settledMemory();
  const controllers: FlowctlController[] = [];
  for (let i = 0; i < count; i++) {
    const component = busyComponent(i, `bench-component-${i}`);
    const controller = new FlowctlController({ endpoint: flowctl, heartbeatIntervalMs: 1000, service: component.serviceInfo(), metrics: () => component.heartbeatMetrics(), log: () => undefined });
    controller.start();
    controllers.push(controller);
  }
  await waitUntil(`${count} registrations`, () => controllers.every((c) => c.state.connected));
  await Bun.sleep(2500); // two heartbeats each
  const loaded = await settledMemory();
  await Promise.all([...controllers, warm].map((c) => c.stop()));
  const mb = (bytes: number) => bytes / count / 2 ** 20;
  return { heapMb: mb(loaded.heap - base.heap), rssMb: mb(loaded.rss - base.rss) };
}

/** What the first controller costs a fresh process, beyond its component (./first-controller.ts, in a child process). */
async function firstControllerInChild(flowctl: string): Promise<{ modulesHeapMb: number; modulesRssMb: number; heapMb: number; rssMb: number }> {
  const proc = Bun.spawn(["bun", join(import.meta.dir, "first-controller.ts"), flowctl], { stdout: "pipe", stderr: "inherit" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (code !== 0) throw new Error(`the first-controller measurement failed (exit ${code})`);
  return JSON.parse(out) as { modulesHeapMb: number; modulesRssMb: number; heapMb: number; rssMb: number };
}

export async function flowctlOverhead(log: (line: string) => void): Promise<void> {
  const flowctl = await startFlowctl();
  try {
    const figures: KindFigures[] = [];
    for (const [i, kind] of PIPELINE_KINDS.entries()) {
      log(`flowctl overhead: ${kind.componentId}`);
      const component = busyComponent(i, kind.componentId);
      const cpu = cpuPerHeartbeat(component);
      const wire = await wirePerHeartbeat(flowctl.url, component, 40);
      figures.push({ component: kind.componentId, ...cpu, ...wire });
    }
    log("flowctl overhead: memory of 100 controllers, and of the first one in a fresh process");
    const memory = await memoryPerController(flowctl.url, 100);
    const first = await firstControllerInChild(flowctl.url);

    const pad = (text: string, width: number) => text.padEnd(width);
    const num = (value: number, digits = 1) => value.toFixed(digits).padStart(8);
    console.log(`\nflowctl overhead per component (this run; the seed's promise in [brackets]); heartbeat every ${DEFAULT_INTERVAL_S} s by default`);
    console.log(`${pad("component", 22)} metrics  calc us  encode us  message B  request B  response B  total B/heartbeat ${`[${SEED.bytesPerHeartbeat}]`}  KB/minute [${SEED.kbPerMinute}]`);
    for (const f of figures) {
      const total = f.requestBytes + f.responseBytes;
      console.log(
        `${pad(f.component, 22)} ${String(f.metrics).padStart(7)} ${num(f.calcUs, 2)} ${num(f.encodeUs, 2).padStart(10)} ${String(f.messageBytes).padStart(10)} ${num(f.requestBytes, 0).padStart(10)} ${num(f.responseBytes, 0).padStart(11)} ${num(total, 0).padStart(28)} ${num((total * 60) / DEFAULT_INTERVAL_S / 1000, 1).padStart(16)}`,
      );
    }
    console.log(`metric calculation per heartbeat: ${figures.map((f) => `${f.calcUs.toFixed(2)} us`).join(", ")} [${SEED.calcUs} us]; encoding the message: ${figures.map((f) => `${f.encodeUs.toFixed(2)} us`).join(", ")}`);
    console.log(`memory per controller [${SEED.memoryMb} MB]:`);
    const rss = (mb: number) => (mb < 0.5 ? "under 0.5 MB of RSS (within its noise)" : `${mb.toFixed(2)} MB of RSS`);
    console.log(`  a component process's one controller, registered and heartbeating: ${first.heapMb.toFixed(2)} MB of JS heap, ${rss(first.rssMb)}`);
    console.log(`  the code it needs, loaded once (component, connect, flowctl schemas): ${first.modulesHeapMb.toFixed(2)} MB of heap, ${first.modulesRssMb.toFixed(2)} MB of RSS`);
    console.log(`  each one more in the same process (100, with their components): ${memory.heapMb.toFixed(3)} MB of heap, ${memory.rssMb.toFixed(3)} MB of RSS`);
    console.log(`(--processes heartbeats every 1 s: ${figures.map((f) => `${(((f.requestBytes + f.responseBytes) * 60) / 1000).toFixed(0)} KB`).join(", ")} per minute)`);
  } finally {
    await flowctl.stop();
  }
}

if (import.meta.main) await flowctlOverhead((line) => console.error(`[bench] ${line}`));
