// The bench's terminal table and JSON shape.
import type { DecodeExtractResult } from "./decode-extract.ts";
import type { EndToEndResult } from "./end-to-end.ts";

export interface BenchReport {
  readonly startedAt: string;
  readonly machine: { readonly cores: number; readonly bun: string };
  readonly options: Record<string, unknown>;
  readonly lakes: { lake: string; decode: Record<string, DecodeExtractResult>; e2e: Record<string, EndToEndResult> }[];
  readonly long: { workers: number; parts: { lake: string; result: EndToEndResult }[] }[];
}

const f1 = (n: number) => n.toFixed(1);
const f0 = (n: number) => Math.round(n).toLocaleString("en-US");

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
}

function decodeRates(r: DecodeExtractResult) {
  const s = (r.decodeMs + r.extractMs) / 1000;
  return { mbps: r.xdrMb / s, ledgers: r.ledgers / s, events: r.events / s, decodeMbps: r.xdrMb / (r.decodeMs / 1000) };
}

function e2eRates(r: EndToEndResult) {
  return { mbps: r.xdrMb / r.seconds, ledgers: r.ledgers / r.seconds, events: r.events / r.seconds };
}

function stages(r: EndToEndResult): string {
  const total = r.seconds * 1000;
  return Object.entries(r.stagesMs)
    .map(([stage, ms]) => `${stage} ${Math.round((100 * ms) / total)}%`)
    .join(", ");
}

export function printReport(report: BenchReport): void {
  const widths = [34, 10, 11, 11, 8];
  const out: string[] = [];
  out.push(`stellar-flow bench, ${report.startedAt}, ${report.machine.cores} cores, Bun ${report.machine.bun}`);
  for (const { lake, decode, e2e } of report.lakes) {
    out.push("", `== ${lake}`);
    out.push(row(["path", "MB/s XDR", "ledgers/s", "events/s", "x base"], widths));
    const base = decodeRates(decode.baseline!);
    for (const [name, result] of Object.entries(decode)) {
      const r = decodeRates(result);
      out.push(row([`decode+extract ${name}`, f1(r.mbps), f0(r.ledgers), f0(r.events), f1(r.mbps / base.mbps)], widths));
    }
    out.push(row([`  (decode alone: baseline ${f1(base.decodeMbps)} MB/s, fast ${f1(decodeRates(decode.fast!).decodeMbps)} MB/s)`], [0]));
    const noCheck = decode["fast-nocheck"];
    if (noCheck) {
      const [on, off] = [decodeRates(decode.fast!), decodeRates(noCheck)];
      out.push(
        `  (txSetHash + txSetResultHash check, rounds taking turns: decode+extract ${f1(on.mbps)} MB/s with it, ${f1(off.mbps)} without, ${(on.mbps / off.mbps).toFixed(3)}x; ` +
          `decode alone ${f1(on.decodeMbps)} / ${f1(off.decodeMbps)}, ${(on.decodeMbps / off.decodeMbps).toFixed(3)}x)`,
      );
    }
    const e2eBase = e2eRates(e2e.baseline!);
    for (const [name, result] of Object.entries(e2e)) {
      const r = e2eRates(result);
      out.push(row([`end to end ${name}`, f1(r.mbps), f0(r.ledgers), f0(r.events), f1(r.mbps / e2eBase.mbps)], widths));
      out.push(`    stages (main thread): ${stages(result)}; peak RSS ${result.rss.peakMb} MB`);
    }
  }
  if (report.long.length > 0) {
    out.push("", "== long run (in-memory replay, production path)");
    out.push(row(["workers / lake", "MB/s XDR", "ledgers/s", "events/s", "RSS MB"], widths));
    const byWorkers = new Map<number, number>();
    for (const { workers, parts } of report.long) {
      let mbTotal = 0;
      let seconds = 0;
      let ledgers = 0;
      let events = 0;
      let peak = 0;
      for (const { lake, result } of parts) {
        const r = e2eRates(result);
        out.push(row([`  ${workers === 0 ? "main" : `${workers}w`} ${lake}`, f1(r.mbps), f0(r.ledgers), f0(r.events), String(result.rss.peakMb)], widths));
        out.push(`      stages: ${stages(result)}; RSS first/last quarter peak ${result.rss.firstQuarterPeakMb}/${result.rss.lastQuarterPeakMb} MB`);
        mbTotal += result.xdrMb;
        seconds += result.seconds;
        ledgers += result.ledgers;
        events += result.events;
        peak = Math.max(peak, result.rss.peakMb);
      }
      byWorkers.set(workers, mbTotal / seconds);
      out.push(row([`${workers === 0 ? "main thread" : `${workers} worker(s)`}, all ${f0(ledgers)} ledgers`, f1(mbTotal / seconds), f0(ledgers / seconds), f0(events / seconds), String(peak)], widths));
    }
    const mainParts = report.long.find((run) => run.workers === 0)?.parts ?? [];
    const boundLine = workerBoundLine(mainParts.map((p) => p.result), report.machine.cores);
    if (boundLine) out.push(`  ${boundLine}`);
    const one = byWorkers.get(1);
    const main = byWorkers.get(0);
    for (const [workers, mbps] of byWorkers) {
      if (workers === 0) continue;
      if (main) out.push(`  ${workers} worker(s) / main thread: ${f1(mbps / main)}x`);
      if (one && workers !== 1) out.push(`  ${workers} workers / 1 worker: ${f1(mbps / one)}x`);
    }
  }
  console.log(out.join("\n"));
}

