// Pacing the garbage collector: a full collection every so many bytes of buffers handed on. A stage that turns large
// buffers into other large buffers (XDR into frames, frames into rows) leaves its garbage mostly
// outside the JS heap, which JSC counts as "extra memory" and lets pile up to hundreds of MB before
// it collects; collecting now and then keeps such a stage near its working set for a few ms each.
export class GarbagePacer {
  #since = 0;

  constructor(
    private readonly everyBytes: number,
    private readonly collect: () => void = () => Bun.gc(true),
  ) {}

  /** Counts `bytes` handed on; collects once `everyBytes` have passed since the last collection. */
  handedOn(bytes: number): void {
    this.#since += bytes;
    if (this.#since < this.everyBytes) return;
    this.#since = 0;
    this.collect();
  }
}
