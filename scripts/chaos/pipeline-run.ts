// One `bun run pipeline ...` as a user runs it, watched: its output lines, its process tree and
// memory, a way to SIGKILL one of its processes by name, and what it left running when it ended.
import type { Subprocess } from "bun";
import { commandOf, isAlive, stellarFlowProcess, TreeSampler, type ProcessInfo, type TreeMemory } from "./process-tree.ts";

export interface RunResult {
  readonly code: number | null;
  readonly seconds: number;
  readonly memory: TreeMemory;
  readonly timedOut: boolean;
  /** The project's processes of this run still alive after it ended (and a grace period). */
  readonly orphans: readonly ProcessInfo[];
  /** The last lines of its output (stdout and stderr). */
  readonly tail: readonly string[];
  /** Every stdout line. */
  readonly stdout: readonly string[];
}

export interface PipelineRunOptions {
  readonly cwd: string;
  readonly args: readonly string[];
  /** The run is killed (every process of it) past this. */
  readonly timeoutMs: number;
  /** How long processes left behind get to stop by themselves before they are called orphans. */
  readonly orphanGraceMs?: number;
}

const TAIL = 40;

export class PipelineRun {
  readonly started = performance.now();
  readonly #proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly #sampler: TreeSampler;
  readonly #tail: string[] = [];
  readonly #stdout: string[] = [];
  readonly done: Promise<RunResult>;
  #exited = false;

  constructor(readonly options: PipelineRunOptions) {
    this.#proc = Bun.spawn(["bun", "run", "pipeline", ...options.args], { cwd: options.cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: process.env });
    this.#sampler = new TreeSampler(this.#proc.pid, stellarFlowProcess);
    const streams = Promise.all([this.#lines(this.#proc.stdout, true), this.#lines(this.#proc.stderr, false)]);
    this.done = this.#finish(streams);
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Seconds since the run started. */
  elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** The run's live processes called `name` ("pipeline", "supervisor", "source", ...). */
  processes(name: string): ProcessInfo[] {
    return this.#exited ? [] : this.#sampler.find(name);
  }

  /** SIGKILLs the (first) live process called `name`; its pid, or null if there is none. */
  kill(name: string): number | null {
    const target = this.processes(name)[0];
    if (!target) return null;
    process.kill(target.pid, "SIGKILL");
    return target.pid;
  }

  async #lines(stream: ReadableStream<Uint8Array>, stdout: boolean): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    const line = (text: string) => {
      this.#tail.push(text);
      if (this.#tail.length > TAIL) this.#tail.shift();
      if (stdout) this.#stdout.push(text);
    };
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split(/\r?\n|\r/);
      rest = lines.pop()!;
      for (const text of lines) line(text);
    }
    rest += decoder.decode();
    if (rest) line(rest);
  }

  async #finish(streams: Promise<unknown>): Promise<RunResult> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      for (const { pid, command } of this.#sampler.seen.values()) if (isAlive(pid) && commandOf(pid) === command) process.kill(pid, "SIGKILL");
    }, this.options.timeoutMs);
    const code = await this.#proc.exited;
    const seconds = this.elapsed();
    await streams;
    clearTimeout(timer);
    this.#exited = true;
    const memory = this.#sampler.stop();
    const orphans = await this.#leftBehind();
    return { code: this.#proc.signalCode ? null : code, seconds, memory, timedOut, orphans, tail: this.#tail, stdout: this.#stdout };
  }

  /** The project's processes of the run that outlive it by more than the grace period. */
  async #leftBehind(): Promise<ProcessInfo[]> {
    const ours = [...this.#sampler.seen.values()].filter((p) => stellarFlowProcess(p.command) !== null);
    const alive = () => ours.filter((p) => isAlive(p.pid) && commandOf(p.pid) === p.command);
    const deadline = performance.now() + (this.options.orphanGraceMs ?? 5_000);
    while (alive().length > 0 && performance.now() < deadline) await Bun.sleep(100);
    return alive();
  }
}

/** SIGKILLs processes a run left behind and waits until they are gone. */
export async function killOrphans(orphans: readonly ProcessInfo[]): Promise<void> {
  for (const { pid, command } of orphans) if (isAlive(pid) && commandOf(pid) === command) process.kill(pid, "SIGKILL");
  while (orphans.some(({ pid, command }) => isAlive(pid) && commandOf(pid) === command)) await Bun.sleep(50);
}
