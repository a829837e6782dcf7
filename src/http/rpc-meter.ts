// The outcome of every RPC a server handles, for its metrics: which method, which code (Connect's
// names: "ok", "invalid_argument", ...), how long. What reaches the implementation is seen by an
// interceptor (a stream's outcome when it ends); a request refused before it (the token, the size,
// a body that does not decode) is reported by whoever refused it.
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { codeToString, errorFromJsonBytes } from "@connectrpc/connect/protocol-connect";
import { LATENCY_BUCKETS_SECONDS, type MetricRegistry } from "../metrics/registry.ts";

export interface RpcOutcome {
  /** e.g. "stellarflow.v1.QueryService" */
  readonly service: string;
  /** e.g. "Query" */
  readonly method: string;
  /** "ok" or a Connect error code name. */
  readonly code: string;
  /** From the call to its answer (a stream: to its end). */
  readonly seconds: number;
  readonly streaming: boolean;
}

export type RpcObserver = (outcome: RpcOutcome) => void;

/** Per request: whether the interceptor saw it (else the request was refused before the implementation). */
export const RPC_SEEN = createContextKey<{ seen: boolean }>({ seen: false }, { description: "rpc seen by the meter" });

export const codeName = (code: Code): string => codeToString(code);

/** Reports each call that reaches the implementation, once it is answered or its stream ends. */
export function rpcMeterInterceptor(observe: RpcObserver): Interceptor {
  return (next) => async (request) => {
    request.contextValues.get(RPC_SEEN).seen = true;
    const started = performance.now();
    const report = (code: string) => observe({ service: request.service.typeName, method: request.method.name, code, seconds: (performance.now() - started) / 1000, streaming: request.stream });
    let response;
    try {
      response = await next(request);
    } catch (error) {
      report(codeName(ConnectError.from(error).code));
      throw error;
    }
    if (!response.stream) {
      report("ok");
      return response;
    }
    const messages = response.message;
    return {
      ...response,
      message: (async function* () {
        let code = codeName(Code.Canceled); // the client went away before the end
        try {
          yield* messages;
          // a stream whose client went away may end quietly (its implementation stops on the signal)
          code = request.signal.aborted ? codeName(Code.Canceled) : "ok";
        } catch (error) {
          code = codeName(ConnectError.from(error).code);
          throw error;
        } finally {
          report(code);
        }
      })(),
    };
  };
}

/**
 * The code of a response the implementation never saw (connect-es refused the request: a JSON body
 * that does not parse, an unsupported content type): gRPC-Web's grpc-status header, a Connect unary
 * error's JSON body, else "unknown".
 */
export async function refusedCode(response: Response): Promise<string> {
  const grpcStatus = response.headers.get("grpc-status");
  if (grpcStatus !== null) return /^\d+$/.test(grpcStatus) && Code[Number(grpcStatus)] !== undefined ? (grpcStatus === "0" ? "ok" : codeName(Number(grpcStatus))) : "unknown";
  if (response.status !== 200 && (response.headers.get("content-type") ?? "").includes("json")) {
    try {
      return codeName(errorFromJsonBytes(new Uint8Array(await response.clone().arrayBuffer()), undefined, new ConnectError("", Code.Unknown)).code);
    } catch {
      return "unknown";
    }
  }
  return "unknown";
}

/**
 * An observer counting into `registry`: `<prefix>_rpc_handled_total{rpc_service, rpc_method, rpc_code}`
 * for every call, `<prefix>_rpc_duration_seconds{rpc_service, rpc_method}` for unary ones (a
 * stream's length says how long its client stayed, not how fast the server was).
 */
export function rpcMetrics(registry: MetricRegistry, prefix: string): RpcObserver {
  const handled = registry.counter(`${prefix}_rpc_handled_total`, "RPCs answered, by service, method and code (ok, or the Connect error code; a stream counts when it ends).", ["rpc_service", "rpc_method", "rpc_code"]);
  const duration = registry.histogram(`${prefix}_rpc_duration_seconds`, "Time to answer a unary RPC, by service and method.", { buckets: LATENCY_BUCKETS_SECONDS, labelNames: ["rpc_service", "rpc_method"] });
  return (outcome) => {
    handled.inc(1, { rpc_service: outcome.service, rpc_method: outcome.method, rpc_code: outcome.code });
    if (!outcome.streaming) duration.observe(outcome.seconds, { rpc_service: outcome.service, rpc_method: outcome.method });
  };
}
