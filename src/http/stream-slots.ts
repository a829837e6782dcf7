// A cap on streams a server holds open at once: the sink's event streams (StreamEvents, /ws and
// WatchServices through the dashboard's proxy), the source's and processor's Arrow frame streams,
// flowctl's watches. Each stream holds memory (a DuckDB connection, lake objects read ahead, a
// backlog) and is exempt from the idle timeout; without a cap any client could open them until
// the server's memory or connections ran out. Streams are counted by kind, for the metrics.
import type { MetricFamily } from "../metrics/prometheus.ts";

export const DEFAULT_MAX_EVENT_STREAMS = 64;

interface KindCounts {
  open: number;
  opened: number;
  refused: number;
}

export class StreamSlots {
  #open = 0;
  readonly #kinds = new Map<string, KindCounts>();

  /** `what`: the streams counted, for messages ("event streams", "data streams"). */
  constructor(
    readonly capacity = DEFAULT_MAX_EVENT_STREAMS,
    readonly what = "event streams",
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`the ${what.replace(/s$/, "")} cap must be a positive integer, got ${capacity}`);
  }

  get open(): number {
    return this.#open;
  }

  /**
   * A release function for a slot taken now, or null when all are taken. Releasing twice is harmless.
   * `kind` says what the stream is ("stream_events", "websocket"...), for the metrics.
   */
  tryAcquire(kind = "stream"): (() => void) | null {
    const counts = this.counts(kind);
    if (this.#open >= this.capacity) {
      counts.refused++;
      return null;
    }
    this.#open++;
    counts.open++;
    counts.opened++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
      counts.open--;
    };
  }

  /** Why a stream is refused, for clients. */
  refusal(): string {
    return `too many ${this.what} open (${this.capacity}): close one, or try again later`;
  }

  /** The counts of a kind of stream (zeros until one is opened), declared so that the metrics show it from the start. */
  counts(kind: string): KindCounts {
    let counts = this.#kinds.get(kind);
    if (!counts) this.#kinds.set(kind, (counts = { open: 0, opened: 0, refused: 0 }));
    return counts;
  }

  /** `<base>_open`, `<base>_opened_total` and `<base>_refused_total`, by kind; and `<base>_capacity`. */
  families(base: string, what: string): MetricFamily[] {
    const kinds = [...this.#kinds.entries()];
    const by = (pick: (counts: KindCounts) => number) => kinds.map(([kind, counts]) => ({ labels: { kind }, value: pick(counts) }));
    return [
      { name: `${base}_open`, help: `${what} open now, by kind.`, type: "gauge", samples: by((c) => c.open) },
      { name: `${base}_capacity`, help: `${what} that may be open at once (all kinds together).`, type: "gauge", samples: [{ value: this.capacity }] },
      { name: `${base}_opened_total`, help: `${what} opened, by kind.`, type: "counter", samples: by((c) => c.opened) },
      { name: `${base}_refused_total`, help: `${what} refused because ${this.capacity} were open, by kind.`, type: "counter", samples: by((c) => c.refused) },
    ];
  }
}
