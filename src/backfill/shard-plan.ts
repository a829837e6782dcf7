// Splitting a ledger range into shards: blocks of `shardSize` ledgers aligned to multiples of it
// (block k holds k*size .. k*size+size-1), the first and last cut to the range. Pure.

/** An inclusive range of ledgers, as a shard covers it. */
export interface ShardRange {
  readonly start: number;
  readonly end: number;
}

export const DEFAULT_SHARD_SIZE = 10_000;
/** Ledger sequences are uint32. */
export const MAX_LEDGER = 0xffff_ffff;
/** A plan holds at most this many shards (a bigger --shard-size then). */
export const MAX_SHARDS = 1_000_000;

/** Input that cannot be planned: names the flag and the value. */
export class BackfillInputError extends Error {
  override readonly name = "BackfillInputError";
}

function checkLedger(flag: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_LEDGER) {
    throw new BackfillInputError(`${flag} must be a ledger sequence from 1 to ${MAX_LEDGER} (got ${value})`);
  }
}

/** The shards of [range.start, range.end], in ascending order. */
export function planShards(range: ShardRange, shardSize: number = DEFAULT_SHARD_SIZE): ShardRange[] {
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw new BackfillInputError(`--shard-size must be a whole number of ledgers, at least 1 (got ${shardSize})`);
  }
  checkLedger("--start", range.start);
  checkLedger("--end", range.end);
  if (range.start > range.end) throw new BackfillInputError(`--start ${range.start} is after --end ${range.end}: nothing to backfill`);
  const first = Math.floor(range.start / shardSize);
  const last = Math.floor(range.end / shardSize);
  if (last - first + 1 > MAX_SHARDS) {
    throw new BackfillInputError(
      `ledgers ${range.start}-${range.end} in shards of ${shardSize} make ${last - first + 1} shards, more than ${MAX_SHARDS}: use a larger --shard-size`,
    );
  }
  const shards: ShardRange[] = [];
  for (let block = first; block <= last; block++) {
    shards.push({ start: Math.max(range.start, block * shardSize), end: Math.min(range.end, block * shardSize + shardSize - 1) });
  }
  return shards;
}

export function describeRange(range: ShardRange): string {
  return range.start === range.end ? `ledger ${range.start}` : `ledgers ${range.start}-${range.end}`;
}

/** Whether two ranges share a ledger. */
export function overlaps(a: ShardRange, b: ShardRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Whether `inner` lies within `outer`. */
export function contains(outer: ShardRange, inner: ShardRange): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}
