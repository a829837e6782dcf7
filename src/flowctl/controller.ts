// The component side of flowctl: register, heartbeat with metrics, register again after NOT_FOUND,
// back off while flowctl is unreachable, unregister on stop. Never blocks or fails its component:
// every error stays inside the loop and shows up only in `state` and the log.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { durationMs, timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ControlPlaneService, ServiceInfoSchema } from "../gen/flowctl/v1/flowctl_pb.ts";
import { messageOf } from "../common/message-of.ts";
import { systemClock, type Clock } from "../timing/clock.ts";

export interface FlowctlControllerOptions {
  /** Base URL of flowctl, e.g. "http://localhost:8080". */
  readonly endpoint: string;
  readonly heartbeatIntervalMs: number;
  /** The service to register (service_id is filled in by flowctl). */
  readonly service: MessageInitShape<typeof ServiceInfoSchema>;
  /** The component's metrics, read at each heartbeat (a promise: awaited, within the request timeout's spirit: keep it short). */
  readonly metrics: () => Record<string, number> | Promise<Record<string, number>>;
  readonly token?: string | null;
  /** Default: Connect protocol, binary, over fetch. */
  readonly transport?: Transport;
  /** Each RPC gives up after this long (default 5 s). */
  readonly requestTimeoutMs?: number;
  /** First retry delay while flowctl is unreachable; doubles up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  /** Default: 4 heartbeat intervals, within 1-60 s. */
  readonly maxBackoffMs?: number;
  readonly log?: (message: string) => void;
  /** Waits between heartbeats and retries (default: the system's). */
  readonly clock?: Clock;
}

export interface FlowctlState {
  readonly enabled: boolean;
  readonly connected: boolean;
  readonly serviceId: string | null;
  /** Last heartbeat (or registration) flowctl accepted. */
  readonly lastHeartbeat: Date | null;
  readonly lastError: string | null;
}

export const DISABLED_FLOWCTL_STATE: FlowctlState = { enabled: false, connected: false, serviceId: null, lastHeartbeat: null, lastError: null };

export class FlowctlController {
  readonly #options: FlowctlControllerOptions;
  readonly #client: Client<typeof ControlPlaneService>;
  readonly #stop = new AbortController();
  readonly #componentId: string;
  #loop: Promise<void> | null = null;
  #intervalMs: number;
  #serviceId: string | null = null;
  /** The id of the last registration, kept across NOT_FOUND. */
  #lastId: string | null = null;
  #connected = false;
  #lastHeartbeat: Date | null = null;
  #lastError: string | null = null;

  constructor(options: FlowctlControllerOptions) {
    this.#options = options;
    this.#intervalMs = options.heartbeatIntervalMs;
    this.#componentId = options.service.componentId || "component";
    const token = options.token ?? null;
    this.#client = createClient(
      ControlPlaneService,
      options.transport ??
        createConnectTransport({
          baseUrl: options.endpoint,
          useBinaryFormat: true,
          interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
        }),
    );
  }

  get state(): FlowctlState {
    return { enabled: true, connected: this.#connected, serviceId: this.#serviceId, lastHeartbeat: this.#lastHeartbeat, lastError: this.#lastError };
  }

  /** Starts registering and heartbeating in the background; returns at once. */
  start(): void {
    this.#loop ??= this.#run().catch((error) => this.#log(`flowctl: controller stopped on an unexpected error: ${messageOf(error)}`));
  }

  /** Stops the loop and unregisters (waiting at most one request timeout). Never throws. */
  async stop(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    await this.#loop;
    const serviceId = this.#serviceId;
    if (serviceId === null) return;
    try {
      await this.#client.unregister({ serviceId }, { timeoutMs: this.#options.requestTimeoutMs ?? 5000 });
      this.#log(`flowctl: ${this.#componentId} unregistered (${serviceId})`);
    } catch (error) {
      this.#log(`flowctl: ${this.#componentId} could not unregister ${serviceId}: ${ConnectError.from(error).message}`);
    }
    this.#connected = false;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const clock = this.#options.clock ?? systemClock;
    let failures = 0;
    while (!signal.aborted) {
      let wait: number;
      try {
        if (this.#serviceId === null) await this.#register();
        else await this.#heartbeat(this.#serviceId);
        if (failures > 0) this.#log(`flowctl: ${this.#options.endpoint} reachable again for ${this.#componentId}`);
        this.#connected = true;
        this.#lastError = null;
        failures = 0;
        wait = this.#intervalMs;
      } catch (error) {
        if (signal.aborted) break;
        const failure = ConnectError.from(error);
        if (failure.code === Code.NotFound && this.#serviceId !== null) {
          this.#log(`flowctl: ${this.#componentId} is unknown to flowctl (${this.#serviceId}), registering again`);
          this.#serviceId = null;
          continue;
        }
        failures++;
        wait = this.#backoffMs(failures);
        if (this.#connected || failures === 1) {
          // flowctl answered but said no (full, a live namesake, a bad token): say so, not "unreachable"
          const refused = ![Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.Canceled, Code.Internal].includes(failure.code);
          this.#log(`flowctl: ${this.#options.endpoint} ${refused ? "refused" : "unreachable for"} ${this.#componentId} (${failure.message}); retrying with backoff`);
        }
        this.#connected = false;
        this.#lastError = failure.message;
      }
      try {
        await clock.sleep(wait, signal);
      } catch {
        break; // stopped
      }
    }
  }

  async #register(): Promise<void> {
    const response = await this.#client.register(
      // a registration after NOT_FOUND keeps the previous id, so watchers see the same service
      { service: create(ServiceInfoSchema, { ...this.#options.service, serviceId: this.#lastId ?? "" }) },
      { timeoutMs: this.#options.requestTimeoutMs ?? 5000, signal: this.#stop.signal },
    );
    this.#serviceId = response.serviceId;
    this.#lastId = response.serviceId;
    this.#lastHeartbeat = new Date();
    // heartbeat at the interval asked for, or more often when flowctl expects it
    const expected = response.heartbeatInterval ? durationMs(response.heartbeatInterval) : 0;
    this.#intervalMs = expected > 0 ? Math.min(this.#options.heartbeatIntervalMs, expected) : this.#options.heartbeatIntervalMs;
    this.#log(`flowctl: ${this.#componentId} registered as ${response.serviceId}`);
  }

  async #heartbeat(serviceId: string): Promise<void> {
    await this.#client.heartbeat(
      { serviceId, timestamp: timestampNow(), metrics: finiteOnly(await this.#options.metrics()) },
      { timeoutMs: this.#options.requestTimeoutMs ?? 5000, signal: this.#stop.signal },
    );
    this.#lastHeartbeat = new Date();
  }

  #backoffMs(failures: number): number {
    const max = this.#options.maxBackoffMs ?? Math.min(60_000, Math.max(1000, 4 * this.#options.heartbeatIntervalMs));
    const initial = this.#options.initialBackoffMs ?? Math.min(500, max);
    const base = Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
    return base * (0.8 + Math.random() * 0.2); // jitter, so restarted components do not retry in step
  }

  #log(message: string): void {
    (this.#options.log ?? console.error)(message);
  }
}

function finiteOnly(metrics: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, value] of Object.entries(metrics)) if (Number.isFinite(value)) result[name] = value;
  return result;
}

