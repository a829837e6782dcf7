// Where tests find the shared real-ledger samples: $STELLAR_LEDGERS_DIR, or ../shared/ledgers beside the repo.
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dir, "..", "..");

/** Absolute path of the shared ledgers folder (read in place, never copied into the repo). */
export const LEDGERS_DIR = resolve(process.env.STELLAR_LEDGERS_DIR ?? join(repoRoot, "..", "shared", "ledgers"));

/** Absolute path of one data lake (or other entry) in LEDGERS_DIR, e.g. lakePath("pubnet"). */
export function lakePath(name: string): string {
  return join(LEDGERS_DIR, name);
}
