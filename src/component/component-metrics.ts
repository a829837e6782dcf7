// A component's metrics: its own counters plus the position, rates and liveness every component
// reports, as Prometheus families (one name per meaning across components, the component in the
// labels) and as flowctl heartbeat metrics (bare names, one number each: the seed's map, which
// flowctl's GetPipelineHealth and the dashboard read).
import type { Labels, MetricFamily } from "../metrics/prometheus.ts";
import { RateWindow } from "../metrics/rate-window.ts";
import { type Counter, MetricRegistry } from "../metrics/registry.ts";

/** The namespace of every metric a pipeline component exports. */
export const METRIC_NAMESPACE = "stellarflow";

export interface CounterSpec {
  /** Its heartbeat name, ending in `_total`, e.g. "events_extracted_total"; also the name to add() to. */
  readonly name: string;
  readonly help: string;
  /** Its Prometheus family (default `stellarflow_<name>`); several counters may share one, told apart by `labels`. */
  readonly metric?: string;
  /** Help of the family when it is not this counter's alone. */
  readonly metricHelp?: string;
  /** Labels this counter fixes within its family, e.g. { kind: "validation" }. */
  readonly labels?: Labels;
  /** Labels given with each add(), with the values exported (as 0) before they are first counted. */
  readonly labelValues?: Readonly<Record<string, readonly string[]>>;
}

interface CounterEntry {
  readonly spec: CounterSpec;
  readonly counter: Counter;
}

/** Every combination of the given label values, each with `fixed`. */
function combinations(fixed: Labels, values: Readonly<Record<string, readonly string[]>>): Labels[] {
  let all: Labels[] = [fixed];
  for (const [name, options] of Object.entries(values)) all = all.flatMap((labels) => options.map((value) => ({ ...labels, [name]: value })));
  return all;
}

export class ComponentMetrics {
  readonly startedAt: number;
  /** The Prometheus side: counters, histograms the stage meters declare, and collectors (open streams...). */
  readonly registry: MetricRegistry;
  readonly #counters = new Map<string, CounterEntry>();
  readonly #ledgerRate: RateWindow;
  readonly #eventRate: RateWindow;
  #currentLedger = 0;
  #targetLedger = 0;
  #lastProcessedAt: number | null = null;
  #ledgers = 0;
  #events = 0;

  constructor(
    counters: readonly CounterSpec[],
    private readonly now: () => number = Date.now,
    /** On every Prometheus sample: component, component_id, type. */
    constantLabels: Labels = {},
  ) {
    this.startedAt = now();
    this.registry = new MetricRegistry(constantLabels);
    for (const spec of counters) {
      if (!spec.name.endsWith("_total")) throw new Error(`counter ${spec.name} must end in _total`);
      const labelNames = [...Object.keys(spec.labels ?? {}), ...Object.keys(spec.labelValues ?? {})];
      const counter = this.registry.counter(spec.metric ?? `${METRIC_NAMESPACE}_${spec.name}`, spec.metricHelp ?? spec.help, labelNames);
      for (const labels of combinations(spec.labels ?? {}, spec.labelValues ?? {})) counter.inc(0, labels);
      this.#counters.set(spec.name, { spec, counter });
    }
    this.#ledgerRate = new RateWindow(10_000, now);
    this.#eventRate = new RateWindow(10_000, now);
    this.#ledgerRate.record(0); // the rates count from the start
    this.#eventRate.record(0);
  }

  /**
   * Adds to a counter; `labels` are those of its labelValues (e.g. { event_type: "fee" }). A value
   * the counter does not list is counted as "other": values can come from outside (an upstream's
   * batch), and each new one would be a new series.
   */
  add(name: string, amount: number, labels: Labels = {}): void {
    const entry = this.#counters.get(name);
    if (!entry) throw new Error(`this component has no counter ${name}`);
    const known: Record<string, string> = {};
    for (const [label, value] of Object.entries(labels)) {
      const listed = entry.spec.labelValues?.[label];
      known[label] = listed === undefined || listed.includes(value) ? value : "other";
    }
    entry.counter.inc(amount, { ...entry.spec.labels, ...known });
  }

