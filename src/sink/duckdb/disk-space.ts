// Free space under the sink's database, and the checkpoint threshold it allows. DuckDB appends every
// commit to its WAL and, once the WAL passes checkpoint_threshold, writes the rows into the database
// file while the WAL is still there, then truncates it: a run needs room for a whole WAL plus what a
// checkpoint writes (and DuckDB's spill files, which live next to the database too). With 64 MB of
// WAL on a 30 MB disk a run fails after ~80 ledgers and every rerun fails at its first commit, so
// the threshold is chosen from the free space when the database is opened (it cannot change later:
// the configuration may be locked).
import { existsSync, statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** DuckDB's MB (its "64MB" is 64 * 10^6 bytes). */
const MB = 1_000_000;
/** The writer's threshold when space is plenty (WRITER_DEFAULTS in duckdb-sink.ts: "64MB"). */
export const DEFAULT_CHECKPOINT_THRESHOLD = 64 * MB;
/** Below this, checkpoints are so frequent that the run would crawl: ask for space instead. */
export const MIN_CHECKPOINT_THRESHOLD = 1 * MB;
/** Free space per byte of threshold: the WAL, the checkpoint's writes, spill files and a margin. */
const SPACE_PER_THRESHOLD = 4;

/** Bytes free for this user on the file system holding `path` (a file or folder); null when unknown. */
export function freeBytes(path: string): number | null {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export interface WriterSpace {
  /** checkpoint_threshold for DuckDB in bytes; null: the default fits. */
  readonly checkpointThreshold: number | null;
  /** Free bytes when it was measured; null: unknown. */
  readonly free: number | null;
  /** One line for the operator when the threshold was lowered; null otherwise. */
  readonly note: string | null;
}

/** Not enough free space to start: says how much there is and how much is needed. */
export class NotEnoughSpaceError extends Error {
  override readonly name = "NotEnoughSpaceError";
}

export const mb = (bytes: number): string => `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;

/**
 * The checkpoint threshold for a database at `path` given the free space of its disk: the default,
 * or a quarter of what is free once the existing WAL is set aside (it must be checkpointed first).
 * Throws NotEnoughSpaceError when not even MIN_CHECKPOINT_THRESHOLD fits. `measured`: free bytes
 * and WAL size as measured (default: statfs and the WAL file now).
 */
export function planWriterSpace(path: string, measured?: { readonly free: number | null; readonly wal: number }): WriterSpace {
  const free = measured ? measured.free : freeBytes(existsSync(path) ? path : dirname(path));
  if (free === null) return { checkpointThreshold: null, free, note: null };
  const wal = measured ? measured.wal : sizeOf(`${path}.wal`);
  const room = free - wal;
  const threshold = Math.min(DEFAULT_CHECKPOINT_THRESHOLD, Math.floor(room / SPACE_PER_THRESHOLD / MB) * MB);
  if (threshold < MIN_CHECKPOINT_THRESHOLD) {
    const needed = wal + SPACE_PER_THRESHOLD * MIN_CHECKPOINT_THRESHOLD;
    throw new NotEnoughSpaceError(
      `only ${mb(free)} free on the disk of ${path}; the sink needs at least ${mb(needed)}` +
        (wal > 0 ? ` (its ${mb(wal)} WAL must be checkpointed into the database first)` : "") +
        `: free some space or put the database elsewhere (--db)`,
    );
  }
  if (threshold >= DEFAULT_CHECKPOINT_THRESHOLD) return { checkpointThreshold: null, free, note: null };
  const note = `note: ${mb(free)} free on the disk of ${path}: checkpointing every ${mb(threshold)} of WAL instead of ${mb(DEFAULT_CHECKPOINT_THRESHOLD)} (about ${mb(threshold * SPACE_PER_THRESHOLD)} of room needed besides the database's own growth)`;
  return { checkpointThreshold: threshold, free, note };
}

/** A hint after a failed write on a short disk (null when space is not the likely cause). */
export function spaceHint(path: string, diskFull: boolean): string | null {
  const free = freeBytes(existsSync(path) ? path : dirname(path));
  const wal = sizeOf(`${path}.wal`);
  const checkpointRoom = Math.max(wal, MIN_CHECKPOINT_THRESHOLD) * SPACE_PER_THRESHOLD;
  if (!diskFull && (free === null || free > checkpointRoom)) return null;
  return (
    `the disk of ${path} has ${free === null ? "an unknown amount" : mb(free)} free (the database takes ${mb(sizeOf(path))}, its WAL ${mb(wal)}); ` +
    `the sink needs room for the database's growth plus at least ${mb(checkpointRoom)} to checkpoint: free space or move the database, ` +
    `then run again without --start to resume after the last committed ledger`
  );
}
