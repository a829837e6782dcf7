// The serving sink's own view of the run, read from its /health once a second: its state, the
// ledger it committed last, the ledger it heads for and its throughput (the figures its flowctl
// heartbeats carry, without waiting for the heartbeat interval). A server that stops answering is
// reported as unreachable and asked again with backoff, a limited number of times.
import { messageOf } from "../common/message-of.ts";
import { authorization } from "./dashboard-config.ts";

export type LiveReport =
  | {
      readonly reachable: true;
      readonly at: number;
      /** starting, running, finished, stopping, failed */
      readonly state: string;
      readonly lastLedger: number | null;
      readonly targetLedger: number | null;
      readonly ledgersPerSecond: number;
      readonly eventsPerSecond: number;
      readonly error: string | null;
      /** The sink's registration with flowctl (null: not registered). */
      readonly serviceId: string | null;
    }
  | { readonly reachable: false; readonly at: number; readonly error: string; readonly retryInMs: number | null };

const POLL_MS = 1000;
const REQUEST_TIMEOUT_MS = 3000;
const MAX_BACKOFF_MS = 30_000;
/** Failed reads in a row before the page stops asking (about 10 minutes with the backoff). */
const MAX_FAILURES = 25;

interface HealthBody {
  readonly state?: string;
  readonly error?: string;
  readonly flowctl?: { readonly service_id?: string | null };
  readonly pipeline?: { readonly last_ledger?: number | null; readonly target_ledger?: number | null };
  readonly throughput?: { readonly ledgers_per_second?: number; readonly events_per_second?: number };
}

export async function readHealth(signal?: AbortSignal): Promise<LiveReport> {
  const response = await fetch("/health", { headers: authorization(), signal: signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS), cache: "no-store" });
  // 503 is an unhealthy component's answer, with the same body
  if (response.status !== 200 && response.status !== 503) throw new Error(`/health answered HTTP ${response.status}`);
  const body = (await response.json()) as HealthBody;
  return {
    reachable: true,
    at: Date.now(),
    state: body.state ?? "unknown",
    lastLedger: body.pipeline?.last_ledger ?? null,
    targetLedger: body.pipeline?.target_ledger ?? null,
    ledgersPerSecond: body.throughput?.ledgers_per_second ?? 0,
    eventsPerSecond: body.throughput?.events_per_second ?? 0,
    error: body.error ?? null,
    serviceId: body.flowctl?.service_id ?? null,
  };
}

/** Calls `listener` with each report, once a second while the server answers. */
export function watchLiveStatus(listener: (report: LiveReport) => void): void {
  let failures = 0;
  const poll = async () => {
    let report: LiveReport;
    try {
      report = await readHealth();
      failures = 0;
    } catch (error) {
      failures += 1;
      const retryInMs = failures >= MAX_FAILURES ? null : Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** (failures - 1));
      report = { reachable: false, at: Date.now(), error: messageOf(error), retryInMs };
    }
    listener(report);
    const next = report.reachable ? POLL_MS : report.retryInMs;
    if (next !== null) setTimeout(() => void poll(), next);
  };
  void poll();
}
