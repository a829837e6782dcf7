// Runs child processes and keeps them running: a child that dies (crash, SIGKILL) is started again
// with exponential backoff, at most `maxRestarts` times each; one that exits 0 or 1 on purpose is
// left alone and reported; one that exits with a transient code (its database locked by another
// process) is started again with backoff too, on a budget of its own. stop() sends SIGTERM, then
// SIGKILL to whatever is still there.
import type { Subprocess } from "bun";

export interface ChildSpec {
  readonly name: string;
  readonly cmd: readonly string[];
  /** The command of a restart, when it differs (e.g. the sink without --start: a restart resumes). */
  readonly restartCmd?: readonly string[];
  readonly env?: Record<string, string | undefined>;
  /** Exit codes that end the child for good (no restart). */
  readonly finalCodes?: readonly number[];
  /** Exit codes that say "not now" (e.g. a database another process holds): started again, on their own budget. */
  readonly transientCodes?: readonly number[];
}

export interface ChildState {
  readonly name: string;
  pid: number | null;
  restarts: number;
  /** Starts again after a transient exit code. */
  transientRetries: number;
  state: "running" | "restarting" | "exited" | "failed" | "stopped";
  lastExit: string | null;
}

export interface SupervisorOptions {
  readonly cwd: string;
  readonly maxRestarts?: number;
  /** Starts again after transient exit codes, per child (default 12: about a minute of backoff). */
  readonly maxTransientRetries?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A line of a child's stdout or stderr. */
  readonly output: (name: string, stream: "stdout" | "stderr", line: string) => void;
  /** The child ended for good: a final exit code, or too many restarts. */
  readonly onFinal: (name: string, code: number | null, reason: string) => void;
  readonly log: (message: string) => void;
}

export class Supervisor {
  readonly states = new Map<string, ChildState>();
  readonly #procs = new Map<string, Subprocess>();
  readonly #options: SupervisorOptions;
  #stopping = false;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** The last line each child wrote to stderr: why it exited, for the log. */
  readonly #lastError = new Map<string, string>();

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  start(spec: ChildSpec): void {
    const state: ChildState = this.states.get(spec.name) ?? { name: spec.name, pid: null, restarts: 0, transientRetries: 0, state: "running", lastExit: null };
    this.states.set(spec.name, state);
    // a crashed child restarts with restartCmd when it has one; a transient exit retries the same command
    const cmd = state.restarts > 0 && spec.restartCmd ? spec.restartCmd : spec.cmd;
    // stdin: a pipe the child watches (exit-with-parent.ts); it reads end of file when this process dies.
    const proc = Bun.spawn([...cmd], { cwd: this.#options.cwd, env: spec.env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    this.#procs.set(spec.name, proc);
    state.pid = proc.pid;
    state.state = "running";
    const output = Promise.all([this.#lines(spec.name, "stdout", proc.stdout), this.#lines(spec.name, "stderr", proc.stderr)]);
    // Its last words (why it exited) are read before the exit is acted on, waiting a second at most.
    const drained = Promise.race([output, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    void proc.exited.then(async (code) => {
      await drained.catch(() => undefined);
      this.#exited(spec, proc, code);
    });
  }

  /** The child's process, while it runs. */
  process(name: string): Subprocess | undefined {
    return this.#procs.get(name);
  }

  /** Stops the children, `last` (e.g. flowctl, so that the others can unregister) after the rest. */
  async stop(graceMs = 5000, last: readonly string[] = []): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    const names = [...this.#procs.keys()];
    for (const group of [names.filter((n) => !last.includes(n)), names.filter((n) => last.includes(n))]) {
      const procs = group.map((name) => this.#procs.get(name)!);
      for (const proc of procs) if (proc.exitCode === null) proc.kill("SIGTERM");
      const killer = setTimeout(() => {
        for (const proc of procs) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      }, graceMs);
      await Promise.all(procs.map((proc) => proc.exited));
      clearTimeout(killer);
    }
    for (const state of this.states.values()) if (state.state === "running" || state.state === "restarting") state.state = "stopped";
  }

  #exited(spec: ChildSpec, proc: Subprocess, code: number): void {
    if (this.#procs.get(spec.name) !== proc) return;
    const state = this.states.get(spec.name)!;
    state.pid = null;
    state.lastExit = proc.signalCode ? `killed by ${proc.signalCode}` : `exit code ${code}`;
    if (this.#stopping) {
      state.state = "stopped";
      return;
    }
    if (proc.signalCode === null && (spec.transientCodes ?? []).includes(code)) {
      const max = this.#options.maxTransientRetries ?? 12;
      const why = this.#lastError.get(spec.name);
      const reason = `${state.lastExit}${why ? `: ${why}` : ""}`;
      if (state.transientRetries >= max) {
        state.state = "failed";
        this.#options.onFinal(spec.name, code, `${reason}; tried again ${max} times already`);
        return;
      }
      state.transientRetries++;
      this.#restartLater(spec, state, state.transientRetries, `${spec.name} could not start yet (${reason})`, `attempt ${state.transientRetries} of ${max}`);
      return;
    }
    if (proc.signalCode === null && (spec.finalCodes ?? []).includes(code)) {
      state.state = code === 0 ? "exited" : "failed";
      this.#options.onFinal(spec.name, code, state.lastExit);
      return;
    }
    const max = this.#options.maxRestarts ?? 5;
    if (state.restarts >= max) {
      state.state = "failed";
      this.#options.onFinal(spec.name, proc.signalCode ? null : code, `${state.lastExit}, restarted ${max} times already`);
      return;
    }
    state.restarts++;
    this.#restartLater(spec, state, state.restarts, `${spec.name} ended (${state.lastExit})`, `restart ${state.restarts} of ${max}`);
  }

  /** Starts `spec` again after exponential backoff (the `attempt`th in a row), saying why. */
  #restartLater(spec: ChildSpec, state: ChildState, attempt: number, what: string, count: string): void {
    state.state = "restarting";
    const delay = Math.min(this.#options.maxBackoffMs ?? 8000, (this.#options.initialBackoffMs ?? 250) * 2 ** (attempt - 1));
    this.#options.log(`supervisor: ${what}; starting it again in ${Math.round(delay)} ms (${count})`);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopping) this.start(spec);
    }, delay);
    this.#timers.add(timer);
  }

  async #lines(name: string, stream: "stdout" | "stderr", body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of body) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const line of lines) this.#line(name, stream, line);
    }
    rest += decoder.decode();
    if (rest) this.#line(name, stream, rest);
  }

  #line(name: string, stream: "stdout" | "stderr", line: string): void {
    if (stream === "stderr" && line.trim() !== "") this.#lastError.set(name, line.replace(/^error: /, ""));
    this.#options.output(name, stream, line);
  }
}
