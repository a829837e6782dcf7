// A per-second rate of a growing total over a sliding window (default 10 s).

export class RateWindow {
  readonly #samples: { at: number; total: number }[] = [];

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the total as of now. */
  record(total: number): void {
    const at = this.now();
    this.#samples.push({ at, total });
    // keep one sample at or before the window's start, as the base of the rate
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - this.windowMs) this.#samples.shift();
  }

  /** Growth per second from the window's base sample to now (0 before two samples). */
  perSecond(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last === first) return 0;
    const now = this.now();
    const base = this.#samples.findLast((s) => s.at <= now - this.windowMs) ?? first;
    const seconds = (now - base.at) / 1000;
    return seconds > 0 ? (last.total - base.total) / seconds : 0;
  }
}
