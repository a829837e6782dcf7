// Mounts a Connect router's handlers on a Hono app: Connect and gRPC-Web, JSON and binary, over
// fetch Request/Response (plain gRPC needs HTTP trailers, which a fetch Response lacks).
import { createConnectRouter, type ConnectError, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import type { Hono } from "hono";
import { exemptFromIdleTimeout } from "./idle-timeout.ts";
import { bufferedRequest, checkBinaryRequest, rpcErrorResponse } from "./undecodable-request.ts";

export interface MountConnectOptions extends ConnectRouterOptions {
  /**
   * Who may call what, judged from the method and the headers before the body is read: a caller
   * that may not call a method learns nothing about its request body, not even that it is malformed.
   */
  readonly authorize?: (methodName: string, headers: Headers) => ConnectError | null;
}

export function mountConnect(app: Hono, routes: (router: ConnectRouter) => void, options: MountConnectOptions = {}): void {
  // JSON as protobuf defines it: an unknown field or enum name is InvalidArgument, not dropped
  // (connect-es drops them, so a misspelt filter or event type would silently match everything)
  const router = createConnectRouter({ ...options, grpc: false, jsonOptions: { ignoreUnknownFields: false, ...options.jsonOptions } });
  routes(router);
  for (const handler of router.handlers) {
    const fetchHandler = createFetchHandler(handler);
    const maxBytes = options.readMaxBytes ?? Number.MAX_SAFE_INTEGER;
    const streaming = handler.method.methodKind === "server_streaming";
    app.on(handler.allowedMethods, handler.requestPath, async (c) => {
      const raw = c.req.raw;
      const refused = options.authorize?.(handler.method.name, raw.headers);
      if (refused) return rpcErrorResponse(raw, refused);
      let request: Request | Response = raw;
      if (streaming) {
        // The servers close connections that stay silent (slow or stalled clients); a stream may
        // rightly stay quiet for long, so once its request has fully arrived it is exempt.
        request = await bufferedRequest(raw, maxBytes);
        if (request instanceof Response) return request;
        exemptFromIdleTimeout(c.env, raw);
      }
      const checked = await checkBinaryRequest(request, handler.method, maxBytes);
      return checked instanceof Response ? checked : fetchHandler(checked);
    });
  }
}
