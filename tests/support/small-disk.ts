// A small disk for disk-full tests: a tmpfs of a given size mounted on a new temporary folder. Only
// root (CAP_SYS_ADMIN) may mount one; elsewhere `smallDisk` answers why not, and the tests that
// need it are skipped with that reason.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SmallDisk {
  readonly dir: string;
  remove(): void;
}

/** A tmpfs of `size` (mount's syntax: "16m", "512k"), or the reason it cannot be mounted. */
export function smallDisk(size: string): SmallDisk | string {
  const dir = mkdtempSync(join(tmpdir(), "stellar-flow-small-disk-"));
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdout: "ignore", stderr: "pipe" });
  if (mount.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a ${size} tmpfs (mount says: ${mount.stderr.toString().trim() || `exit code ${mount.exitCode}`}); it needs root or CAP_SYS_ADMIN`;
  }
  return {
    dir,
    remove() {
      Bun.spawnSync(["umount", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why tmpfs tests cannot run here (logged once), or null when they can. */
export function smallDiskUnavailable(): string | null {
  const probe = smallDisk("1m");
  if (typeof probe !== "string") {
    probe.remove();
    return null;
  }
  console.warn(`skipping the tests on a small tmpfs: ${probe}`);
  return probe;
}
