// A component's metrics: its own counters plus the position, rates and liveness every component
// reports, as Prometheus text (prefixed names) and as flowctl heartbeat metrics (bare names).
import type { MetricSample } from "../metrics/prometheus.ts";
import { RateWindow } from "../metrics/rate-window.ts";

export interface CounterSpec {
  /** Ends in `_total`, e.g. "events_extracted_total". */
  readonly name: string;
  readonly help: string;
}

export class ComponentMetrics {
  readonly startedAt: number;
  readonly #counters = new Map<string, { spec: CounterSpec; value: number }>();
  readonly #ledgerRate: RateWindow;
  readonly #eventRate: RateWindow;
  #currentLedger = 0;
  #targetLedger = 0;
  #lastProcessedAt: number | null = null;
  #ledgers = 0;
  #events = 0;

  constructor(
    readonly prefix: string,
    counters: readonly CounterSpec[],
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    for (const spec of counters) this.#counters.set(spec.name, { spec, value: 0 });
    this.#ledgerRate = new RateWindow(10_000, now);
    this.#eventRate = new RateWindow(10_000, now);
    this.#ledgerRate.record(0); // the rates count from the start
    this.#eventRate.record(0);
  }

  add(name: string, amount: number): void {
    const counter = this.#counters.get(name);
    if (!counter) throw new Error(`${this.prefix} has no counter ${name}`);
    counter.value += amount;
  }

  count(name: string): number {
    return this.#counters.get(name)?.value ?? 0;
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

  get lagLedgers(): number | null {
    return this.#currentLedger && this.#targetLedger ? Math.max(0, this.#targetLedger - this.#currentLedger) : null;
  }

  get uptimeSeconds(): number {
    return (this.now() - this.startedAt) / 1000;
  }

  /** Bare names, as heartbeats send them. */
  snapshot(healthy: boolean): Record<string, number> {
    const values: Record<string, number> = {};
    for (const { spec, value } of this.#counters.values()) values[spec.name] = value;
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

  /** Prometheus samples, each name prefixed with the component's. */
  samples(healthy: boolean, extraGauges: readonly Omit<MetricSample, "type">[] = []): MetricSample[] {
    const values = this.snapshot(healthy);
    const name = (bare: string) => `${this.prefix}_${bare}`;
    const gauge = (bare: string, help: string): MetricSample => ({ name: name(bare), help, type: "gauge", value: values[bare]! });
    return [
      ...[...this.#counters.values()].map(({ spec, value }): MetricSample => ({ name: name(spec.name), help: spec.help, type: "counter", value })),
      gauge("current_ledger", "Last ledger the component finished."),
      gauge("target_ledger", "Ledger the component is heading for (end of the range)."),
      gauge("lag_ledgers", "Ledgers between the current ledger and the target."),
      gauge("ledgers_per_second", "Ledgers finished per second over the last 10 seconds."),
      gauge("events_per_second", "TTP events handled per second over the last 10 seconds."),
      gauge("uptime_seconds", "Seconds since the component started."),
      gauge("seconds_since_last_processed", "Seconds since the component last finished a ledger (since start when none yet)."),
      gauge("service_status", "1 when the component is healthy, 0 when it failed or is stopping."),
      ...extraGauges.map((g): MetricSample => ({ ...g, name: name(g.name), type: "gauge" })),
    ];
  }
}
