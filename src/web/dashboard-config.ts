// What the serving sink tells the page about itself (GET /dashboard/config): whether it knows a
// flowctl, whether ledgers arrive live, and the data lake of "Inspect a ledger". Fetched once.
import { pageToken } from "./transport.ts";

export interface DashboardConfig {
  readonly flowctl: boolean;
  /** A pipeline (or a sink with an upstream) writes into this database: there is something live to watch. */
  readonly live: boolean;
  readonly datalake: string | null;
}

/**
 * How long the page waits for the queries it runs itself (the events' start, the tables, the
 * volume); the server gives up on a query at its own deadline (10 s unless configured) before that.
 */
export const PAGE_QUERY_TIMEOUT_MS = 60_000;

let config: Promise<DashboardConfig | null> | null = null;

/** The server's configuration, or null when it could not be read (the server is away). */
export function dashboardConfig(): Promise<DashboardConfig | null> {
  config ??= fetch("/dashboard/config", { headers: authorization(), signal: AbortSignal.timeout(10_000) })
    .then(async (response) => (response.ok ? ((await response.json()) as DashboardConfig) : null))
    .catch(() => null);
  void config.then((loaded) => {
    if (loaded === null) config = null; // asked again next time
  });
  return config;
}

export function authorization(): Record<string, string> {
  const token = pageToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}
