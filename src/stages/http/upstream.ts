// Where a downstream component finds its upstream's stream: an explicit URL (--upstream), or the
// endpoint of a healthy producer of the event type it consumes, asked of flowctl (DiscoverServices,
// then WatchServices to follow changes). Once found, an endpoint is kept: flowctl going away does
// not stop a component that knows where its data comes from.
import { sleep } from "../../timing/sleep.ts";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ChangeType, ControlPlaneService, HealthStatus } from "../../gen/flowctl/v1/flowctl_pb.ts";

export interface Upstream {
  /** For logs and /health: the URL, or "flowctl: stellar.ledger.v1 producer at URL". */
  describe(): string;
  /** The stream endpoint to connect to now; throws when none is known (the caller backs off). */
  endpoint(signal?: AbortSignal): Promise<string>;
  /** The endpoint did not answer: ask flowctl again next time. */
  failed(endpoint: string): void;
  close(): void;
  /** The bearer token the stream is asked with (the upstream's STELLAR_FLOW_API_TOKEN); null: none. */
  readonly streamToken?: string | null;
}

export function fixedUpstream(url: string, streamToken: string | null = null): Upstream {
  return { describe: () => url, endpoint: async () => url, failed: () => {}, close: () => {}, streamToken };
}

/** Only http(s) endpoints are followed: a registration naming file: or anything else is ignored. */
const STREAM_ENDPOINT = /^https?:\/\/[^/]/i;

export interface DiscoveredUpstreamOptions {
  readonly flowctl: string;
  readonly eventType: string;
  /** flowctl's bearer token. */
  readonly token?: string | null;
  /** The producers' bearer token (STELLAR_FLOW_API_TOKEN), for the stream itself. */
  readonly streamToken?: string | null;
  readonly requestTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

export class DiscoveredUpstream implements Upstream {
  readonly #client: Client<typeof ControlPlaneService>;
  readonly #options: DiscoveredUpstreamOptions;
  readonly #stop = new AbortController();
  #current: string | null = null;
  #watching = false;
  readonly streamToken: string | null;

  constructor(options: DiscoveredUpstreamOptions) {
    this.#options = options;
    this.streamToken = options.streamToken ?? null;
    const token = options.token ?? null;
    this.#client = createClient(
      ControlPlaneService,
      createConnectTransport({
        baseUrl: options.flowctl,
        useBinaryFormat: true,
        interceptors: token ? [(next) => (request) => (request.header.set("Authorization", `Bearer ${token}`), next(request))] : [],
      }),
    );
  }

  describe(): string {
    return `flowctl ${this.#options.flowctl}: ${this.#options.eventType} producer${this.#current ? ` at ${this.#current}` : ""}`;
  }

  async endpoint(signal?: AbortSignal): Promise<string> {
    this.#watch();
    if (this.#current) return this.#current;
    const response = await this.#client.discoverServices(
      { eventType: this.#options.eventType },
      { timeoutMs: this.#options.requestTimeoutMs ?? 5000, signal },
    );
    const found = response.services.find((s) => STREAM_ENDPOINT.test(s.service?.endpoint ?? ""))?.service?.endpoint;
    if (!found) throw new Error(`flowctl ${this.#options.flowctl} knows no healthy producer of ${this.#options.eventType} yet`);
    if (found !== this.#current) this.#options.log?.(`upstream: ${this.#options.eventType} from ${found} (discovered through flowctl)`);
    this.#current = found;
    return found;
  }

  failed(endpoint: string): void {
    if (this.#current === endpoint) this.#current = null;
  }

  close(): void {
    this.#stop.abort();
  }

  /** Follows WatchServices in the background (reconnecting with backoff) to learn of a new endpoint. */
  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    const signal = this.#stop.signal;
    void (async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          for await (const message of this.#client.watchServices({ eventType: this.#options.eventType }, { signal })) {
            failures = 0;
            const services = message.change === ChangeType.SNAPSHOT ? message.services : message.service ? [message.service] : [];
            for (const status of services) {
              const info = status.service;
              if (!info || !STREAM_ENDPOINT.test(info.endpoint) || !info.outputEventTypes.includes(this.#options.eventType)) continue;
              const gone = message.change === ChangeType.UNREGISTERED || message.change === ChangeType.EVICTED || status.status === HealthStatus.UNHEALTHY;
              if (gone && this.#current === info.endpoint) this.#current = null;
              else if (!gone && info.endpoint !== this.#current && (message.change === ChangeType.REGISTERED || this.#current === null)) {
                this.#options.log?.(`upstream: ${this.#options.eventType} now from ${info.endpoint} (flowctl watch)`);
                this.#current = info.endpoint;
              }
            }
          }
        } catch {
          // flowctl away: keep the endpoint we know, try the watch again later
        }
        failures++;
        await sleep(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)), signal).catch(() => undefined); // closed: the loop ends
      }
    })();
  }
}

