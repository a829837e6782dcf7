// Wall time spent per pipeline stage (main thread), summed over a run.
export class StageClock {
  readonly ms: Record<string, number> = {};

  time<T>(stage: string, step: () => T): T {
    const started = performance.now();
    try {
      return step();
    } finally {
      this.ms[stage] = (this.ms[stage] ?? 0) + performance.now() - started;
    }
  }

  async timeAsync<T>(stage: string, step: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await step();
    } finally {
      this.ms[stage] = (this.ms[stage] ?? 0) + performance.now() - started;
    }
  }
}
