// Pacing to at most N ledgers per second (for demos, gentle reads, a deliberately slow sink and
// tests): how long to wait after so many ledgers, measured from when the pacer was made.
import { systemClock, type Clock } from "./clock.ts";

export class Pacer {
  readonly #started: number;
  #ledgers = 0;

  /** `ledgersPerSecond` null or 0: no pacing. */
  constructor(
    private readonly ledgersPerSecond: number | null,
    private readonly clock: Clock = systemClock,
  ) {
    this.#started = clock.now();
  }

  /** Counts `ledgers` more; answers how long to wait (ms, 0: none) to stay within the pace. */
  add(ledgers: number): number {
    this.#ledgers += ledgers;
    if (!this.ledgersPerSecond) return 0;
    return Math.max(0, (this.#ledgers * 1000) / this.ledgersPerSecond - (this.clock.now() - this.#started));
  }

  /** Counts `ledgers` more and waits as long as the pace asks (`beforeWait` first, when there is a wait). */
  async pace(ledgers: number, signal?: AbortSignal, beforeWait?: () => Promise<void>): Promise<void> {
    const due = this.add(ledgers);
    if (due <= 0) return;
    await beforeWait?.();
    await this.clock.sleep(due, signal);
  }
}
