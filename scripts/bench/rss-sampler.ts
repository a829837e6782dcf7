// Samples the process's resident set size (worker threads included) while a run goes on.
export class RssSampler {
  readonly samples: number[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(intervalMs = 100) {
    this.samples.push(process.memoryUsage().rss);
    this.#timer = setInterval(() => this.samples.push(process.memoryUsage().rss), intervalMs);
  }

  stop(): { peakMb: number; firstQuarterPeakMb: number; lastQuarterPeakMb: number } {
    clearInterval(this.#timer);
    this.samples.push(process.memoryUsage().rss);
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    const quarter = Math.max(1, Math.floor(this.samples.length / 4));
    return {
      peakMb: mb(Math.max(...this.samples)),
      firstQuarterPeakMb: mb(Math.max(...this.samples.slice(0, quarter))),
      lastQuarterPeakMb: mb(Math.max(...this.samples.slice(-quarter))),
    };
  }
}
