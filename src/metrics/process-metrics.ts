// The process_* metrics every Prometheus client library exports (start time, CPU, resident and
// virtual memory, file descriptors), read when scraped, and a build_info gauge. Linux's /proc gives
// the memory and descriptor figures; elsewhere those samples are left out.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Labels, MetricFamily } from "./prometheus.ts";

const START_TIME_SECONDS = Date.now() / 1000 - process.uptime();
const PAGE_BYTES = 4096;

function readOrNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Soft limit of open files, from /proc/self/limits. */
function maxFds(): number | null {
  const line = readOrNull(() => readFileSync("/proc/self/limits", "utf8"))
    ?.split("\n")
    .find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : null;
}

const gauge = (name: string, help: string, value: number | null): MetricFamily[] => (value === null ? [] : [{ name, help, type: "gauge", samples: [{ value }] }]);

export function processFamilies(): MetricFamily[] {
  const cpu = process.cpuUsage();
  const virtualPages = readOrNull(() => Number(readFileSync("/proc/self/statm", "utf8").split(" ")[0]));
  return [
    { name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: "counter", samples: [{ value: (cpu.user + cpu.system) / 1e6 }] },
    ...gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", Math.round(START_TIME_SECONDS * 1000) / 1000),
    ...gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.memoryUsage.rss()),
    ...gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", virtualPages === null || !Number.isFinite(virtualPages) ? null : virtualPages * PAGE_BYTES),
    ...gauge("process_open_fds", "Number of open file descriptors.", readOrNull(() => readdirSync("/proc/self/fd").length)),
    ...gauge("process_max_fds", "Maximum number of open file descriptors.", maxFds()),
  ];
}

let gitCommit: string | null | undefined;

/** The commit the code was checked out at: $STELLAR_FLOW_GIT_COMMIT, else `git rev-parse HEAD` in the repository (asked once); null when unknown. */
export function sourceCommit(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const given = env.STELLAR_FLOW_GIT_COMMIT?.trim();
  if (given) return given;
  if (gitCommit !== undefined) return gitCommit;
  const result = readOrNull(() => Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: resolve(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "ignore", timeout: 2000 }));
  const hash = result?.exitCode === 0 ? result.stdout.toString().trim() : "";
  gitCommit = /^[0-9a-f]{40,64}$/.test(hash) ? hash : null;
  return gitCommit;
}

/** `<prefix>_build_info{version, bun_version, git_commit} 1` (git_commit left out when unknown). */
export function buildInfoFamily(prefix: string, version: string, extra: Labels = {}): MetricFamily {
  const commit = sourceCommit();
  return {
    name: `${prefix}_build_info`,
    help: "Always 1; its labels say which build is running.",
    type: "gauge",
    samples: [{ labels: { version, bun_version: Bun.version, ...(commit ? { git_commit: commit } : {}), ...extra }, value: 1 }],
  };
}
