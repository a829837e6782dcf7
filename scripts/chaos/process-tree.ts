// A process and its descendants, read from /proc (Linux): who they are, and their memory while a
// run goes on. VmHWM is the kernel's own peak of a process's resident set, so a sampler cannot miss
// a peak between samples; the tree's total is the sum of the processes' VmRSS at each sample.
import { readFileSync, readdirSync } from "node:fs";

export interface ProcessInfo {
  readonly pid: number;
  /** The command line, arguments joined by spaces. */
  readonly command: string;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Child pids of `pid` (every thread's children), [] once it is gone. */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const task of tasks) {
    for (const child of (read(`/proc/${pid}/task/${task}/children`) ?? "").split(" ")) if (child.trim()) out.push(Number(child));
  }
  return out;
}

export function commandOf(pid: number): string | null {
  const raw = read(`/proc/${pid}/cmdline`);
  return raw === null ? null : raw.split("\0").filter(Boolean).join(" ");
}

/** Whether `pid` runs (a zombie, dead but not yet reaped, does not). */
export function isAlive(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

/** `pid` and all its descendants. */
export function processTree(pid: number): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const command = commandOf(next);
    if (command === null) continue;
    out.push({ pid: next, command });
    queue.push(...childrenOf(next));
  }
  return out;
}

/** VmHWM and VmRSS of a process in bytes, null once it is gone. */
export function memoryOf(pid: number): { hwm: number; rss: number } | null {
  const status = read(`/proc/${pid}/status`);
  if (status === null) return null;
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  const hwm = kb("VmHWM");
  const rss = kb("VmRSS");
  return Number.isNaN(hwm) ? null : { hwm, rss };
}

export interface TreeMemory {
  /** Peak resident set (VmHWM) per process, by the name `label` gave it. */
  readonly peakByProcess: Record<string, number>;
  /** Highest sum of the tree's resident sets seen at one sample. */
  readonly peakTreeTotal: number;
}

/**
 * Samples a process tree every `intervalMs` until stopped: each process's last VmHWM (its peak so
 * far) and the tree's total. `label` names a process from its command line (null: not counted, e.g.
 * the `bun run` wrapper).
 */
export class TreeSampler {
  readonly #peaks = new Map<number, { name: string; hwm: number }>();
  /** Every process seen in the tree, by pid (they may outlive the root: orphans). */
  readonly seen = new Map<number, ProcessInfo>();
  #peakTotal = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly root: number,
    private readonly label: (command: string) => string | null,
    intervalMs = 100,
  ) {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): ProcessInfo[] {
    const tree = processTree(this.root);
    let total = 0;
    for (const process of tree) {
      if (!this.seen.has(process.pid)) this.seen.set(process.pid, process);
      const name = this.label(process.command);
      if (name === null) continue;
      const memory = memoryOf(process.pid);
      if (memory === null) continue;
      total += memory.rss;
      const peak = this.#peaks.get(process.pid);
      if (!peak || memory.hwm > peak.hwm) this.#peaks.set(process.pid, { name, hwm: memory.hwm });
    }
    this.#peakTotal = Math.max(this.#peakTotal, total);
    return tree;
  }

  /** The processes of the tree with this label right now. */
  find(name: string): ProcessInfo[] {
    return processTree(this.root).filter((p) => this.label(p.command) === name);
  }

  stop(): TreeMemory {
    clearInterval(this.#timer);
    const peakByProcess: Record<string, number> = {};
    // a restarted child is another process of the same name: its peak is the highest of them
    for (const { name, hwm } of this.#peaks.values()) peakByProcess[name] = Math.max(peakByProcess[name] ?? 0, hwm);
    return { peakByProcess, peakTreeTotal: this.#peakTotal };
  }
}

/** "pipeline", "source", "processor", "sink", "flowctl" for the project's commands; null otherwise. */
export function stellarFlowProcess(command: string): string | null {
  const script = /src\/cli\/(pipeline|source|processor|sink|flowctl)\.ts/.exec(command)?.[1];
  if (!script) return null;
  return script === "pipeline" && command.includes("--processes") ? "supervisor" : script;
}
