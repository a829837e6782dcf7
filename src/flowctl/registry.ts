// The control plane's registry (pure): who is registered, who is alive, who produces what.
// Time comes from an injected clock and storage from an injected RegistryStore.
import { clone } from "@bufbuild/protobuf";
import { HealthStatus, ServiceInfoSchema, ServiceType, type ServiceInfo } from "../gen/flowctl/v1/flowctl_pb.ts";
import { canonicalEventType } from "./event-types.ts";
import type { RegistryStore } from "./registry-store.ts";

/** One registered service. Entries are immutable: every change makes a new one. */
export interface ServiceEntry {
  /** As registered, with `serviceId` set and event types in canonical form. */
  readonly info: ServiceInfo;
  readonly status: HealthStatus.HEALTHY | HealthStatus.UNHEALTHY;
  /** Milliseconds since the epoch, by the registry's clock. */
  readonly registeredAt: number;
  readonly lastHeartbeat: number;
  readonly metrics: Readonly<Record<string, number>>;
}

export type RegistryChange =
  | { readonly kind: "registered" | "updated"; readonly entry: ServiceEntry }
  | { readonly kind: "unregistered" | "evicted"; readonly entry: ServiceEntry };

export interface ServiceFilter {
  /** UNSPECIFIED or absent: every type. */
  readonly serviceType?: ServiceType;
  /** Matches input or output event types (aliases accepted); empty or absent: every service. */
  readonly eventType?: string;
}

export interface RegistryOptions {
  /** A service without a heartbeat for this long turns unhealthy. */
  readonly ttlMs: number;
  /** A service without a heartbeat for this long is removed (at least ttlMs). */
  readonly evictAfterMs: number;
  readonly now?: () => number;
  readonly store?: RegistryStore;
  /** Makes the id of a service registered without one. */
  readonly newId?: (info: ServiceInfo) => string;
  /** Services held at once, at most (default unbounded); a registration past it is refused ("full"). */
  readonly maxServices?: number;
}

/** Why a registration was refused: the registry is full, or the id is another's or still alive. */
export class RegistrationRefused extends Error {
  override readonly name = "RegistrationRefused";
  constructor(
    message: string,
    readonly reason: "full" | "taken",
  ) {
    super(message);
  }
}

