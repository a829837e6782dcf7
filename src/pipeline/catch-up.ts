// A resume far behind the source's newest ledger (a database loaded at 30822025 and a lake whose tip
// is 25 M ledgers later) is a backfill nobody asked for: before it starts, what it would read, what
// that weighs (objects sampled across the gap) and how long it would take, so that the command can
// ask for --start or an explicit --catch-up instead of starting it silently.
import type { LedgerSource } from "../source/ledger-source.ts";

/** Ledgers a resume may read without being asked to (--catch-up-limit). */
export const DEFAULT_CATCH_UP_LIMIT = 10_000;

/**
 * XDR bytes per second the estimate assumes: what the pipeline decodes, extracts and commits on the
 * 2-core machine it was measured on (`bun run bench`: 234 MB/s main thread from memory); a lake
 * over a network, or a busy machine, is slower.
 */
export const ESTIMATE_XDR_BYTES_PER_SECOND = 200e6;

/** Objects sampled across the gap for its size. */
const SAMPLES = 5;

export interface CatchUp {
  readonly from: number;
  readonly to: number;
  readonly ledgers: number;
  /** Mean bytes per ledger over the samples found; null when the source weighs nothing (RPC) or none was found. */
  readonly perLedger: { readonly compressedBytes: number; readonly xdrBytes: number; readonly samples: number } | null;
}

/** Sequences spread evenly over [from, to], both ends included. */
export function samplePoints(from: number, to: number, count = SAMPLES): number[] {
  if (to <= from) return [from];
  const points = new Set<number>();
  for (let i = 0; i < count; i++) points.add(Math.round(from + ((to - from) * i) / (count - 1)));
  return [...points];
}

/** What reading ledgers `from`..`to` of `source` would take. */
export async function measureCatchUp(source: Pick<LedgerSource, "ledgerSizes">, from: number, to: number, options: { signal?: AbortSignal } = {}): Promise<CatchUp> {
  const ledgers = to - from + 1;
  const sizes = source.ledgerSizes ? await source.ledgerSizes(samplePoints(from, to), options) : [];
  const found = sizes.filter((size) => size !== null);
  const perLedger =
    found.length === 0
      ? null
      : {
          compressedBytes: found.reduce((n, s) => n + s.compressedBytes, 0) / found.length,
          xdrBytes: found.reduce((n, s) => n + s.xdrBytes, 0) / found.length,
          samples: found.length,
        };
  return { from, to, ledgers, perLedger };
}

/** Seconds the catch-up would take at ESTIMATE_XDR_BYTES_PER_SECOND; null when its size is unknown. */
export function catchUpSeconds(catchUp: CatchUp): number | null {
  return catchUp.perLedger === null ? null : (catchUp.perLedger.xdrBytes * catchUp.ledgers) / ESTIMATE_XDR_BYTES_PER_SECOND;
}