/**
 * The closing line on what workers can gain (null: nothing to say). On a loaded machine the stages,
 * timed on the wall clock, also count the time the main thread waited for a core, and decode+extract
 * can come out longer than the process's CPU time: no bound then, and the line says why.
 */
export function workerBoundLine(mainThreadRuns: readonly EndToEndResult[], cores: number): string | null {
  const bound = workerScalingBound(mainThreadRuns, cores);
  if (bound === null) return null;
  if ("unreliable" in bound) return `main-thread run: no bound on what workers can gain: ${bound.unreliable}`;
  return (
    `main-thread run: decode+extract (what workers take over) is ${Math.round(bound.parallelShare * 100)}% of the process's CPU time; ` +
    `the rest (zstd, split, hand-over, DuckDB) stays serial, so workers can make a run at most ${f1(bound.maxSpeedup)}x faster, ` +
    `and on ${cores} cores 2 workers / 1 worker is at most ${f1(bound.twoOverOne)}x at equal per-thread costs`
  );
}

/**
 * What worker threads could gain at best, from a main-thread run: its decode+extract time P (what
 * workers take over) and the process's CPU time C. The rest, C - P, stays serial on the main thread
 * (DuckDB's own threads included, generously). With k workers on n cores a run needs at least
 * max(P / k, C - P, C / n): the ratio of those bounds for k = 2 and k = 1. Whatever k and n, a run
 * takes at least C - P: at most C / (C - P) times faster than one thread doing everything.
 */
export function workerScalingBound(
  mainThreadRuns: readonly EndToEndResult[],
  cores: number,
): { parallelShare: number; maxSpeedup: number; twoOverOne: number } | { unreliable: string } | null {
  let parallel = 0;
  let cpu = 0;
  for (const r of mainThreadRuns) {
    parallel += (r.stagesMs.decode ?? 0) + (r.stagesMs["extract+arrow"] ?? 0);
    cpu += r.cpuMs;
  }
  if (!(cpu > 0) || !(parallel > 0)) return null;
  if (parallel >= cpu) {
    return {
      unreliable:
        `decode+extract took ${(parallel / 1000).toFixed(1)} s on the wall clock, at least the process's ${(cpu / 1000).toFixed(1)} s of CPU time: ` +
        `the machine was busy (the stages are timed on the wall clock, waits for a core included); measure on an idle machine`,
    };
  }
  const least = (workers: number) => Math.max(parallel / workers, cpu - parallel, cpu / cores);
  return { parallelShare: parallel / cpu, maxSpeedup: cpu / (cpu - parallel), twoOverOne: least(1) / least(2) };
}
