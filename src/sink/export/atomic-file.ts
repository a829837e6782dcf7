// Exports replace their files atomically: DuckDB writes to a temporary name in the same folder, and
// only a complete file is renamed over the final name. A failed export (a full disk, a refused
// amount) leaves an earlier good export untouched and no partial file under the final name.
import { renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * A temporary name next to `file` (same folder, so the rename stays on one file system), the same
 * for the whole process: DuckDB's sandbox is told the names it may write before it is locked.
 */
export function temporaryNameFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/**
 * Runs `write` with a temporary name for each of `files`, then renames each into place; on a
 * failure the temporary files are removed and the final ones left as they were.
 */
export async function writeAtomically<T>(files: readonly string[], write: (temporary: readonly string[]) => Promise<T>): Promise<T> {
  const temporary = files.map(temporaryNameFor);
  try {
    const result = await write(temporary);
    files.forEach((file, i) => renameSync(temporary[i]!, file));
    return result;
  } catch (error) {
    for (const file of temporary) rmSync(file, { force: true });
    throw error;
  }
}
