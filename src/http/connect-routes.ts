// Mounts a Connect router's handlers on a Hono app: Connect and gRPC-Web, JSON and binary, over
// fetch Request/Response (plain gRPC needs HTTP trailers, which a fetch Response lacks).
import { createConnectRouter, createContextValues, type ConnectError, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { universalServerRequestFromFetch, universalServerResponseToFetch } from "@connectrpc/connect/protocol";
import type { Hono } from "hono";
import { exemptFromIdleTimeout } from "./idle-timeout.ts";
import { codeName, refusedCode, RPC_SEEN, rpcMeterInterceptor, type RpcObserver } from "./rpc-meter.ts";
import { bufferedRequest, checkBinaryRequest, refusalCodeOf, rpcErrorResponse } from "./undecodable-request.ts";

export interface MountConnectOptions extends ConnectRouterOptions {
  /**
   * Who may call what, judged from the method and the headers before the body is read: a caller
   * that may not call a method learns nothing about its request body, not even that it is malformed.
   */
  readonly authorize?: (methodName: string, headers: Headers) => ConnectError | null;
  /** Told of every call's outcome, refusals included (for the server's metrics). */
  readonly observe?: RpcObserver;
}

export function mountConnect(app: Hono, routes: (router: ConnectRouter) => void, options: MountConnectOptions = {}): void {
  // JSON as protobuf defines it: an unknown field or enum name is InvalidArgument, not dropped
  // (connect-es drops them, so a misspelt filter or event type would silently match everything)
  const { observe } = options;
  const interceptors = [...(observe ? [rpcMeterInterceptor(observe)] : []), ...(options.interceptors ?? [])];
  const router = createConnectRouter({ ...options, interceptors, grpc: false, jsonOptions: { ignoreUnknownFields: false, ...options.jsonOptions } });
  routes(router);
  for (const handler of router.handlers) {
    const maxBytes = options.readMaxBytes ?? Number.MAX_SAFE_INTEGER;
    const streaming = handler.method.methodKind === "server_streaming";
    const method = { service: handler.service.typeName, method: handler.method.name, streaming };
    const refusal = async (response: Response, started: number): Promise<Response> => {
      const code = refusalCodeOf(response);
      observe?.({ ...method, code: code === undefined ? await refusedCode(response) : codeName(code), seconds: (performance.now() - started) / 1000 });
      return response;
    };
    app.on(handler.allowedMethods, handler.requestPath, async (c) => {
      const started = performance.now();
      const raw = c.req.raw;
      const refused = options.authorize?.(handler.method.name, raw.headers);
      if (refused) return refusal(rpcErrorResponse(raw, refused), started);
      let request: Request | Response = raw;
      if (streaming) {
        // The servers close connections that stay silent (slow or stalled clients); a stream may
        // rightly stay quiet for long, so once its request has fully arrived it is exempt.
        request = await bufferedRequest(raw, maxBytes);
        if (request instanceof Response) return refusal(request, started);
        exemptFromIdleTimeout(c.env, raw);
      }
      const checked = await checkBinaryRequest(request, handler.method, maxBytes);
      if (checked instanceof Response) return refusal(checked, started);
      // what createFetchHandler does, with a mark the meter sets when the call reaches the implementation
      const seen = { seen: false };
      const universal = { ...universalServerRequestFromFetch(checked, {}), contextValues: createContextValues().set(RPC_SEEN, seen) };
      const response = universalServerResponseToFetch(await handler(universal));
      return seen.seen || !observe ? response : refusal(response, started);
    });
  }
}
