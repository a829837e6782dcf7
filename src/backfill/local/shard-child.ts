// A `--parallel N` child process: writes the shards its parent sends, one at a time, and reports
// progress and the outcome over IPC. `bun src/backfill/local/shard-child.ts CONFIG_JSON`.
import { openDataLake } from "../../source/datalake/open-datalake.ts";
import type { LedgerSource } from "../../source/ledger-source.ts";
import type { DatasetStore } from "../dataset-store.ts";
import { openDatasetStore } from "../open-dataset-store.ts";
import { shardProcessor } from "../shard-processor.ts";
import { runShard } from "../shard-runner.ts";
import type { FromChild, ShardChildConfig, ToChild } from "./child-protocol.ts";
import { messageOf } from "../../common/message-of.ts";

const config = JSON.parse(Bun.argv[2] ?? "{}") as ShardChildConfig;
const send = (message: FromChild) => process.send!(message);
let source: LedgerSource | null = null;
const stores = new Map<string, DatasetStore>();
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
let queue = Promise.resolve();

async function run(message: Extract<ToChild, { kind: "run" }>): Promise<void> {
  const { task } = message;
  const cpu = process.cpuUsage();
  try {
    source ??= await openDataLake(config.lake, { s3Endpoint: config.s3Endpoint, concurrency: config.concurrency });
    if (source.networkPassphrase !== task.network) throw new Error(`the lake ${config.lake} holds another network than the shard's`);
    let store = stores.get(task.dataset);
    if (!store) stores.set(task.dataset, (store = openDatasetStore(task.dataset, { endpoint: config.s3Endpoint })));
    const result = await runShard({
      source,
      store,
      shard: task,
      processor: shardProcessor(task.network, { checkTxSets: config.checkTxSets, verify: config.verify }),
      rowGroupRows: config.rowGroupRows,
      onProgress: (p) => send({ kind: "progress", ledgers: p.ledgers, events: p.events }),
    });
    const used = process.cpuUsage(cpu);
    const totals = result.kind === "written" ? { ledgers: result.manifest.ledgers, events: result.manifest.rows.ttp_events } : { ledgers: 0, events: 0 };
    send({ kind: "done", ...totals, cpuMs: (used.user + used.system) / 1000, peakRssMb: Math.round(peakRss / 2 ** 20) });
  } catch (error) {
    send({ kind: "failed", error: messageOf(error) });
  }
}

process.on("message", (message: ToChild) => {
  if (message.kind === "stop") {
    clearInterval(sampler);
    process.exit(0);
  }
  queue = queue.then(() => run(message));
});
process.on("disconnect", () => process.exit(0)); // the parent is gone
send({ kind: "ready" });
