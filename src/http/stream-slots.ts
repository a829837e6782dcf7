// A cap on streams a server holds open at once: the sink's event streams (StreamEvents, /ws and
// WatchServices through the dashboard's proxy), the source's and processor's Arrow frame streams,
// flowctl's watches. Each stream holds memory (a DuckDB connection, lake objects read ahead, a
// backlog) and is exempt from the idle timeout; without a cap any client could open them until
// the server's memory or connections ran out.

export const DEFAULT_MAX_EVENT_STREAMS = 64;

export class StreamSlots {
  #open = 0;

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

  /** A release function for a slot taken now, or null when all are taken. Releasing twice is harmless. */
  tryAcquire(): (() => void) | null {
    if (this.#open >= this.capacity) return null;
    this.#open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
    };
  }

  /** Why a stream is refused, for clients. */
  refusal(): string {
    return `too many ${this.what} open (${this.capacity}): close one, or try again later`;
  }
}
