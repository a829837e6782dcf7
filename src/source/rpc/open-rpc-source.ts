// Builds an RpcSource: asks the server its network (getNetwork) and checks it is the one expected.
import { resolvePassphrase } from "../../stellar/network.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry/retry-policy.ts";
import { SourceError } from "../source-error.ts";
import { JsonRpcClient } from "./json-rpc-client.ts";
import { RpcSource, type RpcSourceOptions } from "./rpc-source.ts";
import { messageOf } from "../../common/message-of.ts";

export interface OpenRpcSourceOptions extends Omit<RpcSourceOptions, "client" | "networkPassphrase"> {
  /** Network the caller expects (a name such as "pubnet", or a passphrase). Default: the server's. */
  readonly networkPassphrase?: string;
  readonly retry?: RetryPolicy;
  /** The largest JSON-RPC response read (default DEFAULT_MAX_RPC_RESPONSE_BYTES); a bigger page is asked again halved. */
  readonly maxResponseBytes?: number;
  /** getNetwork gives up after this long (default 12 s), so an unreachable RPC fails fast. */
  readonly openTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export async function openRpcSource(url: string, options: OpenRpcSourceOptions = {}): Promise<RpcSource> {
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const openTimeoutMs = options.openTimeoutMs ?? 12_000;
  const probe = new JsonRpcClient(url, { ...retry, timeoutMs: Math.min(retry.timeoutMs, openTimeoutMs), maxElapsedMs: openTimeoutMs });
  let network: unknown;
  try {
    network = await probe.call("getNetwork", undefined, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new SourceError(`cannot reach Stellar RPC: ${messageOf(error)}`, null, url, { cause: error });
  }
  const passphrase = (network as { passphrase?: unknown } | null)?.passphrase;
  if (typeof passphrase !== "string" || passphrase === "") throw new SourceError(`getNetwork returned no passphrase: ${JSON.stringify(network)}`, null, url);
  const expected = options.networkPassphrase !== undefined ? resolvePassphrase(options.networkPassphrase) : passphrase;
  if (expected !== passphrase) throw new SourceError(`wrong network: asked for "${expected}" but the RPC serves "${passphrase}"`, null, url);
  const { retry: _, openTimeoutMs: __, signal: ___, networkPassphrase: ____, maxResponseBytes, ...sourceOptions } = options;
  return new RpcSource({ ...sourceOptions, client: new JsonRpcClient(url, retry, { maxResponseBytes }), networkPassphrase: passphrase });
}
