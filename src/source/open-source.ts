// From the source flags to a LedgerSource: a data lake (folder, HTTPS, S3), Stellar RPC, or the
// lake then RPC; with no source flag, the public data lake of the network asked for.
import { openDataLake } from "./datalake/open-datalake.ts";
import { HybridSource } from "./hybrid-source.ts";
import type { LedgerSource } from "./ledger-source.ts";
import { openRpcSource } from "./rpc/open-rpc-source.ts";
import { NETWORK_PASSPHRASES, resolvePassphrase } from "../stellar/network.ts";

const PUBLIC_LAKE = "https://aws-public-blockchain.s3.us-east-2.amazonaws.com/v1.1/stellar/ledgers";

/** The lake read when no source flag is given: $STELLAR_FLOW_DATALAKE, else SDF's public lake of the network. */
export function defaultDataLake(network: string | null, env: Record<string, string | undefined> = process.env): string {
  if (env.STELLAR_FLOW_DATALAKE) return env.STELLAR_FLOW_DATALAKE;
  const passphrase = network === null ? NETWORK_PASSPHRASES.pubnet : resolvePassphrase(network);
  if (passphrase === NETWORK_PASSPHRASES.testnet) return `${PUBLIC_LAKE}/testnet`;
  return `${PUBLIC_LAKE}/pubnet`;
}

export interface OpenedSource {
  readonly source: LedgerSource & Required<Pick<LedgerSource, "latestLedger">>;
  /** Describes the source for flowctl registration. */
  readonly metadata: Record<string, string>;
}

/** Where ledgers come from, as the source flags give it. */
export interface SourceSpec {
  /** Folder, http(s):// URL or s3://bucket/prefix; null: none given. */
  readonly datalake: string | null;
  readonly rpcUrl: string | null;
  readonly s3Endpoint: string | null;
  /** Data-lake objects in flight at once. */
  readonly concurrency: number;
  /** Decompressed bytes allowed per data-lake object; null: the source's default (64 MiB per ledger in it). */
  readonly maxObjectBytes: number | null;
}

export interface OpenSourceOptions {
  readonly network: string | null;
  readonly ledgersPerArrowBatch?: number;
  readonly signal?: AbortSignal;
  readonly onWarning?: (message: string) => void;
}

export async function openSource(args: SourceSpec, options: OpenSourceOptions): Promise<OpenedSource> {
  const networkPassphrase = options.network !== null ? resolvePassphrase(options.network) : undefined;
  const common = { networkPassphrase, ledgersPerArrowBatch: options.ledgersPerArrowBatch, signal: options.signal };
  const datalake = args.datalake ?? (args.rpcUrl === null ? defaultDataLake(options.network) : null);
  const lake =
    datalake === null
      ? null
      : await openDataLake(datalake, { ...common, concurrency: args.concurrency, maxObjectBytes: args.maxObjectBytes ?? undefined, s3Endpoint: args.s3Endpoint ?? undefined, onWarning: options.onWarning });
  const rpc =
    args.rpcUrl === null ? null : await openRpcSource(args.rpcUrl, { ...common, networkPassphrase: networkPassphrase ?? lake?.networkPassphrase, onWarning: options.onWarning });
  const storage = datalake === null ? "rpc" : /^s3:/i.test(datalake) ? "s3" : /^https?:/i.test(datalake) ? "https" : "folder";
  const metadata: Record<string, string> = {
    storage_type: storage,
    backend_type: lake && rpc ? "datalake+rpc" : lake ? "datalake" : "rpc",
    ...(datalake !== null ? { datalake, ledgers_per_file: String(lake!.config.ledgersPerBatch) } : {}),
    ...(args.rpcUrl !== null ? { rpc_url: args.rpcUrl } : {}),
  };
  const source = lake && rpc ? new HybridSource(lake, rpc) : (lake ?? rpc)!;
  return { source, metadata };
}
