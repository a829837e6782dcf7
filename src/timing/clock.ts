// Time as a dependency: code that waits or measures elapsed time takes a Clock, so that tests can
// drive it (tests/support/manual-clock.ts) instead of asserting wall-clock ceilings.
import { sleep } from "./sleep.ts";

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first (as ./sleep.ts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => performance.now(), sleep };
