// `bun run backfill worker`: pulls shards from the JetStream queue one at a time and writes them
// into the dataset, keeping each delivery with in-progress acks and acking once the shard's manifest
// is durable; while it writes a shard it is registered with flowctl (when enabled) as a PROCESSOR
// whose metadata names the shard and the dataset.
import { hostname } from "node:os";
import { networkLabel } from "../backfill/dataset-descriptor.ts";
import { shardName } from "../backfill/dataset-layout.ts";
import { NatsShardQueue } from "../backfill/nats/nats-shard-queue.ts";
import { openDatasetStore } from "../backfill/open-dataset-store.ts";
import { describeRange } from "../backfill/shard-plan.ts";
import { shardProcessor } from "../backfill/shard-processor.ts";
import type { ShardTask } from "../backfill/shard-queue.ts";
import { runShard } from "../backfill/shard-runner.ts";
import { workShards } from "../backfill/work-shards.ts";
import { BACKFILL_WORKER_KIND } from "../component/backfill-worker-kind.ts";
import { Component } from "../component/component.ts";
import { registerComponent, stopComponent } from "../component/component-registration.ts";
import { normalizeEndpoint, resolveFlowctlConfig, type FlowctlConfig } from "../flowctl/config.ts";
import type { DatasetStore } from "../backfill/dataset-store.ts";
import type { BackfillArgs } from "./backfill-args.ts";
import { openLake } from "./backfill-lake.ts";
import { duration } from "./backfill-progress.ts";

type WorkerArgs = Extract<BackfillArgs, { command: "worker" }>;

function flowctlConfig(args: WorkerArgs): FlowctlConfig {
  const flags =
    args.flowctl === null ? {} : args.flowctl === "off" ? { enabled: false } : { enabled: true, endpoint: normalizeEndpoint(args.flowctl, "--flowctl") };
  return resolveFlowctlConfig({ flags: { ...flags, heartbeatInterval: args.flowctlHeartbeatInterval }, env: process.env, envPrefix: BACKFILL_WORKER_KIND.envPrefix });
}

/** The worker as a flowctl service while it writes `task`: registered now, unregistered by the returned stop. */
function registerShard(flowctl: FlowctlConfig, task: ShardTask, dataset: string, worker: string, attempt: number, log: (line: string) => void) {
  const component = new Component(BACKFILL_WORKER_KIND, process.env[`${BACKFILL_WORKER_KIND.envPrefix}COMPONENT_ID`]?.trim() || BACKFILL_WORKER_KIND.componentId, {
    shard: shardName(task),
    dataset,
    ledgers: `${task.start}-${task.end}`,
    network_passphrase: task.network,
    worker,
    attempt: String(attempt),
  });
  component.metrics.setTarget(task.end);
  component.status = "running";
  const controller = registerComponent(component, flowctl, log);
  let ledgers = 0;
  let events = 0;
  return {
    progress(p: { ledgers: number; events: number; lastLedger: number }) {
      component.metrics.add("ledgers_processed_total", p.ledgers - ledgers);
      component.metrics.add("events_extracted_total", p.events - events);
      component.metrics.processed(p.lastLedger, p.ledgers - ledgers, p.events - events);
      ledgers = p.ledgers;
      events = p.events;
    },
    async stop(error: unknown | null) {
      if (error === null) component.status = "finished";
      else component.fail(error);
      await stopComponent(component, controller, null);
    },
  };
}

export async function runWorker(args: WorkerArgs, signal: AbortSignal): Promise<number> {
  const flowctl = flowctlConfig(args);
  const source = await openLake(args, signal);
  const worker = `${hostname()}:${process.pid}`;
  const queue = await NatsShardQueue.connect({ url: args.queue.nats, queue: args.queue.queue, worker });
  const log = (line: string) => console.error(`worker ${worker}: ${line}`);
  const stores = new Map<string, DatasetStore>();
  // an in-progress ack well within the ack wait
  const heartbeatMs = Math.max(200, Math.min(10_000, Math.floor(queue.ackWaitMs / 4)));
  // --exit-when-idle: once nothing is left on the queue (a shard another worker holds may still come
  // back), or after twice the ack wait with nothing (a shard whose last delivery died never does)
  const idle = async (idleMs: number) => idleMs > 2 * queue.ackWaitMs || (await queue.outstanding()) === 0;
  if (flowctl.enabled) log(`registering with flowctl at ${flowctl.endpoint} while writing a shard`);
  log(`taking shards from ${queue.url} (queue ${queue.name}, ack wait ${duration(queue.ackWaitMs)}, at most ${queue.maxDeliver} deliveries), reading ${source.description}`);
  try {
    const result = await workShards({
      queue,
      signal,
      heartbeatMs,
      waitMs: 2_000,
      stopWhenIdle: args.exitWhenIdle ? idle : false,
      run: async (task, progress, attemptSignal, attempt) => {
        if (task.network !== source.networkPassphrase) {
          throw new Error(`the shard is of ${networkLabel(task.network)}, but this worker's lake ${args.datalake} holds ${networkLabel(source.networkPassphrase)}`);
        }
        if (args.out !== null && args.out !== task.dataset) throw new Error(`the shard was planned for the dataset ${task.dataset}; this worker writes to ${args.out} (--out)`);
        const dataset = args.out ?? task.dataset;
        let store = stores.get(dataset);
        if (!store) stores.set(dataset, (store = openDatasetStore(dataset, { endpoint: args.s3Endpoint ?? undefined })));
        const registration = registerShard(flowctl, task, store.location, worker, attempt, log);
        try {
          const written = await runShard({
            source,
            store,
            shard: task,
            signal: attemptSignal,
            processor: shardProcessor(task.network, { checkTxSets: args.checkTxSets, verify: args.verify }),
            onProgress: (p) => {
              progress(p);
              registration.progress(p);
            },
          });
          await registration.stop(null);
          return written.kind === "written" ? { ledgers: written.manifest.ledgers, events: written.manifest.rows.ttp_events } : { ledgers: 0, events: 0 };
        } catch (error) {
          await registration.stop(error);
          throw error;
        }
      },
      onEvent: (event) => {
        const shard = `shard ${shardName(event.task)} (${describeRange(event.task)})`;
        if (event.kind === "started") log(`${shard}: started (attempt ${event.attempt})`);
        else if (event.kind === "done") {
          log(`${shard}: done, ${event.totals.ledgers} ledgers, ${event.totals.events} events in ${duration(event.ms)}`);
          if (event.unrecorded) log(`${shard}: the queue was not told (${event.unrecorded.message}); redelivered, it is found written`);
        }
        else if (!signal.aborted) log(`${shard}: attempt ${event.attempt} failed: ${event.error.message}`);
      },
    });
    log(`${signal.aborted ? "stopped (interrupted)" : "no more shards"}: ${result.done} written, ${result.failed} failed attempts`);
    return 0;
  } catch (error) {
    if (signal.aborted) {
      log("stopped (interrupted)");
      return 0;
    }
    throw error;
  } finally {
    await queue.close();
  }
}
