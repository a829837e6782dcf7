// The built Worker bundle run in workerd through miniflare (npm: it brings workerd's binary, nothing
// is downloaded at run time), with bindings as its env; requests go through miniflare's dispatchFetch.
import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { Miniflare } from "miniflare";

export interface RunningWorker {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** workerd's process id (for its CPU time), when it can be found. */
  readonly pid: number | null;
  dispose(): Promise<void>;
}

/** Children of this process named workerd, before and after a start: the new one is miniflare's. */
function workerdPids(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm === "workerd" && ppid === process.pid) pids.add(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** `cache: false` turns the Cache API into a no-op (every ledger object read from the lake). */
export async function startWorker(bundle: string, bindings: Record<string, string>, options: { cache?: boolean } = {}): Promise<RunningWorker> {
  const before = workerdPids();
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: bundle, contents: readFileSync(bundle, "utf8") }],
    modulesRoot: dirname(bundle),
    compatibilityDate: "2025-01-01",
    bindings,
    cache: options.cache ?? true,
  });
  await mf.ready;
  const started = [...workerdPids()].filter((pid) => !before.has(pid));
  return {
    pid: started.length === 1 ? started[0]! : null,
    fetch: (path, init) => mf.dispatchFetch(`http://edge.test${path}`, init as never) as unknown as Promise<Response>,
    dispose: () => mf.dispose(),
  };
}
