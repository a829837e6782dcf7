import type { ServiceEntry } from "./registry.ts";

/**
 * Where the registry keeps its entries across restarts. Calls are synchronous and small (one entry
 * at a time); an adapter that cannot write throws, and the registry reports it to the caller.
 */
export interface RegistryStore {
  /** Every entry saved and not removed since. */
  load(): ServiceEntry[];
  save(entry: ServiceEntry): void;
  remove(serviceId: string): void;
  close(): void;
}
