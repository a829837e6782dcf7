// A cap on event streams open at once (EventService.StreamEvents and /ws together): each holds a
// DuckDB connection and, while catching up, reads pages of events; without a cap any client could
// open them until the sink's memory or connections ran out.

export const DEFAULT_MAX_EVENT_STREAMS = 64;

export class StreamSlots {
  #open = 0;

  constructor(readonly capacity = DEFAULT_MAX_EVENT_STREAMS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`the event stream cap must be a positive integer, got ${capacity}`);
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
    return `too many event streams open (${this.capacity}): close one, or try again later`;
  }
}
