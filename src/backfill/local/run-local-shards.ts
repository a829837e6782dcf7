// `--parallel N` on one machine: N child processes (each a shard at a time, on its own core), fed
// from an in-process shard queue. A child that dies fails its attempt (the queue retries the shard)
// and is replaced.
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { LocalShardQueue } from "../local-shard-queue.ts";
import type { ShardLease } from "../shard-queue.ts";
import type { WorkerEvent } from "../work-shards.ts";
import type { FromChild, ShardChildConfig } from "./child-protocol.ts";

export interface RunLocalShardsOptions {
  readonly queue: LocalShardQueue;
  readonly parallel: number;
  readonly config: ShardChildConfig;
  readonly signal?: AbortSignal;
  /** Each shard started, done or failed, by child (slot) and process id. */
  readonly onEvent?: (event: WorkerEvent & { readonly child: number; readonly pid: number }) => void;
  /** Environment of the children (default: this process's, with the pipeline's JavaScriptCore heap setting). */
  readonly env?: Record<string, string | undefined>;
  /**
   * A child that says nothing (no progress, no outcome) for this long is killed and its attempt
   * failed (default 60 s, the local queue's lease): a hung child would otherwise hold its slot forever.
   */
  readonly silenceMs?: number;
}

export const DEFAULT_CHILD_SILENCE_MS = 60_000;

export interface ChildFigures {
  readonly child: number;
  readonly shards: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

const CHILD = join(import.meta.dir, "shard-child.ts");

class ShardChild {
  #proc: Subprocess;
  #listener: ((message: FromChild) => void) | null = null;
  #ready: Promise<void>;
  readonly exited: Promise<number>;

  constructor(config: ShardChildConfig, env: Record<string, string | undefined>) {
    let ready!: () => void;
    this.#ready = new Promise((resolve) => (ready = resolve));
    this.#proc = Bun.spawn(["bun", CHILD, JSON.stringify(config)], {
      stdio: ["ignore", "inherit", "inherit"],
      env,
      ipc: (message: FromChild) => (message.kind === "ready" ? ready() : this.#listener?.(message)),
    });
    this.exited = this.#proc.exited;
  }

  /** Runs a shard in the child; resolves with its outcome, or rejects when the child dies or falls silent for `silenceMs`. */
  async run(lease: ShardLease, silenceMs: number): Promise<Extract<FromChild, { kind: "done" }>> {
    let silent = false;
    let watchdog: Timer | undefined;
    const heard = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        silent = true;
        this.#proc.kill("SIGKILL");
      }, silenceMs);
    };
    const gone = (code: number | null) => new Error(silent ? `the child process writing it said nothing for ${silenceMs} ms: killed` : `the child process writing it exited (code ${code})`);
    heard();
    try {
      await Promise.race([this.#ready, this.exited]);
      if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) throw gone(this.#proc.exitCode);
      heard();
      return await new Promise((resolve, reject) => {
        void this.exited.then((code) => reject(gone(code)));
        this.#listener = (message) => {
          heard();
          if (message.kind === "progress") void lease.working(message).catch(() => undefined);
          else if (message.kind === "done") resolve(message);
          else if (message.kind === "failed") reject(new Error(message.error));
        };
        this.#proc.send({ kind: "run", task: lease.task });
      });
    } finally {
      clearTimeout(watchdog);
    }
  }

  get pid(): number {
    return this.#proc.pid;
  }

  stop(): void {
    try {
      this.#proc.send({ kind: "stop" });
    } catch {
      // already gone
    }
  }
}

export async function runLocalShards(options: RunLocalShardsOptions): Promise<ChildFigures[]> {
  if (!Number.isSafeInteger(options.parallel) || options.parallel < 1) throw new RangeError(`--parallel must be at least 1, got ${options.parallel}`);
  const env = options.env ?? { ...process.env, BUN_JSC_forceRAMSize: process.env.BUN_JSC_forceRAMSize ?? "402653184" };
  const slot = async (child: number): Promise<ChildFigures> => {
    const figures = { child, shards: 0, cpuMs: 0, peakRssMb: 0 };
    let proc = new ShardChild(options.config, env);
    const stop = () => proc.stop(); // interrupted: the child stops mid-shard (its staged files are swept by the next writer)
    options.signal?.addEventListener("abort", stop, { once: true });
    try {
      while (!options.signal?.aborted) {
        // a slot stays while shards run elsewhere: one of them may fail and be queued again
        const lease = await options.queue.take({ signal: options.signal, untilSettled: true });
        if (!lease) break;
        const started = performance.now();
        options.onEvent?.({ kind: "started", task: lease.task, attempt: lease.attempt, child, pid: proc.pid });
        try {
          const result = await proc.run(lease, options.silenceMs ?? DEFAULT_CHILD_SILENCE_MS);
          await lease.done(result);
          figures.shards++;
          figures.cpuMs += result.cpuMs;
          figures.peakRssMb = Math.max(figures.peakRssMb, result.peakRssMb);
          options.onEvent?.({ kind: "done", task: lease.task, totals: result, ms: performance.now() - started, child, pid: proc.pid });
        } catch (caught) {
          const error = caught as Error;
          await lease.failed(error);
          if (options.signal?.aborted) break; // stopped by the interruption, not failed
          options.onEvent?.({ kind: "failed", task: lease.task, attempt: lease.attempt, error, child, pid: proc.pid });
          if ((await Promise.race([proc.exited, Bun.sleep(0).then(() => null)])) !== null) proc = new ShardChild(options.config, env);
        }
      }
    } finally {
      options.signal?.removeEventListener("abort", stop);
      proc.stop();
      await proc.exited;
    }
    return figures;
  };
  return Promise.all(Array.from({ length: options.parallel }, (_, i) => slot(i + 1)));
}
