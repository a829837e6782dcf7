// Mounts a Connect router's handlers on a Hono app: Connect and gRPC-Web, JSON and binary, over
// fetch Request/Response (plain gRPC needs HTTP trailers, which a fetch Response lacks).
import { createConnectRouter, type ConnectError, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import type { Hono } from "hono";
import { checkBinaryRequest, rpcErrorResponse } from "./undecodable-request.ts";

export interface MountConnectOptions extends ConnectRouterOptions {
  /**
   * Who may call what, judged from the method and the headers before the body is read: a caller
   * that may not call a method learns nothing about its request body, not even that it is malformed.
   */
  readonly authorize?: (methodName: string, headers: Headers) => ConnectError | null;
}

export function mountConnect(app: Hono, routes: (router: ConnectRouter) => void, options: MountConnectOptions = {}): void {
  const router = createConnectRouter({ ...options, grpc: false });
  routes(router);
  for (const handler of router.handlers) {
    const fetchHandler = createFetchHandler(handler);
    const maxBytes = options.readMaxBytes ?? Number.MAX_SAFE_INTEGER;
    app.on(handler.allowedMethods, handler.requestPath, async (c) => {
      const refused = options.authorize?.(handler.method.name, c.req.raw.headers);
      if (refused) return rpcErrorResponse(c.req.raw, refused);
      const checked = await checkBinaryRequest(c.req.raw, handler.method, maxBytes);
      return checked instanceof Response ? checked : fetchHandler(checked);
    });
  }
}
