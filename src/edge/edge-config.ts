// The edge API's configuration, from a Worker's bindings (or any environment object), named as the
// CLI's variables. A bad value is a ConfigError naming the variable; the Worker answers every
// request with it (500) rather than serving with a setting it did not mean.
import { NETWORK_PASSPHRASES, resolvePassphrase } from "../stellar/network.ts";

export const PUBLIC_LAKES = {
  pubnet: "https://aws-public-blockchain.s3.us-east-2.amazonaws.com/v1.1/stellar/ledgers/pubnet",
  testnet: "https://aws-public-blockchain.s3.us-east-2.amazonaws.com/v1.1/stellar/ledgers/testnet",
} as const;

/** Ledgers one request may ask for, by default: a range costs one lake read and one decode per ledger. */
export const DEFAULT_MAX_LEDGERS_PER_REQUEST = 20;

export const EDGE_ENV = {
  datalake: "STELLAR_FLOW_DATALAKE",
  network: "STELLAR_FLOW_NETWORK",
  maxLedgers: "STELLAR_FLOW_MAX_LEDGERS_PER_REQUEST",
  corsOrigins: "STELLAR_FLOW_CORS_ORIGINS",
  token: "STELLAR_FLOW_API_TOKEN",
  txSetCheck: "STELLAR_FLOW_TX_SET_CHECK",
} as const;

export interface EdgeConfig {
  /** http(s) URL of the lake root. */
  readonly datalake: string;
  /** The network expected, as a passphrase; null: whatever the lake's manifest says. */
  readonly networkPassphrase: string | null;
  readonly maxLedgersPerRequest: number;
  /** Origins allowed to call from a browser ("*": any); empty: none but same-origin. */
  readonly corsOrigins: readonly string[];
  /** Bearer token every route but /livez and preflights wants; null: open. */
  readonly token: string | null;
  /** Check each ledger's transaction set and results against its header (the CLI's default; off = --no-tx-set-check). */
  readonly txSetCheck: boolean;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, unknown>>;

function text(env: Env, name: string): string | null {
  const value = env[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new ConfigError(`${name} must be text, got ${typeof value}`);
  const trimmed = String(value).trim();
  return trimmed === "" ? null : trimmed;
}

export function edgeConfigFromEnv(env: Env): EdgeConfig {
  const network = text(env, EDGE_ENV.network);
  const networkPassphrase = network === null ? null : resolvePassphrase(network);
  const lake = text(env, EDGE_ENV.datalake) ?? (networkPassphrase === NETWORK_PASSPHRASES.testnet ? PUBLIC_LAKES.testnet : PUBLIC_LAKES.pubnet);
  let url: URL;
  try {
    url = new URL(lake);
  } catch {
    throw new ConfigError(`${EDGE_ENV.datalake} must be the http(s) URL of a data lake, got ${JSON.stringify(lake)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${EDGE_ENV.datalake} must be an http(s) URL (the edge reads lakes over fetch), got ${JSON.stringify(lake)}`);
  }
  const maxText = text(env, EDGE_ENV.maxLedgers);
  const maxLedgersPerRequest = maxText === null ? DEFAULT_MAX_LEDGERS_PER_REQUEST : Number(maxText);
  if (!Number.isInteger(maxLedgersPerRequest) || maxLedgersPerRequest < 1 || maxLedgersPerRequest > 10_000) {
    throw new ConfigError(`${EDGE_ENV.maxLedgers} must be a whole number from 1 to 10000, got ${JSON.stringify(maxText)}`);
  }
  const corsOrigins = (text(env, EDGE_ENV.corsOrigins) ?? "").split(",").map((o) => o.trim()).filter((o) => o !== "");
  for (const origin of corsOrigins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError(`${EDGE_ENV.corsOrigins}: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], or *)`);
  }
  const check = (text(env, EDGE_ENV.txSetCheck) ?? "on").toLowerCase();
  if (!["on", "off", "true", "false", "1", "0"].includes(check)) throw new ConfigError(`${EDGE_ENV.txSetCheck} must be on or off, got ${JSON.stringify(check)}`);
  return {
    datalake: url.href,
    networkPassphrase,
    maxLedgersPerRequest,
    corsOrigins,
    token: text(env, EDGE_ENV.token),
    txSetCheck: ["on", "true", "1"].includes(check),
  };
}
