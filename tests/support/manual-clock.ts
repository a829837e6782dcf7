// A Clock (src/timing/clock.ts) that tests move by hand: time stands still until advance(), and a
// sleep ends only when time reaches it (or its signal aborts). What code waited for, and how long,
// is asserted on the clock instead of on the wall clock.
import type { Clock } from "../../src/timing/clock.ts";

interface Sleeper {
  readonly at: number;
  readonly ms: number;
  readonly wake: () => void;
}

export class ManualClock implements Clock {
  #now = 0;
  #sleepers: Sleeper[] = [];
  #onSleep: (() => void)[] = [];
  /** Every sleep asked for, in order (ms). */
  readonly asked: number[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        ms,
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
      this.asked.push(ms);
      for (const notify of this.#onSleep.splice(0)) notify();
    });
  }

  /** The sleeps waiting now (ms each was asked for), soonest first. */
  get pending(): number[] {
    return [...this.#sleepers].sort((a, b) => a.at - b.at).map((s) => s.ms);
  }

  /**
   * Resolves with the length of the soonest sleep once at least one is waiting, after what was
   * already under way has settled (polled: the code under test may be in I/O).
   */
  async nextSleep(timeoutMs = 10_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    await new Promise((resolve) => setTimeout(resolve, 0));
    while (this.#sleepers.length === 0) {
      if (performance.now() > deadline) throw new Error(`no sleep began within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#onSleep.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.pending[0]!;
  }

  /** Moves time on by `ms`, waking (in order) every sleep due by then. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.at <= this.#now).sort((a, b) => a.at - b.at);
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now);
    for (const sleeper of due) sleeper.wake();
  }

  /**
   * Runs `work` to its end, moving time to each sleep as soon as the code has nothing else to do
   * (for code that only computes and waits on this clock). Throws when the work waits on
   * something else for `stallMs` of real time (a hang, named instead of a test timeout).
   */
  async runToEnd<T>(work: Promise<T>, stallMs = 2000): Promise<T> {
    let settled = false;
    const done = work.finally(() => (settled = true));
    done.catch(() => undefined);
    let idleSince = performance.now();
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 0)); // what is not waiting on this clock runs first
      if (settled) break;
      const soonest = [...this.#sleepers].sort((a, b) => a.at - b.at)[0];
      if (soonest) {
        this.advance(soonest.at - this.#now);
        idleSince = performance.now();
      } else if (performance.now() - idleSince > stallMs) {
        throw new Error(`runToEnd: the work neither ended nor slept on the clock for ${stallMs} ms (at clock time ${this.#now} ms, after sleeps ${this.asked.join(", ")})`);
      }
    }
    return done;
  }
}