  /** A counter's total over its labels. */
  count(name: string): number {
    const entry = this.#counters.get(name);
    return entry ? entry.counter.sum(entry.spec.labels) : 0;
  }

  /** The ledger the component is heading for (end of range, or the network's tip). */
  setTarget(ledger: number): void {
    this.#targetLedger = ledger;
  }

  /** `ledgers` more ledgers (and `events` events) handled, up to `lastLedger`. */
  processed(lastLedger: number, ledgers: number, events = 0): void {
    this.#currentLedger = Math.max(this.#currentLedger, lastLedger);
    this.#lastProcessedAt = this.now();
    this.#ledgers += ledgers;
    this.#events += events;
    this.#ledgerRate.record(this.#ledgers);
    this.#eventRate.record(this.#events);
  }

  get currentLedger(): number | null {
    return this.#currentLedger || null;
  }

  get targetLedger(): number | null {
    return this.#targetLedger || null;
  }

  get lagLedgers(): number | null {
    return this.#currentLedger && this.#targetLedger ? Math.max(0, this.#targetLedger - this.#currentLedger) : null;
  }

  get uptimeSeconds(): number {
    return (this.now() - this.startedAt) / 1000;
  }

  /** Bare names, as heartbeats send them (unchanged since the seed: flowctl and the dashboard read them). */
  snapshot(healthy: boolean): Record<string, number> {
    const values: Record<string, number> = {};
    for (const name of this.#counters.keys()) values[name] = this.count(name);
    values.current_ledger = this.#currentLedger;
    values.target_ledger = this.#targetLedger;
    values.lag_ledgers = this.lagLedgers ?? 0;
    values.ledgers_per_second = this.#ledgerRate.perSecond();
    values.events_per_second = this.#eventRate.perSecond();
    values.uptime_seconds = this.uptimeSeconds;
    values.seconds_since_last_processed = (this.now() - (this.#lastProcessedAt ?? this.startedAt)) / 1000;
    values.service_status = healthy ? 1 : 0;
    return values;
  }

  /**
   * The Prometheus families: counters, then position and liveness gauges, then what the meters and
   * collectors declared. A gauge /health reports as null (no target, no ledger yet) has no sample.
   * Rates are left to PromQL (`rate(stellarflow_ledgers_processed_total[1m])`).
   */
  families(healthy: boolean, extra: readonly MetricFamily[] = []): MetricFamily[] {
    const n = METRIC_NAMESPACE;
    const gauge = (name: string, help: string, value: number | null): MetricFamily => ({ name: `${n}_${name}`, help, type: "gauge", samples: value === null ? [] : [{ value }] });
    const labelled = (family: MetricFamily): MetricFamily => ({ ...family, samples: family.samples.map((s) => ({ ...s, labels: { ...this.registry.constantLabels, ...s.labels } })) });
    const own = [
      gauge("current_ledger", "Last ledger the component finished (no sample before the first).", this.currentLedger),
      gauge("target_ledger", "Ledger the component is heading for: the end of its range (no sample when following the tip or not known yet).", this.targetLedger),
      gauge("lag_ledgers", "Ledgers between the current ledger and the target (no sample when either is unknown).", this.lagLedgers),
      gauge("last_processed_timestamp_seconds", "When the component last finished a ledger, in seconds since the epoch (no sample before the first).", this.#lastProcessedAt === null ? null : this.#lastProcessedAt / 1000),
      gauge("start_time_seconds", "When the component started, in seconds since the epoch.", this.startedAt / 1000),
      gauge("healthy", "1 while the component is healthy (starting, running or finished), 0 once it failed or is stopping.", healthy ? 1 : 0),
      ...extra,
    ].map(labelled);
    const declared = this.registry.families();
    const counters = declared.filter((family) => family.type === "counter");
    return [...counters, ...own, ...declared.filter((family) => family.type !== "counter")];
  }
}
