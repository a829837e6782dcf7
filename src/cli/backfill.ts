// `bun run backfill`: a ledger range of a data lake as a Parquet dataset, written here by --parallel
// child processes, or planned on a NATS JetStream queue (--nats) for `backfill worker`s anywhere;
// `backfill status` shows that queue, `backfill verify` checks a dataset.
import { networkLabel } from "../backfill/dataset-descriptor.ts";
import { NatsShardQueue } from "../backfill/nats/nats-shard-queue.ts";
import { openDatasetStore } from "../backfill/open-dataset-store.ts";
import { pendingShards } from "../backfill/pending-shards.ts";
import { taskOf } from "../backfill/shard-queue.ts";
import { verifyDataset } from "../backfill/verify-dataset.ts";
import { messageOf } from "../common/message-of.ts";
import { BACKFILL_HELP, parseBackfillArgs, type BackfillArgs } from "./backfill-args.ts";
import { isInputError, openDataset, openLake } from "./backfill-lake.ts";
import { backfillLocally } from "./backfill-local.ts";
import { statusLines, verifyLines } from "./backfill-progress.ts";
import { runWorker } from "./backfill-worker.ts";
import { parseFlags, runCommand } from "./command.ts";
import { stopOnSignals } from "./interrupts.ts";

type RunArgs = Extract<BackfillArgs, { command: "run" }>;

/** --nats: the shards not in --out yet, on the JetStream queue (planning twice adds nothing); workers write them. */
async function planOnNats(args: RunArgs, signal: AbortSignal): Promise<number> {
  const queueArgs = args.queue!;
  const source = await openLake(args, signal);
  const store = await openDataset(args.out, source.networkPassphrase, args.s3Endpoint);
  const { pending, done } = await pendingShards(store, args.shards);
  const queue = await NatsShardQueue.connect({ url: queueArgs.nats, queue: queueArgs.queue, ackWaitMs: queueArgs.ackWaitMs ?? undefined, maxDeliver: queueArgs.maxDeliver ?? undefined });
  try {
    const planned = await queue.plan(pending.map((shard) => taskOf(shard, source.networkPassphrase, store.location)));
    console.log(
      `planned ${planned.added} shards of ledgers ${args.range.start}-${args.range.end} (${networkLabel(source.networkPassphrase)}) on ${queue.url}, queue ${queue.name}` +
        (planned.skipped > 0 ? `; ${planned.skipped} were queued, running or done already` : "") +
        (done.length > 0 ? `; ${done.length} are in ${store.location} already` : ""),
    );
    console.log(`write them with: bun run backfill worker --nats ${queue.url}${queue.name === "backfill" ? "" : ` --queue ${queue.name}`} --datalake ${args.datalake} --out ${store.location}`);
    console.log(`watch them with: bun run backfill status --nats ${queue.url}${queue.name === "backfill" ? "" : ` --queue ${queue.name}`}`);
    return 0;
  } finally {
    await queue.close();
  }
}

async function status(args: Extract<BackfillArgs, { command: "status" }>): Promise<number> {
  const queue = await NatsShardQueue.connect({ url: args.queue.nats, queue: args.queue.queue });
  try {
    const result = await queue.status();
    if (args.json) console.log(JSON.stringify(result, null, 2));
    else for (const line of statusLines(result, `${queue.url} queue ${queue.name}`)) console.log(line);
    return 0;
  } finally {
    await queue.close();
  }
}

async function verify(args: Extract<BackfillArgs, { command: "verify" }>): Promise<number> {
  const report = await verifyDataset(openDatasetStore(args.out, { endpoint: args.s3Endpoint ?? undefined }));
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else for (const line of verifyLines(report)) console.log(line);
  return report.ok ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseFlags(() => {
    const parsed = parseBackfillArgs(argv);
    return { parsed, help: parsed.command === "help" };
  }, BACKFILL_HELP, "bun run backfill");
  if (typeof args === "number") return args;
  const { parsed } = args;
  const abort = new AbortController();
  stopOnSignals(abort, { forcedNote: "finished shards stay; a shard being written is written again by the next run", log: (message) => console.error(message) });
  try {
    switch (parsed.command) {
      case "help":
        return 0;
      case "run":
        return await (parsed.queue ? planOnNats(parsed, abort.signal) : backfillLocally(parsed, abort.signal));
      case "worker":
        return await runWorker(parsed, abort.signal);
      case "status":
        return await status(parsed);
      case "verify":
        return await verify(parsed);
    }
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    return isInputError(error) ? 2 : 1;
  }
}

await runCommand(main);
// a NATS connection given up on after its deadline may still be trying (the client takes no abort):
// what the command had to say is said, so it ends here rather than when that attempt does
process.exit(process.exitCode ?? 0);
