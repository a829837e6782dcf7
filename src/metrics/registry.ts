// Counters, gauges and histograms with labels, kept in memory and rendered as metric families on
// each scrape. Label values are given per call; the label names are fixed when a metric is declared.
import type { Labels, MetricFamily, Sample } from "./prometheus.ts";

/** Latencies from 100 us to 10 s: a ledger's decode, a commit, a lake object, an RPC. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One series per combination of label values, keyed by the values in the declared order. */
class Series<T> {
  readonly #values = new Map<string, { labels: Labels; value: T }>();

  constructor(
    readonly metric: string,
    readonly labelNames: readonly string[],
    private readonly initial: () => T,
  ) {}

  get(labels: Labels = {}): T {
    const key = this.#key(labels);
    let entry = this.#values.get(key);
    if (!entry) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name]!;
      entry = { labels: own, value: this.initial() };
      this.#values.set(key, entry);
    }
    return entry.value;
  }

  set(labels: Labels, value: T): void {
    this.get(labels);
    this.#values.get(this.#key(labels))!.value = value;
  }

  entries(): { labels: Labels; value: T }[] {
    return [...this.#values.values()];
  }

  #key(labels: Labels): string {
    for (const name of Object.keys(labels)) if (!this.labelNames.includes(name)) throw new Error(`${this.metric} has no label ${name} (its labels: ${this.labelNames.join(", ") || "none"})`);
    return this.labelNames
      .map((name) => {
        const value = labels[name];
        if (value === undefined) throw new Error(`${this.metric} needs a value for its label ${name}`);
        return value;
      })
      .join("\u0000");
  }
}

export class Counter {
  readonly #series: Series<number>;

  constructor(
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[] = [],
  ) {
    if (!name.endsWith("_total")) throw new Error(`counter ${name} must end in _total`);
    this.#series = new Series(name, labelNames, () => 0);
  }

  inc(by = 1, labels?: Labels): void {
    if (!(by >= 0)) throw new RangeError(`${this.name} counts up only, got ${by}`);
    this.#series.set(labels ?? {}, this.#series.get(labels) + by);
  }

  /** The series of these label values (0 when it was never counted). */
  value(labels?: Labels): number {
    return this.#series.get(labels);
  }

  /** The sum over every series whose labels include `match`. */
  sum(match: Labels = {}): number {
    let total = 0;
    for (const { labels, value } of this.#series.entries()) if (Object.entries(match).every(([k, v]) => labels[k] === v)) total += value;
    return total;
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: "counter", samples: this.#series.entries().map(({ labels, value }) => ({ labels, value })) };
  }
}

export class Gauge {
  readonly #series: Series<number>;

  constructor(
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[] = [],
  ) {
    this.#series = new Series(name, labelNames, () => 0);
  }

  set(value: number, labels?: Labels): void {
    this.#series.set(labels ?? {}, value);
  }

  inc(by = 1, labels?: Labels): void {
    this.#series.set(labels ?? {}, this.#series.get(labels) + by);
  }

  value(labels?: Labels): number {
    return this.#series.get(labels);
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: "gauge", samples: this.#series.entries().map(({ labels, value }) => ({ labels, value })) };
  }
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  readonly #series: Series<HistogramState>;
  readonly buckets: readonly number[];

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[] = LATENCY_BUCKETS_SECONDS,
    labelNames: readonly string[] = [],
  ) {
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new RangeError(`${name}: buckets must be finite and ascending, got ${buckets.join(", ")}`);
    }
    if (labelNames.includes("le")) throw new Error(`${name}: "le" is the bucket label of a histogram`);
    this.buckets = buckets;
    this.#series = new Series(name, labelNames, () => ({ counts: buckets.map(() => 0), sum: 0, count: 0 }));
  }

  observe(value: number, labels?: Labels): void {
    if (!Number.isFinite(value)) return;
    const state = this.#series.get(labels);
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) state.counts[index]!++;
    state.sum += value;
    state.count++;
  }

  /** Observations so far in the series of these label values. */
  count(labels?: Labels): number {
    return this.#series.get(labels).count;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const { labels, value } of this.#series.entries()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += value.counts[i]!;
        samples.push({ name: `${this.name}_bucket`, labels: { ...labels, le: String(bound) }, value: cumulative });
      });
      samples.push({ name: `${this.name}_bucket`, labels: { ...labels, le: "+Inf" }, value: value.count });
      samples.push({ name: `${this.name}_sum`, labels, value: value.sum });
      samples.push({ name: `${this.name}_count`, labels, value: value.count });
    }
    return { name: this.name, help: this.help, type: "histogram", samples };
  }
}

type Metric = Counter | Gauge | Histogram;

/**
 * The metrics of one server, in the order they were declared, then the families of the collectors
 * (read at scrape time: open streams, process figures). `constantLabels` go on every sample.
 */
export class MetricRegistry {
  readonly #metrics = new Map<string, Metric>();
  readonly #collectors: (() => readonly MetricFamily[])[] = [];

  constructor(readonly constantLabels: Labels = {}) {}

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#declare(name, Counter, () => new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#declare(name, Gauge, () => new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, options: { readonly buckets?: readonly number[]; readonly labelNames?: readonly string[] } = {}): Histogram {
    return this.#declare(name, Histogram, () => new Histogram(name, help, options.buckets, options.labelNames));
  }

  /** Families computed when scraped; they get the constant labels too. */
  collect(collector: () => readonly MetricFamily[]): void {
    this.#collectors.push(collector);
  }

  families(): MetricFamily[] {
    const families = [...[...this.#metrics.values()].map((metric) => metric.family()), ...this.#collectors.flatMap((collect) => collect())];
    if (Object.keys(this.constantLabels).length === 0) return families;
    return families.map((family) => ({ ...family, samples: family.samples.map((sample) => ({ ...sample, labels: { ...this.constantLabels, ...sample.labels } })) }));
  }

  /** A metric declared twice is the same metric (the second declaration's help and labels must agree). */
  #declare<M extends Metric>(name: string, type: new (...args: never[]) => M, make: () => M): M {
    const existing = this.#metrics.get(name);
    if (existing) {
      if (!(existing instanceof type)) throw new Error(`metric ${name} is declared as a ${existing.constructor.name.toLowerCase()} already`);
      return existing;
    }
    const metric = make();
    this.#metrics.set(name, metric);
    return metric;
  }
}
