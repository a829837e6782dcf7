// The TCP ports a local process listens on (Linux /proc: its socket inodes, matched against the
// kernel's tables of listening sockets), for pointing at a running pipeline's sink. Empty elsewhere,
// or when the process is another user's.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

const LISTEN = "0A";

export function listeningPorts(pid: number): number[] {
  let inodes: Set<string>;
  try {
    inodes = new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? null;
          } catch {
            return null; // closed meanwhile
          }
        })
        .filter((inode): inode is string => inode !== null),
    );
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields.length < 10 || fields[3] !== LISTEN || !inodes.has(fields[9]!)) continue;
      ports.add(parseInt(fields[1]!.split(":")[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
