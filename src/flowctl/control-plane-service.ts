// flowctl.v1.ControlPlaneService over a ServiceRegistry: checks requests, maps entries to messages.
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  ChangeType,
  ControlPlaneService,
  WatchServicesResponseSchema,
  type WatchServicesRequest,
  type WatchServicesResponse,
} from "../gen/flowctl/v1/flowctl_pb.ts";
import { pipelineHealth } from "./pipeline-health.ts";
import { StreamSlots } from "../http/stream-slots.ts";
import { matchesFilter, RegistrationRefused, type RegistryChange, type ServiceEntry, type ServiceRegistry } from "./registry.ts";
import { serviceStatusOf } from "./service-status.ts";
import { checkEventType, checkMetrics, checkServiceId, checkServiceInfo, checkServiceType, type MetadataLimits } from "./validate.ts";

export interface ControlPlaneOptions {
  readonly registry: ServiceRegistry;
  /** What Register tells clients. */
  readonly heartbeatIntervalMs: number;
  readonly version: string;
  /** The URL clients reach the control plane at, for Register's connection_info. */
  readonly endpoint: () => string;
  /** A watcher that falls this many changes behind is dropped (ResourceExhausted). */
  readonly maxWatchBacklog?: number;
  /** WatchServices streams open at once, at most; one more is refused (ResourceExhausted). */
  readonly maxWatchers?: number;
  /** Metadata a registration may carry. */
  readonly metadataLimits?: MetadataLimits;
  /** The slots of the watches (default: maxWatchers of them), given to count them in the metrics. */
  readonly watchers?: StreamSlots;
}

export const DEFAULT_MAX_WATCHERS = 32;
export const DEFAULT_MAX_WATCH_BACKLOG = 1000;

const CHANGE_TYPES: Record<RegistryChange["kind"], ChangeType> = {
  registered: ChangeType.REGISTERED,
  updated: ChangeType.UPDATED,
  unregistered: ChangeType.UNREGISTERED,
  evicted: ChangeType.EVICTED,
};

const notFound = (serviceId: string) => new ConnectError(`service "${serviceId}" is not registered`, Code.NotFound);

function checkFilter(request: { serviceType: number; eventType: string }): void {
  checkServiceType("service_type", request.serviceType, true);
  checkEventType("event_type", request.eventType, false);
}

export function controlPlaneService(options: ControlPlaneOptions): ServiceImpl<typeof ControlPlaneService> {
  const { registry } = options;
  const watchers = options.watchers ?? new StreamSlots(options.maxWatchers ?? DEFAULT_MAX_WATCHERS, "watches");
  return {
    register(request) {
      const info = checkServiceInfo(request.service, options.metadataLimits);
      let entry: ServiceEntry;
      try {
        entry = registry.register(info);
      } catch (error) {
        if (!(error instanceof RegistrationRefused)) throw error;
        throw new ConnectError(error.message, error.reason === "full" ? Code.ResourceExhausted : Code.AlreadyExists);
      }
      return {
        serviceId: entry.info.serviceId,
        heartbeatInterval: durationFromMs(options.heartbeatIntervalMs),
        heartbeatTtl: durationFromMs(registry.ttlMs),
        connectionInfo: {
          server_version: options.version,
          endpoint: options.endpoint(),
          protocols: "connect,grpc-web",
        },
      };
    },

    heartbeat(request) {
      checkServiceId("service_id", request.serviceId);
      checkMetrics(request.metrics);
      const entry = registry.heartbeat(request.serviceId, request.metrics);
      if (!entry) throw notFound(request.serviceId);
      return { status: entry.status };
    },

    unregister(request) {
      checkServiceId("service_id", request.serviceId);
      if (!registry.unregister(request.serviceId)) throw notFound(request.serviceId);
      return {};
    },

    getServiceStatus(request) {
      checkServiceId("service_id", request.serviceId);
      const entry = registry.get(request.serviceId);
      if (!entry) throw notFound(request.serviceId);
      return { status: serviceStatusOf(entry) };
    },

    listServices(request) {
      checkFilter(request);
      return { services: registry.list(request).map(serviceStatusOf) };
    },

    discoverServices(request) {
      checkEventType("event_type", request.eventType, true);
      return { services: registry.discover(request.eventType).map(serviceStatusOf) };
    },

    watchServices(request, context) {
      checkFilter(request);
      const release = watchers.tryAcquire("watch");
      if (!release) throw new ConnectError(`${watchers.refusal()} (flowctl --max-watchers)`, Code.ResourceExhausted);
      return releasing(watch(registry, request, context, options.maxWatchBacklog ?? DEFAULT_MAX_WATCH_BACKLOG), release);
    },

    getPipelineHealth() {
      return pipelineHealth(registry.list());
    },
  };
}

/** `stream`, calling `release` once it ends, whichever way (connect-es closes it when the client goes away). */
async function* releasing<T>(stream: AsyncGenerator<T>, release: () => void): AsyncGenerator<T> {
  try {
    yield* stream;
  } finally {
    release();
  }
}

/** The snapshot, then each matching change, until the client goes away or the server shuts down. */
async function* watch(
  registry: ServiceRegistry,
  request: WatchServicesRequest,
  context: HandlerContext,
  maxBacklog: number,
): AsyncGenerator<WatchServicesResponse> {
  const backlog: RegistryChange[] = [];
  let overflowed = false;
  let wake: (() => void) | null = null;
  const stop = registry.watch((change) => {
    if (!matchesFilter(change.entry, request)) return;
    if (backlog.length >= maxBacklog) overflowed = true;
    else backlog.push(change);
    wake?.();
  });
  const onAbort = () => wake?.();
  context.signal.addEventListener("abort", onAbort);
  try {
    yield create(WatchServicesResponseSchema, { change: ChangeType.SNAPSHOT, services: registry.list(request).map(serviceStatusOf) });
    while (!context.signal.aborted) {
      if (overflowed) throw new ConnectError(`watcher fell more than ${maxBacklog} changes behind`, Code.ResourceExhausted);
      const change = backlog.shift();
      if (change) {
        yield create(WatchServicesResponseSchema, { change: CHANGE_TYPES[change.kind], service: serviceStatusOf(change.entry) });
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    stop();
    context.signal.removeEventListener("abort", onAbort);
  }
}
