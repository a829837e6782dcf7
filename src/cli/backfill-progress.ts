// What `bun run backfill` tells the operator as shards go: one progress line (shards done, running,
// failed; ledgers/s; ETA) redrawn on a terminal, or plain lines (one per shard started, done or
// failed, with the progress) when stderr is not one; and `backfill status` / `verify` reports. Pure.
import type { QueueStatus, ShardRecord, ShardState } from "../backfill/shard-queue.ts";
import type { DatasetReport } from "../backfill/verify-dataset.ts";
import { describeRange } from "../backfill/shard-plan.ts";
import { shardName } from "../backfill/dataset-layout.ts";

export interface BackfillProgress {
  readonly shards: number;
  readonly counts: Readonly<Record<ShardState, number>>;
  /** Ledgers of the whole plan (the shards to write). */
  readonly ledgersTotal: number;
  /** Ledgers written: done shards' and running shards' progress. */
  readonly ledgersDone: number;
  readonly events: number;
  readonly elapsedMs: number;
}

/** The progress of a plan from its queue's status. */
export function progressOf(status: QueueStatus, ledgersTotal: number, elapsedMs: number): BackfillProgress {
  let ledgersDone = 0;
  let events = 0;
  for (const shard of status.shards) {
    if (shard.state === "done" || shard.state === "running") {
      ledgersDone += shard.ledgers;
      events += shard.events;
    }
  }
  return { shards: status.shards.length, counts: status.counts, ledgersTotal, ledgersDone, events, elapsedMs };
}

/** "1,234" */
const count = (n: number) => Math.round(n).toLocaleString("en-US");

/** "45 s", "12 min 5 s", "3 h 20 min" */
export function duration(ms: number): string {
  if (ms < 9_950) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function progressLine(p: BackfillProgress): string {
  const { counts } = p;
  const waiting = counts.queued + counts.retrying;
  const rate = p.elapsedMs > 0 ? (p.ledgersDone * 1000) / p.elapsedMs : 0;
  const left = p.ledgersTotal - p.ledgersDone;
  const eta = left <= 0 ? "ETA 0 s" : rate > 0 ? `ETA ${duration((left / rate) * 1000)}` : "ETA -";
  return (
    `shards ${counts.done}/${p.shards} done, ${counts.running} running, ${counts.failed} failed${waiting > 0 ? `, ${waiting} waiting` : ""}` +
    ` | ${count(p.ledgersDone)}/${count(p.ledgersTotal)} ledgers | ${rate >= 10 ? count(rate) : rate.toFixed(1)} ledgers/s | ${eta}`
  );
}

function recordLine(record: ShardRecord): string {
  const what = `shard ${shardName(record.task)} (${describeRange(record.task)})`;
  const who = record.worker ? ` on ${record.worker}` : "";
  switch (record.state) {
    case "done":
      return `${what}: done${who}, ${count(record.ledgers)} ledgers, ${count(record.events)} events (attempt ${record.attempts})`;
    case "running":
      return `${what}: running${who}, ${count(record.ledgers)} ledgers so far (attempt ${record.attempts}, updated ${record.updatedAt})`;
    case "queued":
      return `${what}: queued`;
    case "retrying":
      return `${what}: waiting to be delivered again after attempt ${record.attempts}: ${record.error ?? "no error recorded"}`;
    case "failed":
      return `${what}: FAILED after ${record.attempts} attempt(s)${who}: ${record.error ?? "no error recorded"}`;
  }
}

/** `backfill status`: the counts, then every shard that is not done. */
export function statusLines(status: QueueStatus, where: string): string[] {
  const { counts } = status;
  const lines = [
    `${where}: ${status.shards.length} shards: ${counts.done} done, ${counts.running} running, ${counts.queued} queued, ${counts.retrying} waiting for redelivery, ${counts.failed} failed`,
  ];
  const ledgers = status.shards.filter((s) => s.state === "done").reduce((n, s) => n + s.ledgers, 0);
  const events = status.shards.filter((s) => s.state === "done").reduce((n, s) => n + s.events, 0);
  if (counts.done > 0) lines.push(`done: ${count(ledgers)} ledgers, ${count(events)} events`);
  for (const record of status.shards) if (record.state !== "done") lines.push(recordLine(record));
  return lines;
}

/** `backfill verify`: what the dataset holds, then every problem. */
export function verifyLines(report: DatasetReport): string[] {
  const lines = [
    `${report.location}: ${report.shards.length} shards, ${count(report.ledgers)} ledgers, ${count(report.events)} events` +
      (report.shards.length > 0 ? `, ledgers ${report.shards[0]!.start}-${Math.max(...report.shards.map((s) => s.end))}` : ""),
  ];
  for (const gap of report.gaps) lines.push(`gap: no shard holds ${describeRange(gap)}`);
  for (const problem of report.problems) lines.push(`problem: ${problem}`);
  for (const key of report.unlisted) lines.push(`unlisted: ${key} (no manifest lists it: a shard being written, or left by a crash)`);
  lines.push(report.ok ? "ok: every file matches its manifest and the hash chain holds across shards" : "NOT OK");
  return lines;
}