export function defaultServiceId(info: ServiceInfo): string {
  const base = (info.componentId || ServiceType[info.serviceType] || "service").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${base || "service"}-${crypto.randomUUID().slice(0, 8)}`;
}

export function matchesFilter(entry: ServiceEntry, filter: ServiceFilter): boolean {
  const type = filter.serviceType ?? ServiceType.UNSPECIFIED;
  if (type !== ServiceType.UNSPECIFIED && entry.info.serviceType !== type) return false;
  if (!filter.eventType) return true;
  const wanted = canonicalEventType(filter.eventType);
  return entry.info.inputEventTypes.includes(wanted) || entry.info.outputEventTypes.includes(wanted);
}

export class ServiceRegistry {
  readonly ttlMs: number;
  readonly evictAfterMs: number;
  readonly #now: () => number;
  readonly #store: RegistryStore | undefined;
  readonly #newId: (info: ServiceInfo) => string;
  readonly #entries = new Map<string, ServiceEntry>();
  readonly #listeners = new Set<(change: RegistryChange) => void>();
  readonly #maxServices: number;

  constructor(options: RegistryOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError(`the heartbeat TTL must be positive, got ${options.ttlMs} ms`);
    if (!(options.evictAfterMs >= options.ttlMs)) {
      throw new RangeError(`the eviction time (${options.evictAfterMs} ms) must be at least the heartbeat TTL (${options.ttlMs} ms)`);
    }
    this.ttlMs = options.ttlMs;
    this.evictAfterMs = options.evictAfterMs;
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
    this.#newId = options.newId ?? defaultServiceId;
    this.#maxServices = options.maxServices ?? Number.POSITIVE_INFINITY;
    for (const entry of this.#store?.load() ?? []) this.#entries.set(entry.info.serviceId, entry);
    this.sweep();
  }

  /**
   * Adds a service; throws RegistrationRefused. A live registration (a heartbeat within the TTL) is
   * never replaced by another one: not by a registration naming its id (only a silent one may be
   * taken over, by the same component), nor by one with its component_id, which is added next to
   * it. Registering with a component_id removes that component's silent registrations: a crashed
   * instance, restarted, cleans up after itself, and one that comes back after NOT_FOUND keeps its id.
   */
  register(info: ServiceInfo): ServiceEntry {
    this.sweep();
    const holder = info.serviceId === "" ? undefined : this.#entries.get(info.serviceId);
    if (holder && holder.info.componentId !== info.componentId) {
      // an id names one component: taking another's would silently replace its registration
      throw new RegistrationRefused(`service.service_id: "${info.serviceId}" belongs to component "${holder.info.componentId}"`, "taken");
    }
    if (holder && holder.status === HealthStatus.HEALTHY) {
      throw new RegistrationRefused(
        `service.service_id: "${info.serviceId}" is registered and alive; a live registration is replaced only after it has been silent for the TTL (${this.ttlMs} ms) or unregistered`,
        "taken",
      );
    }
    const registered = clone(ServiceInfoSchema, info);
    registered.serviceId = info.serviceId || this.#newId(info);
    registered.inputEventTypes = [...new Set(info.inputEventTypes.map(canonicalEventType))];
    registered.outputEventTypes = [...new Set(info.outputEventTypes.map(canonicalEventType))];
    const silentPredecessors = registered.componentId
      ? [...this.#entries.values()].filter(
          (previous) => previous.info.componentId === registered.componentId && previous.info.serviceId !== registered.serviceId && previous.status !== HealthStatus.HEALTHY,
        )
      : [];
    const after = this.#entries.size - silentPredecessors.length + (this.#entries.has(registered.serviceId) ? 0 : 1);
    if (after > this.#maxServices) {
      throw new RegistrationRefused(`flowctl holds ${this.#entries.size} services, the most it accepts (--max-services ${this.#maxServices}): unregister one, or wait for silent ones to be evicted`, "full");
    }
    for (const previous of silentPredecessors) this.#delete(previous, "unregistered");
    const now = this.#now();
    const entry: ServiceEntry = { info: registered, status: HealthStatus.HEALTHY, registeredAt: now, lastHeartbeat: now, metrics: {} };
    this.#put(entry, "registered");
    return entry;
  }

  /** Records a heartbeat; undefined when the id is unknown (the caller should register again). */
  heartbeat(serviceId: string, metrics: Readonly<Record<string, number>>): ServiceEntry | undefined {
    this.sweep();
    const previous = this.#entries.get(serviceId);
    if (!previous) return undefined;
    const entry: ServiceEntry = { ...previous, status: HealthStatus.HEALTHY, lastHeartbeat: this.#now(), metrics: { ...metrics } };
    this.#put(entry, "updated");
    return entry;
  }

  /** Removes a service; false when the id is unknown. */
  unregister(serviceId: string): boolean {
    this.sweep();
    const entry = this.#entries.get(serviceId);
    if (!entry) return false;
    this.#delete(entry, "unregistered");
    return true;
  }

  get(serviceId: string): ServiceEntry | undefined {
    this.sweep();
    return this.#entries.get(serviceId);
  }

  /** Matching services, oldest registration first. */
  list(filter: ServiceFilter = {}): ServiceEntry[] {
    this.sweep();
    return [...this.#entries.values()].filter((entry) => matchesFilter(entry, filter)).sort((a, b) => a.registeredAt - b.registeredAt);
  }

  /** Healthy services producing the event type. */
  discover(eventType: string): ServiceEntry[] {
    const wanted = canonicalEventType(eventType);
    return this.list().filter((entry) => entry.status === HealthStatus.HEALTHY && entry.info.outputEventTypes.includes(wanted));
  }

  /** Calls `listener` on every change until the returned function is called. */
  watch(listener: (change: RegistryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Marks silent services unhealthy and removes those silent past the eviction time. */
  sweep(): void {
    const now = this.#now();
    for (const entry of [...this.#entries.values()]) {
      const silentMs = now - entry.lastHeartbeat;
      if (silentMs > this.evictAfterMs) this.#delete(entry, "evicted");
      else if (silentMs > this.ttlMs && entry.status === HealthStatus.HEALTHY) this.#put({ ...entry, status: HealthStatus.UNHEALTHY }, "updated");
    }
  }

  #put(entry: ServiceEntry, kind: "registered" | "updated"): void {
    this.#store?.save(entry);
    this.#entries.set(entry.info.serviceId, entry);
    this.#emit({ kind, entry });
  }

  #delete(entry: ServiceEntry, kind: "unregistered" | "evicted"): void {
    this.#store?.remove(entry.info.serviceId);
    this.#entries.delete(entry.info.serviceId);
    this.#emit({ kind, entry });
  }

  #emit(change: RegistryChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // a watcher's failure is its own; the registry goes on
      }
    }
  }
}
