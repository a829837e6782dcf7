// `bun run backfill` without --nats: the shards not in --out yet, written by --parallel child
// processes fed from an in-process queue, with progress on stderr (a redrawn line on a terminal,
// plain lines otherwise) and a summary on stdout.
import { runLocalShards } from "../backfill/local/run-local-shards.ts";
import { LocalShardQueue } from "../backfill/local-shard-queue.ts";
import { pendingShards } from "../backfill/pending-shards.ts";
import { describeRange } from "../backfill/shard-plan.ts";
import { taskOf } from "../backfill/shard-queue.ts";
import { shardName } from "../backfill/dataset-layout.ts";
import type { BackfillArgs } from "./backfill-args.ts";
import { openDataset, openLake } from "./backfill-lake.ts";
import { duration, progressLine, progressOf } from "./backfill-progress.ts";

type RunArgs = Extract<BackfillArgs, { command: "run" }>;

export async function backfillLocally(args: RunArgs, signal: AbortSignal): Promise<number> {
  const source = await openLake(args, signal);
  const store = await openDataset(args.out, source.networkPassphrase, args.s3Endpoint);
  const { pending, done } = await pendingShards(store, args.shards);
  const ledgersTotal = pending.reduce((n, s) => n + s.end - s.start + 1, 0);
  const parallel = Math.max(1, Math.min(args.parallel, pending.length));
  console.error(
    `backfill of ledgers ${args.range.start}-${args.range.end} from ${source.description} into ${store.location}: ` +
      `${args.shards.length} shards of up to ${args.shardSize} ledgers` +
      (done.length > 0 ? `, ${done.length} already there` : "") +
      (pending.length > 0 ? `; writing ${pending.length} in ${parallel} process${parallel === 1 ? "" : "es"}` : "; nothing to write"),
  );
  if (pending.length === 0) return 0;

  const queue = new LocalShardQueue({ maxAttempts: args.maxAttempts });
  await queue.plan(pending.map((shard) => taskOf(shard, source.networkPassphrase, store.location)));
  const started = performance.now();
  const interactive = process.stderr.isTTY === true && !args.plain;
  const line = async () => progressLine(progressOf(await queue.status(), ledgersTotal, performance.now() - started));
  const redraw = interactive ? setInterval(() => void line().then((text) => process.stderr.write(`\r\x1b[2K${text}`)), 250) : null;
  const say = (text: string) => (interactive ? process.stderr.write(`\r\x1b[2K${text}\n`) : console.error(text));
  try {
    await runLocalShards({
      queue,
      parallel,
      signal,
      config: { lake: args.datalake, s3Endpoint: args.s3Endpoint ?? undefined, concurrency: args.concurrency, checkTxSets: args.checkTxSets, verify: args.verify },
      onEvent: (event) => {
        const shard = `shard ${shardName(event.task)} (${describeRange(event.task)})`;
        if (event.kind === "started") {
          if (!interactive) say(`${shard}: started in process ${event.pid}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ""}`);
          return;
        }
        const what = event.kind === "done" ? `done, ${event.totals.ledgers} ledgers, ${event.totals.events} events in ${duration(event.ms)}` : `attempt ${event.attempt} failed: ${event.error.message}`;
        void line().then((progress) => say(`${shard}: ${what} | ${progress}`));
      },
    });
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    if (redraw) clearInterval(redraw);
    if (interactive) process.stderr.write("\r\x1b[2K");
  }
  const status = await queue.status();
  const progress = progressOf(status, ledgersTotal, performance.now() - started);
  const failed = status.shards.filter((s) => s.state === "failed");
  console.log(`shards       ${status.counts.done} written, ${done.length} already there, ${failed.length} failed${signal.aborted ? `, ${pending.length - status.counts.done - failed.length} not written (interrupted)` : ""}`);
  console.log(`ledgers      ${progress.ledgersDone} of ${ledgersTotal} written, ${progress.events} events`);
  const seconds = progress.elapsedMs / 1000;
  console.log(`time         ${seconds.toFixed(2)} s (${seconds > 0 ? Math.round(progress.ledgersDone / seconds) : 0} ledgers/s)`);
  for (const shard of failed) console.error(`error: shard ${shardName(shard.task)} (${describeRange(shard.task)}) failed after ${shard.attempts} attempt(s): ${shard.error}`);
  if (signal.aborted) {
    console.error("stopped (interrupted): finished shards stay; run the same command again to write the rest");
    return 1;
  }
  if (failed.length > 0) {
    console.error(`hint: fix what the errors name, then run the same command again: finished shards are skipped`);
    return 1;
  }
  return 0;
}
